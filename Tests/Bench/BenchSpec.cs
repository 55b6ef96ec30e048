// Proves the bench's parts without timing anything: the Altix-shaped scenario holds and faults
// once per page across partitions; the paired faults hold across partitions in two batches,
// each top-level step's end told once and in order (the cluster figure times its second batch
// by them); its full size fits the parser's file bound, `generate`
// refuses a bad size, and `bench --quick --remote` writes every figure it prints (positive
// numbers, memory per process and per page among them, and fault chains counted, not assumed),
// its ceilings from a child process that ran at the runtime's default tiering (it fails else);
// a child that fails leaves its first lines of stderr for the bench to show.
using System.Text.Json;
using Emulator.Host;
using Emulator.Host.Bench;
using Emulator.Host.Cli;
using Emulator.Host.Runner;
using Emulator.Host.Scenarios;
using Emulator.Tests.Cli;
using Emulator.Tests.Cluster;
using Xunit;

namespace Emulator.Tests.Bench;

// The bench's remote figures start cluster nodes: not beside the cluster specs.
[Collection(ClusterCollection.Name)]
public sealed class BenchSpec : IDisposable
{
    private readonly CliFixture _cli = new();

    [Fact]
    public void Altix_scenario_must_hold_with_one_cross_partition_fault_per_page()
    {
        var (scenario, result) = RunAtPageGrain(AltixScenario.Text(3, 2, 2), "altix.hocon");
        Assert.Equal(3 * 2 * 2, result.Summary.Faults);
        Assert.Equal(3 * 2, scenario.Processes.Count);
    }

    [Fact]
    public void Paired_faults_must_hold_with_every_pair_across_partitions()
    {
        var ends = new List<TimeSpan>();
        var (scenario, result) = RunAtPageGrain(BenchScenarios.PairedFaults(4, 3, 3),
            "pairs.hocon", ends.Add);
        Assert.Equal(4 * 2 * 3, result.Summary.Faults);
        // The setup, the warm-up batch, the measured batch: each step's end told once, in order.
        Assert.Equal(3, scenario.Steps.Count);
        Assert.Equal(3, ends.Count);
        Assert.Equal(ends.Order(), ends);
        Assert.True(ends[^1] <= result.Summary.Elapsed, $"{ends[^1]} > {result.Summary.Elapsed}");
        Assert.Equal(2 * 4, scenario.Processes.Count);
        for (var i = 0; i < 4; i++)
        {
            var owner = scenario.Processes.Single(p => p.Name == $"owner{i}").Partition;
            var user = scenario.Processes.Single(p => p.Name == $"user{i}").Partition;
            Assert.Equal((owner + 1) % 3, user);
        }
    }

    [Fact]
    public void Altix_scenario_at_full_size_must_fit_the_parsers_file_bound()
    {
        var text = AltixScenario.Text(18, 512, 16);
        Assert.True(text.Length < 4 * 1024 * 1024, $"{text.Length} characters");
    }

    [Theory]
    [InlineData("--partitions", "1")]
    [InlineData("--processes", "0")]
    [InlineData("--pages", "x")]
    public void Generate_must_refuse_a_bad_size(string option, string value)
    {
        var outcome = CliFixture.Run("generate", "altix", option, value);
        Assert.True(outcome.Exit == ExitCodes.BadInput, outcome.ToString());
        Assert.Contains($"{option} '{value}' is not a whole number", outcome.Error);
    }

    [Fact]
    public void Generate_must_write_a_scenario_that_parses()
    {
        var path = _cli.PathOf("altix.hocon");
        var outcome = CliFixture.Run("generate", "altix", "--partitions", "4", "--processes",
            "3", "--pages", "1", "--out", path);
        Assert.True(outcome.Exit == ExitCodes.Held, outcome.ToString());
        Assert.Equal(12, ScenarioParser.ParseFile(path).Processes.Count);
    }

    [Fact]
    public void Bench_quick_must_write_every_figure()
    {
        var path = _cli.PathOf("bench.json");
        var outcome = CliFixture.Run("bench", "--quick", "--altix", "1", "--remote", "--json",
            path);
        Assert.True(outcome.Exit == ExitCodes.Held, outcome.ToString());
        var figures = JsonSerializer.Deserialize<Dictionary<string, double>>(
            File.ReadAllText(path))!;
        string[] keys =
        [
            "ceiling.local_msgs_per_s", "ceiling.remote_msgs_per_s",
            "ceiling.sim_loop_deliveries_per_s", "cluster.faults_per_s",
            "ceiling.remote_msgs_one_in_flight_per_s", "cluster.faults_one_in_flight_per_s",
            "faults.same_partition_per_s", "faults.cross_partition_per_s",
            "messages_per_fault.same_partition", "messages_per_fault.cross_partition",
            "sim.deliveries_per_s", "explore.schedules_per_s", "altix.sim_s", "altix.live_s",
            "altix.peak_bytes", "memory.bytes_per_process", "memory.bytes_per_mapped_page",
        ];
        foreach (var key in keys)
        {
            Assert.True(figures.TryGetValue(key, out var value) && value > 0,
                $"{key}: {(figures.TryGetValue(key, out var v) ? v : "missing")}");
            Assert.Contains(key, outcome.Out);
        }
        // A cross-partition fault chain crosses XPC both ways: more messages than a local one.
        Assert.True(figures["messages_per_fault.cross_partition"]
            > figures["messages_per_fault.same_partition"], outcome.Out);
    }

    [Fact]
    public void Bench_ceilings_must_write_the_local_and_sim_loop_ceilings()
    {
        // The bench's own child (a hidden command), here in the test's process.
        var path = _cli.PathOf("ceilings.json");
        var outcome = CliFixture.Run("bench", "ceilings", "--messages", "20000", "--json", path);
        Assert.True(outcome.Exit == ExitCodes.Held, outcome.ToString());
        var figures = JsonSerializer.Deserialize<Dictionary<string, double>>(
            File.ReadAllText(path))!;
        Assert.True(figures["local"] > 0 && figures["sim_loop"] > 0, string.Join(", ", figures));
        Assert.Contains(figures["default_tiering"], new[] { 0.0, 1.0 });
        Assert.False(figures.ContainsKey("remote"), "remote rallies without --remote");
        Assert.DoesNotContain("The bench's raw ceilings", CliFixture.Run("bench", "--help").Out);
    }

    [Fact]
    public void Timed_child_must_keep_the_first_lines_a_failed_child_wrote_to_stderr()
    {
        var run = TimedChild.Run(["generate", "altix", "--processes", "0"],
            TimeSpan.FromMinutes(2));
        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.Contains("--processes '0' is not a whole number", run.ErrorHead);
        Assert.True(run.ErrorHead.Split('\n').Length <= 5, run.ErrorHead);
    }

    public void Dispose() => _cli.Dispose();

    /// <summary>A bench scenario run in sim at page grain, as the bench runs it (seed 1).</summary>
    private static (Scenario Scenario, RunResult Result) RunAtPageGrain(string text, string file,
        Action<TimeSpan>? stepEnded = null)
    {
        var scenario = ScenarioParser.Parse(text, file);
        var result = ScenarioRunner.Run(scenario, new RunOptions(1, TopLevelStepEnded: stepEnded),
            Settings.Load("xpmem-emulator.access-grain = page"));
        Assert.True(result.Passed, $"seed 1: {result.Failure}");
        return (scenario, result);
    }
}
