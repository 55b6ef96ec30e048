// Proves `run --set KEY=VALUE`: an override of akka.hocon's emulator section reaches the run (a
// first pid of 500 shows in the trace) and the reproduce line carries it; an unknown key (with
// the nearest known one suggested), a block instead of a value, a value the emulator cannot
// read or cannot run with, and text that is not KEY=VALUE are bad input, exit 2, nothing run.
using Emulator.Host.Cli;
using Xunit;

namespace Emulator.Tests.Cli;

public sealed class SetOptionSpec : IDisposable
{
    private readonly CliFixture _files = new();

    [Fact]
    public void Set_must_reach_the_run_and_its_reproduce_line()
    {
        var trace = _files.PathOf("out");
        var results = _files.PathOf("results.json");
        var outcome = CliFixture.Run("run", _files.Write("wrong.hocon", CliFixture.Wrong),
            "--set", "first-pid=500", "--set", "xpmem-emulator.xpc.heartbeat-interval=20ms",
            "--out", trace, "--results", results, "--quiet");

        Assert.True(outcome.Exit == ExitCodes.ScenarioFailed, outcome.ToString());
        Assert.Contains("\"pid\":500", File.ReadAllText(Path.Combine(trace, "trace.jsonl")));
        Assert.Contains("--set first-pid=500 --set xpmem-emulator.xpc.heartbeat-interval=20ms",
            outcome.Out);
    }

    [Theory]
    [InlineData("request-timout=5s", "no setting 'request-timout'",
        "did you mean 'request-timeout'?")]
    [InlineData("xpc=1", "no setting 'xpc'", "xpc.heartbeat-interval")]
    [InlineData("request-timeout=fast", "--set request-timeout='fast': not a value",
        "its default is 2s")]
    [InlineData("request-timeout=0s", "request-timeout must be > 0", "")]
    [InlineData("first-pid=0", "first-pid must be from 1 to", "")]
    [InlineData("xpc.missed-heartbeats-max=0", "missed-heartbeats-max must be >= 1", "")]
    [InlineData("first-pid=5\"}\nakka.x=1", "not a value the emulator reads", "")]
    [InlineData("first-pid", "is not KEY=VALUE", "")]
    [InlineData("lock-order=sideways", "lock-order must be kernel or naive", "its default is kernel")]
    [InlineData("remove-waits-for-faults=maybe", "must be true or false", "")]
    public void Set_must_refuse_what_the_emulator_cannot_take(string setting, string message,
        string hint)
    {
        var outcome = CliFixture.Run("run", _files.Write("good.hocon", CliFixture.Good),
            "--set", setting);

        Assert.True(outcome.Exit == ExitCodes.BadInput, outcome.ToString());
        Assert.Contains(message, outcome.Error);
        Assert.Contains(hint, outcome.Error);
        Assert.True(outcome.Out.Length == 0, outcome.ToString());
    }

    public void Dispose() => _files.Dispose();
}
