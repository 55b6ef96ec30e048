using Emulator.Host.Scenarios;
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

    /// <summary>The file's steps the run left out (in file order); none unless shrunk.</summary>
    public IReadOnlyList<StepId> LeftOut { get; init; } = [];

    /// <summary>The faults injected into the run (explore's <c>--inject</c>), in order.</summary>
    public IReadOnlyList<Injection.Injection> Injected { get; init; } = [];

    /// <summary>This run as a shrink's candidate, before anything is taken away.</summary>
    public ScheduleTry AsTry() => new(Choices, Draws, LeftOut) { Injected = Injected };
}

/// <summary>A candidate of a shrink, to run: its decisions, link draws and left-out steps.
/// </summary>
public sealed record ScheduleTry(IReadOnlyList<int> Choices, IReadOnlyList<LinkDraw> Draws,
    IReadOnlyList<StepId> LeftOut)
{
    /// <summary>The faults to inject (explore's <c>--inject</c>), in order.</summary>
    public IReadOnlyList<Injection.Injection> Injected { get; init; } = [];
}

/// <summary>
/// Shrinks a failing schedule to one that fails the same way (<see cref="FailureSignature"/>) with
/// fewer steps of the scenario, fewer injected faults, fewer link faults and fewer decisions off
/// the default order (each one a preemption of the first-come order), by delta debugging (Zeller's
/// ddmin, removal only): first every piece at once, then halves, quarters... of what is left,
/// keeping each removal after which the run still fails. The passes go steps, injected faults, link
/// faults, decisions, and start over while one of them took something away. Steps go as <see
/// cref="StepCut"/> pieces (blocks, branches, single steps), never the step the failure happens at,
/// and never so that a kept step loses a name it uses (that cut is not even run). A candidate runs
/// as a lenient replay and what it actually did is recorded, so each kept step is a real schedule
/// (choices the run no longer reaches vanish, and it may shed more than was asked). Bounded by a
/// number of runs and a wall-clock budget.
/// </summary>
public sealed class Shrinker(Func<ScheduleTry, ScheduleRun> run, int runsMax, TimeSpan budget)
{
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private int _runs;

    private bool Spent => _runs >= runsMax || _clock.Elapsed >= budget;

    /// <summary>Shrinks <paramref name="failing"/>, a run of <paramref name="scenario"/> (null:
    /// keep every step).</summary>
    public static ShrinkResult Shrink(ScheduleRun failing, Scenario? scenario,
        Func<ScheduleTry, ScheduleRun> run, int runsMax, TimeSpan budget)
    {
        var shrinker = new Shrinker(run, runsMax, budget);
        var pieces = scenario is null ? []
            : StepCut.Pieces(scenario, failing.Outcome.Result.FailedStep?.Location);
        var shrunk = failing;
        while (!shrinker.Spent)
        {
            var before = Size(shrunk);
            if (scenario is not null) shrunk = shrinker.Steps(shrunk, scenario, pieces);
            shrunk = shrinker.Injections(shrunk);
            shrunk = shrinker.Faults(shrunk);
            shrunk = shrinker.Deviations(shrunk);
            if (Size(shrunk) == before) break;
        }
        return new ShrinkResult(shrunk, failing, shrinker._runs);
    }

    private static (int, int, int, int) Size(ScheduleRun run) =>
        (run.LeftOut.Count, run.Injected.Count, run.FaultDraws, run.Deviations);

    private ScheduleRun Steps(ScheduleRun current, Scenario scenario,
        IReadOnlyList<IReadOnlySet<StepId>> pieces) => Minimize(current,
        schedule => [.. Enumerable.Range(0, pieces.Count)
            .Where(i => !pieces[i].IsSubsetOf(schedule.LeftOut))],
        (schedule, drop) =>
        {
            var leftOut = drop.SelectMany(i => pieces[i]).Concat(schedule.LeftOut).ToHashSet();
            return StepCut.Unbound(scenario, leftOut) is null
                ? schedule.AsTry() with { LeftOut = [.. leftOut.Order()] }
                : null;
        });

    /// <summary>Injected faults: a candidate goes without some of them.</summary>
    private ScheduleRun Injections(ScheduleRun current) => Minimize(current,
        schedule => [.. Enumerable.Range(0, schedule.Injected.Count)],
        (schedule, drop) => schedule.AsTry() with
        {
            Injected = [.. schedule.Injected.Where((_, i) => !drop.Contains(i))],
        });

    private ScheduleRun Faults(ScheduleRun current) => Minimize(current,
        schedule => [.. Enumerable.Range(0, schedule.Draws.Count)
            .Where(i => schedule.Draws[i].IsFault)],
        (schedule, drop) => schedule.AsTry() with
        {
            Draws = [.. schedule.Draws.Select((draw, i) =>
                drop.Contains(i) ? draw with { Value = 0 } : draw)],
        });

    private ScheduleRun Deviations(ScheduleRun current) => Minimize(current,
        schedule => [.. Enumerable.Range(0, schedule.Choices.Count)
            .Where(i => schedule.Choices[i] != 0)],
        (schedule, drop) => schedule.AsTry() with
        {
            Choices = [.. schedule.Choices.Select((choice, i) => drop.Contains(i) ? 0 : choice)],
        });

    /// <summary>
    /// ddmin over the positions <paramref name="positions"/> finds: tries to remove a chunk
    /// (<paramref name="without"/>; null: a candidate not worth a run), keeps the run if it still
    /// fails the same way.
    /// </summary>
    private ScheduleRun Minimize(ScheduleRun current,
        Func<ScheduleRun, IReadOnlyList<int>> positions,
        Func<ScheduleRun, HashSet<int>, ScheduleTry?> without)
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
                if (without(current, drop) is not { } attempt) continue;
                _runs++;
                var candidate = run(attempt) with { LeftOut = attempt.LeftOut };
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
