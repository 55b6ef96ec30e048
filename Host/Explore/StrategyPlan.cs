using Emulator.Partitions.Sim;

namespace Emulator.Host.Explore;

/// <summary>
/// Which strategy an explore runs its schedules with, and pct's depth and estimated decisions
/// (measured on one run before the search: see <see cref="Explorer"/>).
/// </summary>
public sealed record StrategyPlan(string Name, int Depth = StrategyPlan.DepthDefault,
    long EstimatedSteps = 1)
{
    public const int DepthDefault = 3;

    /// <summary>The strategies <c>--strategy</c> takes.</summary>
    public static readonly IReadOnlyList<string> Names =
        [RandomStrategy.Key, PctStrategy.Key, RoundRobinStrategy.Key];

    public static readonly StrategyPlan Random = new(RandomStrategy.Key);

    public bool IsPct => Name == PctStrategy.Key;

    /// <summary>A new strategy of this plan (one per worker: it begins again for each run).
    /// </summary>
    public SimStrategy Create() => Name switch
    {
        RandomStrategy.Key => new RandomStrategy(),
        PctStrategy.Key => new PctStrategy(Depth, EstimatedSteps),
        RoundRobinStrategy.Key => new RoundRobinStrategy(),
        _ => throw new ArgumentOutOfRangeException(nameof(Name), Name, "no such strategy"),
    };

    /// <summary>How the output names it: "pct depth 3", "random".</summary>
    public override string ToString() => IsPct ? $"{Name} depth {Depth}" : Name;
}
