using Emulator.Partitions.Sim;

namespace Emulator.Host.Explore;

/// <summary>
/// One recorded run of a scenario in sim mode, everything its replay needs: the scenario (path
/// and the sha256 of its text, so a changed file is refused), the <c>--set</c> overrides and
/// <c>--faults</c> it ran with, the seed, the strategy that made the schedule, and the schedule
/// itself (every decision, counted from the default order's option, and every link draw), with
/// what the run gave (its decisions' digest, its deliveries, its trace's sha256, its verdict),
/// against which a replay is checked.
/// </summary>
public sealed record Schedule
{
    /// <summary>The scenario file, as a full path.</summary>
    public required string Scenario { get; init; }

    /// <summary>The scenario file as the explore was given it: its runs' messages name it so.
    /// </summary>
    public required string File { get; init; }

    public required string ScenarioSha256 { get; init; }

    /// <summary>The build that recorded it (<see cref="Program.Version"/>).</summary>
    public required string Build { get; init; }

    public IReadOnlyList<string> Overrides { get; init; } = [];

    public IReadOnlyList<string> Faults { get; init; } = [];

    public required int Seed { get; init; }

    /// <summary>What made the schedule: random, pct, round-robin (replay keeps it).</summary>
    public required string Strategy { get; init; }

    /// <summary>pct's depth and estimated decisions; null for the others.</summary>
    public int? Depth { get; init; }

    public long? EstimatedSteps { get; init; }

    public SimTimers Timers { get; init; } = SimTimers.Idle;

    /// <summary>Which schedule of its explore it was (0 is the first); null when shrunk.</summary>
    public long? Index { get; init; }

    /// <summary>The schedule file this one was shrunk from, if it was.</summary>
    public string? ShrunkFrom { get; init; }

    public required IReadOnlyList<int> Choices { get; init; }

    public required IReadOnlyList<LinkDraw> Draws { get; init; }

    /// <summary>The loop's digest of every decision (<see cref="SimLoop.ScheduleDigest"/>).
    /// </summary>
    public required ulong Digest { get; init; }

    public required long Deliveries { get; init; }

    /// <summary>The sha256 of the run's trace (trace.jsonl), when one was written.</summary>
    public string? TraceSha256 { get; init; }

    public required ScheduleVerdict Verdict { get; init; }

    /// <summary>The explore's <c>--inject</c> kinds (none: no fault was injected).</summary>
    public IReadOnlyList<string> Inject { get; init; } = [];

    /// <summary>The faults injected into the run, in order: a replay applies them again.
    /// </summary>
    public IReadOnlyList<Injection.Injection> Injected { get; init; } = [];

    /// <summary>
    /// The file's command steps the run leaves out, in file order (a shrunk schedule); empty for
    /// every schedule explore finds, and for files written before steps were shrunk.
    /// </summary>
    public IReadOnlyList<StepId> LeftOut { get; init; } = [];

    /// <summary>Decisions that did not take the default order's option.</summary>
    public int Deviations => Choices.Count(choice => choice != 0);

    /// <summary>Link draws that did what a fault-free link would not have.</summary>
    public int FaultDraws => Draws.Count(draw => draw.IsFault);
}

/// <summary>How a recorded run ended: held, or its failure (cause and message).</summary>
public sealed record ScheduleVerdict(bool Passed, string? Cause, string? Failure);
