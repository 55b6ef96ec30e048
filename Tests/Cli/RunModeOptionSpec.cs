// Proves `run --mode`: sim is the default, and live runs the same file to the same verdict
// (cluster too: RunClusterModeSpec, among the cluster specs); cluster's options are refused
// without it, or together when they contradict; a sweep in
// live still takes --seeds and names the mode in the reproduce line and in --results; a mode
// that does not exist is bad input (exit 2, a message naming the modes, nothing run);
// and --help says that live runs are not reproducible. Each case runs the program in-process.
using System.Text.Json;
using Emulator.Host.Cli;
using Xunit;

namespace Emulator.Tests.Cli;

public sealed class RunModeOptionSpec : IDisposable
{
    private readonly CliFixture _files = new();

    [Theory]
    [InlineData("bogus")]
    [InlineData("Live")]
    [InlineData("")]
    public void Run_must_refuse_a_mode_that_does_not_exist(string mode)
    {
        var outcome = CliFixture.Run("run", _files.Write("good.hocon", CliFixture.Good),
            "--mode", mode);
        Assert.True(outcome.Exit == ExitCodes.BadInput, outcome.ToString());
        Assert.Contains($"--mode '{mode}' is not a run mode: sim", outcome.Error);
        Assert.Contains("live", outcome.Error);
        Assert.True(outcome.Out.Length == 0, outcome.ToString());
    }

    /// <summary>Cluster mode: <see cref="RunClusterModeSpec"/>.</summary>
    [Theory]
    [InlineData("sim")]
    [InlineData("live")]
    public void Run_must_hold_the_same_file_in_every_mode(string mode)
    {
        var outcome = CliFixture.Run("run", _files.Write("good.hocon", CliFixture.Good),
            "--mode", mode, "--quiet");
        Assert.True(outcome.Exit == ExitCodes.Held, $"{mode}: {outcome}");
        Assert.Contains("1 scenario held, 0 failed", outcome.Out);
    }

    [Theory]
    [InlineData("--nodes 2", "--nodes goes with --mode cluster only")]
    [InlineData("--seed-nodes h:4053", "--seed-nodes goes with --mode cluster only")]
    [InlineData("--port 4060", "--port goes with --mode cluster only")]
    [InlineData("--mode cluster --nodes 0", "--nodes '0' is not a node count (1 to 64)")]
    [InlineData("--mode cluster --nodes 2 --seed-nodes h:4053",
        "--nodes and --seed-nodes cannot go together")]
    public void Run_must_refuse_cluster_options_that_do_not_fit(string options, string message)
    {
        var outcome = CliFixture.Run(["run", _files.Write("good.hocon", CliFixture.Good),
            .. options.Split(' ')]);
        Assert.True(outcome.Exit == ExitCodes.BadInput, outcome.ToString());
        Assert.Contains(message, outcome.Error);
        Assert.True(outcome.Out.Length == 0, outcome.ToString());
    }

    [Fact]
    public void Run_must_sweep_seeds_in_live_and_name_the_mode_in_the_results()
    {
        var results = _files.PathOf("results.json");
        var outcome = CliFixture.Run("run", _files.Write("good.hocon", CliFixture.Good),
            "--mode", "live", "--seeds", "1..3", "--quiet", "--results", results);
        Assert.True(outcome.Exit == ExitCodes.Held, outcome.ToString());
        Assert.Contains("3 runs held, 0 failed", outcome.Out);
        using var json = JsonDocument.Parse(File.ReadAllText(results));
        Assert.Equal("live", json.RootElement.GetProperty("mode").GetString());
        var reproduce = json.RootElement.GetProperty("runs")[0].GetProperty("reproduce")
            .GetString();
        Assert.EndsWith("--seed 1 --mode live", reproduce);
    }

    [Fact]
    public void Run_help_must_say_that_live_runs_are_not_reproducible()
    {
        var help = CliFixture.Run("run", "--help");
        Assert.Contains("--mode", help.Out);
        Assert.Contains("not reproducible", help.Out);
    }

    public void Dispose() => _files.Dispose();
}
