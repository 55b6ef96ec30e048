// Proves the explore command's contract, running the program in-process: a planted race (a load
// that sees a store on some schedules only) is found, its schedule, trace and shrunk schedule
// written, the seed and a replay line printed, exit 1, and the replay fails again the same way;
// the lowest failing schedule is found whatever the number of workers; with random and idle
// timers schedule i is run --seed S+i, trace for trace; a scenario that always holds exits 0
// with a summary and the coverage its schedules reached; bad input exits 2 and writes nothing.
using System.Text.Json;
using Emulator.Host.Cli;
using Emulator.Tests.Cli;
using Xunit;

namespace Emulator.Tests.Explore;

public sealed class ExploreCommandSpec : IDisposable
{
    private readonly CliFixture _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Explore_must_find_the_planted_race_write_its_schedule_and_replay_it()
    {
        var folder = _files.PathOf("found");
        var outcome = CliFixture.Run("explore", ExploreFiles.RacyRead, "--schedules", "500",
            "--out", folder, "--workers", "1");
        Assert.True(outcome.Exit == ExitCodes.ScenarioFailed, outcome.ToString());
        var seed = SeedOf(outcome);
        var schedule = Path.Combine(folder, $"seed-{seed}", "schedule.json");
        var shrunk = Path.Combine(folder, $"seed-{seed}", "schedule.shrunk.json");
        Assert.Contains($"  replay: xpmem-emu replay {schedule}\n", outcome.Out);
        Assert.Contains($"  replay: xpmem-emu replay {shrunk}\n", outcome.Out);
        Assert.True(File.Exists(Path.Combine(folder, $"seed-{seed}", "trace.jsonl")), outcome.Out);
        var report = Path.Combine(folder, $"seed-{seed}", "report.html");
        Assert.Contains($"  report: {report} (coverage summed over the explore)\n", outcome.Out);
        Assert.Contains("Protocol-state coverage", File.ReadAllText(report));
        Assert.True(outcome.Error.Length == 0 || !outcome.Error.Contains("a bug"), outcome.Error);
        var failure = outcome.OutLines.First(line => line.Contains("step \"user: read32"));

        var replay = CliFixture.Run("replay", schedule);
        Assert.True(replay.Exit == ExitCodes.ScenarioFailed, $"seed {seed}: {replay}");
        Assert.Contains("again (the same deliveries, trace and verdict as recorded)", replay.Out);
        Assert.Contains(failure, replay.Out);
        var replayShrunk = CliFixture.Run("replay", shrunk);
        Assert.True(replayShrunk.Exit == ExitCodes.ScenarioFailed, $"seed {seed}: {replayShrunk}");
        Assert.True(Deviations(shrunk) <= Deviations(schedule), $"seed {seed}: shrunk to "
            + $"{Deviations(shrunk)} deviations from {Deviations(schedule)}");
    }

    [Fact]
    public void Replay_must_reproduce_a_schedule_found_with_link_faults_and_overrides()
    {
        var folder = _files.PathOf("faulty");
        var outcome = CliFixture.Run("explore", ExploreFiles.RacyRead, "--strategy", "pct",
            "--faults", "drop 30%, duplicate 20%, delay 10us..300us", "--set",
            "request-timeout=5s", "--timers", "due", "--out", folder, "--workers", "1");
        Assert.True(outcome.Exit == ExitCodes.ScenarioFailed, outcome.ToString());
        var seed = SeedOf(outcome);
        var schedule = Path.Combine(folder, $"seed-{seed}", "schedule.json");
        var recorded = JsonDocument.Parse(File.ReadAllText(schedule)).RootElement;
        Assert.True(recorded.GetProperty("faultDraws").GetInt32() > 0, $"seed {seed}: no fault");
        Assert.Equal("request-timeout=5s", recorded.GetProperty("set")[0].GetString());
        var replay = CliFixture.Run("replay", schedule, "--out", _files.PathOf("again"));
        Assert.True(replay.Exit == ExitCodes.ScenarioFailed, $"seed {seed}: {replay}");
        Assert.Contains("again (the same deliveries, trace and verdict as recorded)", replay.Out);
        Assert.True(File.ReadAllText(Path.Combine(folder, $"seed-{seed}", "trace.jsonl"))
            == File.ReadAllText(Path.Combine(_files.PathOf("again"), "trace.jsonl")),
            $"seed {seed}: the replay's trace differs");
    }

    [Fact]
    public void Explore_must_report_the_same_lowest_failing_schedule_with_one_or_two_workers()
    {
        var one = CliFixture.Run("explore", ExploreFiles.RacyRead, "--seed", "40",
            "--strategy", "pct", "--out", _files.PathOf("one"), "--workers", "1", "--no-shrink");
        var two = CliFixture.Run("explore", ExploreFiles.RacyRead, "--seed", "40",
            "--strategy", "pct", "--out", _files.PathOf("two"), "--workers", "2", "--no-shrink");
        Assert.True(one.Exit == ExitCodes.ScenarioFailed, one.ToString());
        Assert.True(two.Exit == ExitCodes.ScenarioFailed, two.ToString());
        Assert.Equal(SeedOf(one), SeedOf(two));
    }

