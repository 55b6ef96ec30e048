// Proves explore's injected faults (--inject): each kind, drawn from a schedule's seed, is applied
// in the small round trip and leaves its mark in the trace (the crash, the restart, the packet
// lost on purpose, the extra release call); a step it upsets is excused, not failed; the schedule
// file keeps the injections and a replay on a fresh system applies them again, the same trace
// byte for byte; the text forms and the option's parser refuse what they do not know.
using Emulator.Host.Cli;
using Emulator.Host.Explore;
using Emulator.Host.Injection;
using Emulator.Partitions.Sim;
using Emulator.Protocol.Faults;
using Emulator.Protocol.Ids;
using Emulator.Tests.Cli;
using Xunit;

namespace Emulator.Tests.Explore;

public sealed class InjectedFaultsSpec : IDisposable
{
    /// <summary>About the deliveries of the round trip's run: where crashes are drawn.</summary>
    private const long Deliveries = 80;

    private readonly string _folder = Directory.CreateTempSubdirectory("inject-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(InjectKind.Crash, "\"kind\":\"partition_crashed\"")]
    [InlineData(InjectKind.Restart, "\"kind\":\"partition_restarted\"")]
    [InlineData(InjectKind.OwnerCrash, "\"kind\":\"step_excused\"")]
    [InlineData(InjectKind.ReplyDrop, "\"cause\":\"Injected\"")]
    [InlineData(InjectKind.ReleaseDuringFault, "\"location\":\"--inject\"")]
    public void An_injected_fault_must_happen_and_replay_the_same(InjectKind kind, string mark)
    {
        var scenario = Prepared(ExploreFiles.RoundTrip);
        using var runner = new ScheduleRunner(scenario.Scenario, scenario.AkkaConfig);
        var name = Injections.Name(kind);
        for (var seed = 1; seed <= 20; seed++)
        {
            var recorder = new SimRecorder();
            var plan = new DrawnInjections([kind], seed, partitions: 2, Deliveries);
            var outcome = runner.Run(seed, new RandomStrategy(), SimTimers.Idle, recorder,
                traceInMemory: true, inject: plan);
            if (outcome.Injected.Count == 0) continue;
            var trace = outcome.Result.Trace!;
            Assert.True(outcome.Injected.All(i => i.Kind == kind), $"seed {seed}: "
                + string.Join(", ", outcome.Injected));
            Assert.Contains($"\"kind\":\"fault_injected\",\"delivery\":"
                + $"{outcome.Injected[0].Delivery},\"fault\":\"{name}\"", trace);
            Assert.True(trace.Contains(mark, StringComparison.Ordinal),
                $"seed {seed}: no {mark} in the trace");
            Assert.True(outcome.Result.Passed, $"seed {seed}: {outcome.Result.Failure}");
            var schedule = Recorded(scenario, seed, recorder, outcome);
            var path = Path.Combine(_folder, $"{name}.json");
            ScheduleFile.Write(path, schedule);
            var read = ScheduleFile.Read(path);
            Assert.Equal(outcome.Injected, read.Injected);
            using var fresh = new ScheduleRunner(scenario.Scenario, scenario.AkkaConfig);
            var replay = Replayer.Exactly(fresh, read);
            Assert.True(replay.Mismatch is null, $"seed {seed}: {replay.Mismatch}");
            Assert.True(replay.Result.Trace == trace, $"seed {seed}: another trace");
            Assert.True(replay.SameVerdictAs(read), $"seed {seed}: {replay.Result.Failure}");
            return;
        }
        Assert.Fail($"no {name} was injected under seeds 1 to 20");
    }

    [Fact]
    public void Explore_must_record_its_injections_replay_them_and_shrink_them_away()
    {
        // The naive-order deadlock needs no injected fault: the shrinker must take them all.
        var file = Path.Combine(Examples.ExamplesSpec.RepositoryFolder(
            Path.Combine("Tests", "Suites")), "race-mutual-faults-with-writers.hocon");
        var outcome = CliFixture.Run("explore", file, "--set", "lock-order=naive", "--inject",
            "reply-drop, release-during-fault, owner-crash", "--workers", "1", "--out", _folder);
        Assert.True(outcome.Exit == ExitCodes.ScenarioFailed, outcome.ToString());
        Assert.Contains("after one, steps' outcomes are not judged", outcome.Out);
        var seed = outcome.OutLines.First(line => line.StartsWith("FAILED",
            StringComparison.Ordinal)).Split("(seed ")[1].Split(',')[0];
        var schedule = Path.Combine(_folder, $"seed-{seed}", "schedule.json");
        var shrunk = Path.Combine(_folder, $"seed-{seed}", "schedule.shrunk.json");
        var injected = ScheduleFile.Read(schedule).Injected;
        Assert.True(injected.Count > 0, $"seed {seed}: nothing injected: {outcome}");
        Assert.Contains($" -> 0 injected faults", outcome.Out);
        Assert.Empty(ScheduleFile.Read(shrunk).Injected);
        foreach (var path in new[] { schedule, shrunk })
        {
            var replay = CliFixture.Run("replay", path);
            Assert.True(replay.Exit == ExitCodes.ScenarioFailed, $"seed {seed}: {replay}");
            Assert.Contains("again (the same deliveries, trace and verdict as recorded)",
                replay.Out);
        }
    }

    [Fact]
    public void A_pin_stashed_behind_a_recall_must_not_outlive_its_crashed_partition()
    {
        // Found by explore --inject all (seed 141): the user's pin waited in the segment's stash
        // behind the owner's munmap recall while its partition crashed; served after the peer
        // was severed, it held the owner's mm for read for ever and the owner's next mmap hung.
        var file = Path.Combine(Examples.ExamplesSpec.RepositoryFolder(
            Path.Combine("Tests", "Suites")), "race-remap-loop-during-loads.hocon");
        var scenario = Prepared(file);
        using var runner = new ScheduleRunner(scenario.Scenario, scenario.AkkaConfig);
        var plan = new ReplayedInjections([new(49, InjectKind.Crash, 1),
            new(49, InjectKind.ReleaseDuringFault), new(551, InjectKind.Restart, 1)]);
        var outcome = runner.Run(141, new RandomStrategy(), SimTimers.Idle, inject: plan);
        Assert.True(outcome.Injected.Count >= 2, "seed 141: the crash and the release at "
            + $"delivery 49 did not happen: {string.Join(", ", outcome.Injected)}");
        Assert.True(outcome.Result.Passed, $"seed 141: {outcome.Result.Failure}");
    }

    [Fact]
    public void A_plan_that_injects_nothing_must_leave_the_run_as_it_was()
    {
        // Its crash is drawn past the run's last delivery: the file records no injection, and
        // its replay (which runs without a plan) must still be this run.
        var scenario = Prepared(ExploreFiles.RoundTrip);
        using var runner = new ScheduleRunner(scenario.Scenario, scenario.AkkaConfig);
        var plain = runner.Run(5, new RandomStrategy(), SimTimers.Idle, traceInMemory: true);
        var planned = runner.Run(5, new RandomStrategy(), SimTimers.Idle, traceInMemory: true,
            inject: new DrawnInjections([InjectKind.Crash], 5, partitions: 2, 1_000_000_000));
        Assert.Empty(planned.Injected);
        Assert.True(plain.Result.Trace == planned.Result.Trace, "seed 5: another trace");
    }

    [Fact]
    public void A_replay_without_an_injection_must_say_it_left_its_schedule()
    {
        var scenario = Prepared(ExploreFiles.RoundTrip);
        using var runner = new ScheduleRunner(scenario.Scenario, scenario.AkkaConfig);
        var recorder = new SimRecorder();
        var outcome = runner.Run(3, new RandomStrategy(), SimTimers.Idle, recorder,
            traceInMemory: true);
        // An injection at a delivery that is no pin cannot be applied: the replay says so.
        var schedule = Recorded(scenario, 3, recorder, outcome) with
        {
            Injected = [new Injection(1, InjectKind.ReplyDrop)],
        };
        var replay = Replayer.Exactly(runner, schedule);
        Assert.Equal("injection 1 is @1 reply-drop in the schedule, none here", replay.Mismatch);
    }

    [Fact]
    public void A_schedule_file_without_injections_must_read_as_none()
    {
        var scenario = Prepared(ExploreFiles.RoundTrip);
        var path = Path.Combine(_folder, "plain.json");
        ScheduleFile.Write(path, new Schedule
        {
            Scenario = scenario.Path, File = scenario.Name, ScenarioSha256 = scenario.Sha256,
            Build = "test", Seed = 1, Strategy = "random", Choices = [], Draws = [], Digest = 0,
            Deliveries = 0, Verdict = new ScheduleVerdict(true, null, null),
        });
        Assert.DoesNotContain("inject", File.ReadAllText(path));
        Assert.Empty(ScheduleFile.Read(path).Injected);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"deliveries\"",
            "\"inject\": [\"crash\"], \"injected\": [\"@5 crash\"], \"deliveries\""));
        var bad = Assert.Throws<ScheduleFileException>(() => ScheduleFile.Read(path));
        Assert.Equal($"{path}: \"injected\" item 1: '@5 crash': crash takes partition (pN)",
            bad.Message);
    }

    [Theory]
    [InlineData("@57 crash p1", "@57 crash p1")]
    [InlineData("@80  reply-drop", "@80 reply-drop")]
    [InlineData("@3 release-during-fault", "@3 release-during-fault")]
    [InlineData("57 crash p1", "'57 crash p1' is not @DELIVERY KIND [pN]")]
    [InlineData("@5 crush p1", "'crush' is not a fault to inject: crash, restart, owner-crash, "
        + "reply-drop, release-during-fault")]
    [InlineData("@5 reply-drop p1", "'@5 reply-drop p1': reply-drop takes no partition (pN)")]
    [InlineData("@5 restart q1", "'q1' is not a partition (p0, p1, ...)")]
    public void Injection_text_must_read_back_or_say_what_was_expected(string text,
        string expected)
    {
        var injection = Injections.Parse(text, out var error);
        Assert.Equal(expected, injection?.ToString() ?? error);
    }

    [Theory]
    [InlineData("crash", "crash")]
    [InlineData("reply-drop, crash,crash", "crash reply-drop")]
    [InlineData("all", "crash restart owner-crash reply-drop release-during-fault")]
    [InlineData("crahs", "'crahs' is not a fault to inject; did you mean 'crash'?")]
    [InlineData(" , ", "no fault given")]
    public void The_inject_option_must_take_kinds_or_say_what_is_wrong(string text,
        string expected)
    {
        var parsed = InjectOption.TryParse(text, out var kinds, out var error);
        Assert.Equal(expected, parsed ? string.Join(" ", kinds.Select(Injections.Name)) : error);
    }

    [Fact]
    public void A_pin_must_be_seen_only_where_it_reaches_a_segment()
    {
        var pin = new Fault.Pin(new RequestId(new PartitionId(1), 7), 0x1000,
            new TgId(new PartitionId(1), 100), 1, default, default, OwnerMm.Wait);
        var arrival = PinArrival.Of(["user", "machine", "p0", "tg-101", "seg-1"], pin);
        Assert.Equal(new PinArrival(new TgId(new PartitionId(0), 101), pin.Attacher,
            pin.RequestId), arrival);
        Assert.True(arrival!.Remote);
        Assert.Null(PinArrival.Of(["user", "machine", "p0", "tg-101", "fault-1"], pin));
        Assert.Null(PinArrival.Of(["user", "machine", "p0", "tg-101", "seg-1"], "not a pin"));
    }

    private static PreparedScenario Prepared(string path) =>
        PreparedScenario.Of(path, [], [], out var error)
            ?? throw new InvalidOperationException(error);

    private static Schedule Recorded(PreparedScenario scenario, int seed, SimRecorder recorder,
        ScheduleOutcome outcome) => new()
    {
        Scenario = scenario.Path,
        File = scenario.Name,
        ScenarioSha256 = scenario.Sha256,
        Build = "test",
        Seed = seed,
        Strategy = RandomStrategy.Key,
        Choices = [.. recorder.Choices],
        Draws = [.. recorder.Draws],
        Digest = outcome.Digest,
        Deliveries = outcome.Result.Summary.Messages,
        Verdict = ScheduleVerdicts.Of(outcome.Result),
        Inject = outcome.Injected.Count > 0 ? [Injections.Name(outcome.Injected[0].Kind)] : [],
        Injected = outcome.Injected,
    };
}
