using Emulator.Partitions.Xpc;

namespace Emulator.Partitions.Sim;

/// <summary>
/// How the <see cref="SimLoop"/> chooses, at each step, which ready mailbox runs (or whether the
/// earliest timer fires, when it is offered), and what the run's link faults draw. A strategy
/// starts over for every run (<see cref="Begin"/>, from the run's seed), so a run is decided by
/// its seed and strategy alone. Called on the loop's thread under the loop's lock: no Akka, no
/// waiting, nothing allocated per step.
/// </summary>
public abstract class SimStrategy
{
    /// <summary>Its name on the command line and in schedule files.</summary>
    public abstract string Name { get; }

    /// <summary>A run starts, seeded with <paramref name="seed"/>.</summary>
    public abstract void Begin(int seed);

    /// <summary>
    /// Picks one of <paramref name="offer"/>'s options: 0 to <see cref="SimOffer.Count"/> - 1.
    /// Called at every step, also when there is one option.
    /// </summary>
    public abstract int Choose(SimOffer offer);

    /// <summary>
    /// The draws the link of a run seeded with <paramref name="runSeed"/> makes for its faults:
    /// by default the run's own link stream (the one <c>run</c> has always used).
    /// </summary>
    public virtual LinkDraws LinkDraws(int runSeed) => new(Xpc.LinkDraws.SeedForRun(runSeed));
}