    [Fact]
    public void Explore_with_random_and_idle_timers_must_run_schedule_i_as_run_seed_S_plus_i()
    {
        var folder = _files.PathOf("explore");
        var outcome = CliFixture.Run("explore", ExploreFiles.RacyRead, "--seed", "7",
            "--out", folder, "--no-shrink", "--workers", "1");
        Assert.True(outcome.Exit == ExitCodes.ScenarioFailed, outcome.ToString());
        var seed = SeedOf(outcome);
        var run = CliFixture.Run("run", ExploreFiles.RacyRead, "--seed", $"{seed}",
            "--out", _files.PathOf("run"));
        Assert.True(run.Exit == ExitCodes.ScenarioFailed, $"seed {seed}: {run}");
        Assert.True(File.ReadAllText(Path.Combine(folder, $"seed-{seed}", "trace.jsonl"))
            == File.ReadAllText(Path.Combine(_files.PathOf("run"), "trace.jsonl")),
            $"seed {seed}: explore's trace differs from run's");
    }

    [Fact]
    public void Explore_must_exit_0_with_a_summary_when_every_schedule_holds()
    {
        var folder = _files.PathOf("none");
        var outcome = CliFixture.Run("explore", ExploreFiles.RoundTrip, "--schedules", "40",
            "--strategy", "pct", "--depth", "2", "--timers", "due", "--faults", "drop 10%",
            "--out", folder);
        Assert.True(outcome.Exit == ExitCodes.Held, outcome.ToString());
        var coverage = Path.Combine(folder, "coverage.html");
        Assert.Matches($"^  coverage: {System.Text.RegularExpressions.Regex.Escape(coverage)}\n"
            + @"explore two-partition round trip \(.*\): 40 schedules \(\d+ distinct\), "
            + @"pct depth 2, seeds from 1, \d+ workers?, [\d.]+ s, \d+ schedules/s, \d+ of \d+ "
            + "protocol states and steps reached: no schedule failed\n$", outcome.Out);
        Assert.Equal([coverage], Directory.EnumerateFileSystemEntries(folder));
        Assert.Contains("Protocol-state coverage", File.ReadAllText(coverage));
    }

    [Fact]
    public void Explore_must_stop_starting_schedules_at_the_time_limit()
    {
        var outcome = CliFixture.Run("explore", ExploreFiles.RoundTrip, "--schedules",
            "100000000", "--time-limit", "300ms");
        Assert.True(outcome.Exit == ExitCodes.Held, outcome.ToString());
        Assert.Contains("(stopped at the time limit, 0.3 s)", outcome.Out);
    }

    [Theory]
    [InlineData("--strategy", "pcq", "--strategy 'pcq' is not a strategy: random, pct, "
        + "round-robin; did you mean 'pct'?")]
    [InlineData("--depth", "3", "--depth goes with --strategy pct only")]
    [InlineData("--schedules", "0", "--schedules '0' is not a whole number from 1 to")]
    [InlineData("--workers", "-2", "--workers '-2' is not a whole number from 1 to 1024")]
    [InlineData("--time-limit", "5", "--time-limit '5': expected a duration")]
    [InlineData("--timers", "eager", "--timers 'eager' is not idle, due or race")]
    [InlineData("--faults", "crash 1", "--faults 'crash 1': 'crash' is not a link fault")]
    [InlineData("--faults", "drop 10% 0->5", "--faults 'drop 10% 0->5'")]
    [InlineData("--set", "request-timeout=soon", "--set request-timeout='soon'")]
    [InlineData("--seed", "x", "--seed 'x' is not a seed")]
    [InlineData("--inject", "crash, reboot", "--inject 'crash, reboot': 'reboot' is not a fault "
        + "to inject")]
    public void Explore_must_exit_2_on_bad_input_and_run_nothing(string option, string value,
        string error)
    {
        var folder = _files.PathOf("bad");
        var outcome = CliFixture.Run("explore", ExploreFiles.RacyRead, option, value, "--out",
            folder);
        Assert.True(outcome.Exit == ExitCodes.BadInput, outcome.ToString());
        Assert.Contains(error, outcome.Error);
        Assert.True(outcome.Out.Length == 0, outcome.ToString());
        Assert.False(Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder)
            .Any(), "bad input wrote something");
    }

    [Fact]
    public void Explore_must_exit_2_on_a_malformed_scenario_naming_its_line()
    {
        var bad = _files.Write("bad.hocon", CliFixture.Good.Replace("attach ap", "atach ap"));
        var outcome = CliFixture.Run("explore", bad);
        Assert.True(outcome.Exit == ExitCodes.BadInput, outcome.ToString());
        Assert.Contains($"bad input: {bad}:11:", outcome.Error);
    }

    [Theory]
    [InlineData("explore", "--strategy")]
    [InlineData("replay", "PATH")]
    public void Help_must_explain_explore_and_replay(string command, string word)
    {
        var help = CliFixture.Run("help", command);
        Assert.True(help.Exit == ExitCodes.Held, help.ToString());
        Assert.Equal(help, CliFixture.Run(command, "--help"));
        Assert.Contains(word, help.Out);
        Assert.Contains("explore", CliFixture.Run("--help").Out);
    }

    private static int SeedOf(CliFixture.Outcome outcome)
    {
        var match = System.Text.RegularExpressions.Regex.Match(outcome.Out,
            @"FAILED .*: schedule \d+ \(seed (-?\d+),");
        Assert.True(match.Success, outcome.ToString());
        return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static int Deviations(string schedule) =>
        JsonDocument.Parse(File.ReadAllText(schedule)).RootElement.GetProperty("deviations")
            .GetInt32();
}
