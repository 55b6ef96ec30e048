using Emulator.Host.Injection;
using Emulator.Host.Runner;
using Emulator.Partitions.Sim;

namespace Emulator.Host.Explore;

/// <summary>What a replay gave, and where it left its schedule, if it did.</summary>
public sealed record ReplayOutcome(ScheduleOutcome Outcome, string? Mismatch, string? TraceSha256)
{
    public RunResult Result => Outcome.Result;

    /// <summary>True when it ended as the schedule says: the same verdict and failure.</summary>
    public bool SameVerdictAs(Schedule schedule) =>
        ScheduleVerdicts.Same(Result, schedule.Verdict);
}

/// <summary>
/// Runs recorded schedules (<see cref="ReplayStrategy"/>): exactly, checking that the run took
/// every recorded decision and no other (<see cref="Exactly"/>), or as a candidate of a shrink,
/// recording what it did (<see cref="Record"/>).
/// </summary>
public static class Replayer
{
    /// <summary>
    /// Replays <paramref name="schedule"/>; the trace goes to <paramref name="traceFolder"/> (or
    /// stays in memory) and its sha256 is returned. The mismatch says how the run left the
    /// schedule: a choice it did not offer, a link draw of another kind, another number of
    /// decisions, another digest.
    /// </summary>
    public static ReplayOutcome Exactly(ScheduleRunner runner, Schedule schedule,
        string? traceFolder = null)
    {
        var strategy = new ReplayStrategy(schedule.Choices, schedule.Draws);
        var outcome = runner.Run(schedule.Seed, strategy, schedule.Timers,
            traceFolder: traceFolder, traceInMemory: true, leftOut: schedule.LeftOut,
            inject: Plan(schedule.Injected));
        var mismatch = strategy.Mismatch
            ?? InjectedMismatch(schedule.Injected, outcome.Injected)
            ?? (outcome.Decisions != schedule.Choices.Count
                ? $"the run made {outcome.Decisions} decisions, the schedule has "
                    + $"{schedule.Choices.Count}"
                : null)
            ?? (outcome.Digest != schedule.Digest
                ? $"the run's decisions differ from the schedule's (digest {outcome.Digest:x16}, "
                    + $"recorded {schedule.Digest:x16})"
                : null);
        var trace = outcome.Result.Trace is { } text ? ScheduleFile.Sha256(text) : null;
        return new ReplayOutcome(outcome, mismatch, trace);
    }

    /// <summary>
    /// Runs <paramref name="attempt"/>'s choices and draws as far as they fit (past them, the
    /// default order and fault-free draws), without its left-out steps, and records what the run
    /// did.
    /// </summary>
    public static ScheduleRun Record(ScheduleRunner runner, int seed, SimTimers timers,
        ScheduleTry attempt) =>
        Record(runner, seed, new ReplayStrategy(attempt.Choices, attempt.Draws), timers,
            leftOut: attempt.LeftOut, inject: Plan(attempt.Injected));

    /// <summary>Runs with <paramref name="strategy"/> (and <paramref name="inject"/>'s faults)
    /// and records the schedule it made.</summary>
    public static ScheduleRun Record(ScheduleRunner runner, int seed, SimStrategy strategy,
        SimTimers timers, string? traceFolder = null, IReadOnlyList<StepId>? leftOut = null,
        InjectionPlan? inject = null)
    {
        var recorder = new SimRecorder();
        var outcome = runner.Run(seed, strategy, timers, recorder, traceFolder,
            traceInMemory: traceFolder is not null, leftOut: leftOut, inject: inject);
        return new ScheduleRun([.. recorder.Choices], [.. recorder.Draws], outcome)
        {
            LeftOut = leftOut ?? [],
            Injected = outcome.Injected,
        };
    }

    /// <summary>The plan that applies <paramref name="injected"/> again; none for none, so a
    /// schedule without injections runs as it always did.</summary>
    private static ReplayedInjections? Plan(IReadOnlyList<Injection.Injection> injected) =>
        injected.Count > 0 ? new ReplayedInjections(injected) : null;

    /// <summary>What differs between the injections recorded and those the replay applied.
    /// </summary>
    private static string? InjectedMismatch(IReadOnlyList<Injection.Injection> recorded,
        IReadOnlyList<Injection.Injection> applied)
    {
        for (var i = 0; i < Math.Max(recorded.Count, applied.Count); i++)
        {
            var want = i < recorded.Count ? recorded[i] : null;
            var got = i < applied.Count ? applied[i] : null;
            if (want != got)
            {
                return $"injection {i + 1} is {want?.ToString() ?? "none"} in the schedule, "
                    + $"{got?.ToString() ?? "none"} here";
            }
        }
        return null;
    }
}
