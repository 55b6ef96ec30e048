// Proves that a recorded schedule replays exactly: examples run with link faults under each
// strategy and timer mode, recorded on a system that ran another schedule first, then replayed
// on a fresh system; the replay must take every recorded decision (no mismatch, the same
// digest), draw the same link faults and write the same trace, byte for byte.
using Emulator.Host.Explore;
using Emulator.Partitions.Sim;
using Xunit;

namespace Emulator.Tests.Explore;

public sealed class RecordReplaySpec
{
    private const string Faults = "drop 20%, duplicate 20%, delay 10us..1ms";

    public static TheoryData<string, string, string, SimTimers, int> Runs() => new()
    {
        { "cross-partition-owner-exit.hocon", Faults, "random", SimTimers.Idle, 3 },
        { "lossy-links.hocon", "", "pct", SimTimers.Due, 4 },
        { "parallel-cross-faults.hocon", Faults, "pct", SimTimers.Race, 5 },
        { "parallel-cross-faults.hocon", Faults, "round-robin", SimTimers.Due, 6 },
        { "partition-crash.hocon", Faults, "random", SimTimers.Due, 7 },
        { "partition-restart.hocon", Faults, "pct", SimTimers.Idle, 8 },
        { "partition-cut.hocon", Faults, "round-robin", SimTimers.Race, 10 },
        { "quickstart.hocon", "", "pct", SimTimers.Race, 11 },
        { "munmap-invalidates.hocon", Faults, "random", SimTimers.Race, 9 },
    };

    [Theory]
    [MemberData(nameof(Runs))]
    public void Replay_must_take_the_same_decisions_and_write_the_same_trace(string file,
        string faults, string strategyName, SimTimers timers, int seed)
    {
        var path = Examples.ExamplesSpec.RepositoryFolder(Path.Combine("examples", file));
        var faultList = faults.Length == 0 ? [] : faults.Split(", ");
        var scenario = PreparedScenario.Of(path, faultList, [], out var error)
            ?? throw new InvalidOperationException(error);
        var plan = new StrategyPlan(strategyName, Depth: 3, EstimatedSteps: 500);
        var what = $"{file} seed {seed} {plan} timers {timers}";
        var recorder = new SimRecorder();
        ScheduleOutcome recorded;
        using (var reused = new ScheduleRunner(scenario.Scenario, scenario.AkkaConfig))
        {
            reused.Run(seed + 100, plan.Create(), timers);
            recorded = reused.Run(seed, plan.Create(), timers, recorder, traceInMemory: true);
        }
        var schedule = new Schedule
        {
            Scenario = scenario.Path,
            File = scenario.Name,
            ScenarioSha256 = scenario.Sha256,
            Build = "test",
            Seed = seed,
            Strategy = plan.Name,
            Timers = timers,
            Choices = [.. recorder.Choices],
            Draws = [.. recorder.Draws],
            Digest = recorded.Digest,
            Deliveries = recorded.Result.Summary.Messages,
            Verdict = ScheduleVerdicts.Of(recorded.Result),
        };
        Assert.True(schedule.Choices.Count > 0, $"{what}: no decision recorded");
        if (faultList.Length > 0)
            Assert.True(schedule.FaultDraws > 0, $"{what}: no link fault drawn");
        using var fresh = new ScheduleRunner(scenario.Scenario, scenario.AkkaConfig);
        var replay = Replayer.Exactly(fresh, schedule);
        Assert.True(replay.Mismatch is null, $"{what}: {replay.Mismatch}");
        Assert.True(replay.Result.Trace == recorded.Result.Trace, $"{what}: another trace");
        Assert.True(replay.SameVerdictAs(schedule), $"{what}: {replay.Result.Failure}");
    }
}
