// Proves `run --set KEY=VALUE`: an override of akka.hocon's emulator section reaches the run (a
// first pid of 500 shows in the trace) and the reproduce line carries it; an unknown key (with
// the nearest known one suggested), a block instead of a value, a value the emulator cannot
// read or cannot run with, and text that is not KEY=VALUE are bad input, exit 2, nothing run.
// access-grain reaches the run: a fill of one page takes 1024, 32 or 1 units.
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
    [InlineData("access-grain=byte", "access-grain must be word, line or page, not \"byte\"",
        "its default is line")]
    [InlineData("access-grain=128", "access-grain must be word, line or page", "")]
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

    [Theory]
    [InlineData("word", 1023)]
    [InlineData("line", 31)]
    [InlineData("page", 0)]
    public void Set_must_choose_the_access_grain_of_the_run(string grain, int nextUnits)
    {
        // A fill of one page is 4096 / grain units, each after the first a NextUnit delivery.
        const string fill = """
            processes {
              p {}
            }
            steps = [ "p: mmap 0x10000 1p", "p: fill 0x10000 1p byte=1" ]
            """;
        var trace = _files.PathOf($"out-{grain}");
        var outcome = CliFixture.Run("run", _files.Write("fill.hocon", fill),
            "--set", $"access-grain={grain}", "--out", trace, "--quiet");

        Assert.True(outcome.Exit == ExitCodes.Held, outcome.ToString());
        var lines = File.ReadAllLines(Path.Combine(trace, "trace.jsonl"));
        Assert.Equal(nextUnits, lines.Count(l => l.Contains("\"type\":\"NextUnit\"")));
    }

    public void Dispose() => _files.Dispose();
}
