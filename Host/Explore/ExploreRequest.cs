using Emulator.Host.Injection;
using Emulator.Partitions.Sim;

namespace Emulator.Host.Explore;

/// <summary>What <c>explore</c> was asked: the file and options as the user gave them.</summary>
public sealed record ExploreRequest(string File)
{
    public const long SchedulesDefault = 1000;

    /// <summary><c>--schedules N</c>: how many schedules to run at most.</summary>
    public long Schedules { get; init; } = SchedulesDefault;

    /// <summary><c>--strategy</c> and <c>--depth</c>.</summary>
    public StrategyPlan Strategy { get; init; } = StrategyPlan.Random;

    /// <summary><c>--seed S</c>: schedule i runs under S + i (default: the file's seed, or 1).
    /// </summary>
    public int? Seed { get; init; }

    /// <summary><c>--workers W</c> (default: every core).</summary>
    public int? Workers { get; init; }

    /// <summary><c>--time-limit T</c>: no schedule starts after T.</summary>
    public TimeSpan? TimeLimit { get; init; }

    /// <summary><c>--timers</c>: when a timer may go before ready work.</summary>
    public SimTimers Timers { get; init; } = SimTimers.Idle;

    /// <summary><c>--faults LIST</c>: link faults every schedule starts with.</summary>
    public IReadOnlyList<string> Faults { get; init; } = [];

    /// <summary><c>--inject LIST</c>: the faults each schedule injects, drawn from its seed.
    /// </summary>
    public IReadOnlyList<InjectKind> Inject { get; init; } = [];

    /// <summary><c>--set KEY=VALUE</c>: emulator settings for every schedule.</summary>
    public IReadOnlyList<string> Overrides { get; init; } = [];

    /// <summary><c>--out DIR</c>: where a failing schedule and its trace go.</summary>
    public string? Out { get; init; }

    /// <summary><c>--no-shrink</c>: write the failing schedule only.</summary>
    public bool NoShrink { get; init; }
}
