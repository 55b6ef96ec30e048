using Emulator.Partitions.Sim;

namespace Emulator.Host.Explore;

/// <summary>A shrunk schedule, what it shrank from, and how many runs the shrinking took.
/// </summary>
public sealed record ShrinkResult(ScheduleRun Shrunk, ScheduleRun Original, int Runs);

/// <summary>A schedule as run: what was recorded, and how the run ended.</summary>
public sealed record ScheduleRun(IReadOnlyList<int> Choices, IReadOnlyList<LinkDraw> Draws,
    ScheduleOutcome Outcome)
{
    public int Deviations => Choices.Count(choice => choice != 0);

    public int FaultDraws => Draws.Count(draw => draw.IsFault);

    /// <summary>The faults injected into the run (explore's <c>--inject</c>), in order.</summary>
    public IReadOnlyList<Injection.Injection> Injected { get; init; } = [];
}

/// <summary>What a shrink's candidate runs: choices, link draws and injections.</summary>
public sealed record ShrinkCandidate(IReadOnlyList<int> Choices, IReadOnlyList<LinkDraw> Draws,
    IReadOnlyList<Injection.Injection> Injected);

/// <summary>
/// Shrinks a failing schedule to one that fails the same way (<see cref="FailureSignature"/>)
/// with fewer injected faults, fewer link faults and fewer decisions off the default order (each
/// one a preemption of the first-come order), by delta debugging (Zeller's ddmin, removal only): first every fault
/// and every deviation at once, then halves, quarters... of what is left, keeping each removal
/// after which the run still fails. A candidate runs as a lenient replay and what it actually did
/// is recorded, so each kept step is a real schedule (choices the run no longer reaches vanish,
/// and it may shed more than was asked). Bounded by a number of runs and a wall-clock budget.
/// </summary>
public sealed class Shrinker(Func<ShrinkCandidate, ScheduleRun> run, int runsMax, TimeSpan budget)
{
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private int _runs;

    private bool Spent => _runs >= runsMax || _clock.Elapsed >= budget;

    public static ShrinkResult Shrink(ScheduleRun failing, Func<ShrinkCandidate, ScheduleRun> run,
        int runsMax, TimeSpan budget)
    {
        var shrinker = new Shrinker(run, runsMax, budget);
        var shrunk = shrinker.Injections(failing);
        shrunk = shrinker.Faults(shrunk);
        shrunk = shrinker.Deviations(shrunk);
        return new ShrinkResult(shrunk, failing, shrinker._runs);
    }

    /// <summary>Injected faults: a candidate goes without some of them.</summary>
    private ScheduleRun Injections(ScheduleRun current) => Minimize(current,
        schedule => [.. Enumerable.Range(0, schedule.Injected.Count)],
        (schedule, drop) => new(schedule.Choices, schedule.Draws,
            [.. schedule.Injected.Where((_, i) => !drop.Contains(i))]));

    private ScheduleRun Faults(ScheduleRun current) => Minimize(current,
        schedule => [.. Enumerable.Range(0, schedule.Draws.Count)
            .Where(i => schedule.Draws[i].IsFault)],
        (schedule, drop) => new(schedule.Choices, [.. schedule.Draws.Select((draw, i) =>
            drop.Contains(i) ? draw with { Value = 0 } : draw)], schedule.Injected));

    private ScheduleRun Deviations(ScheduleRun current) => Minimize(current,
        schedule => [.. Enumerable.Range(0, schedule.Choices.Count)
            .Where(i => schedule.Choices[i] != 0)],
        (schedule, drop) => new([.. schedule.Choices.Select((choice, i) =>
            drop.Contains(i) ? 0 : choice)], schedule.Draws, schedule.Injected));

    /// <summary>
    /// ddmin over the positions <paramref name="positions"/> finds: tries to remove a chunk
    /// (<paramref name="without"/>), keeps the run if it still fails the same way.
    /// </summary>
    private ScheduleRun Minimize(ScheduleRun current,
        Func<ScheduleRun, IReadOnlyList<int>> positions,
        Func<ScheduleRun, HashSet<int>, ShrinkCandidate> without)
    {
        var signature = FailureSignature.Of(current.Outcome.Result);
        var chunks = 1;
        while (!Spent)
        {
            var left = positions(current);
            if (left.Count == 0) return current;
            chunks = Math.Min(chunks, left.Count);
            var size = (left.Count + chunks - 1) / chunks;
            var shrank = false;
            for (var start = 0; start < left.Count && !Spent; start += size)
            {
                var drop = left.Skip(start).Take(size).ToHashSet();
                _runs++;
                var candidate = run(without(current, drop));
                if (candidate.Outcome.Result.Passed
                    || FailureSignature.Of(candidate.Outcome.Result) != signature) continue;
                if (positions(candidate).Count >= left.Count) continue;
                current = candidate;
                shrank = true;
                break;
            }
            if (shrank)
            {
                chunks = Math.Max(chunks - 1, 1);
                continue;
            }
            if (chunks >= left.Count) return current;
            chunks = Math.Min(chunks * 2, left.Count);
        }
        return current;
    }
}
