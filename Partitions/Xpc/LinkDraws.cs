namespace Emulator.Partitions.Xpc;

/// <summary>
/// The random choices an <see cref="XpcLink"/> makes for the packets it carries under a fault:
/// whether a copy is lost or duplicated (<see cref="Happens"/>), and how long it is delayed
/// (<see cref="Between"/>). This class draws them from a seeded <see cref="Random"/>; the sim's
/// explorer records them, plays them back and shrinks them (a lost packet that need not be lost)
/// through subclasses. Called under the link's lock, in the order packets are decided.
/// </summary>
public class LinkDraws
{
    private readonly Random? _random;

    /// <summary>Draws from <paramref name="seed"/>'s stream.</summary>
    public LinkDraws(int seed) => _random = new Random(seed);

    /// <summary>For a subclass that decides every draw itself.</summary>
    protected LinkDraws()
    {
    }

    /// <summary>The seed a link of a run seeded with <paramref name="runSeed"/> draws from: its
    /// own stream, so its choices and the scheduler's do not move in step.</summary>
    public static int SeedForRun(int runSeed) =>
        unchecked((int)((uint)runSeed * 0x9E3779B9u ^ 0x5851F42Du));

    /// <summary>True with probability <paramref name="rate"/> (more than 0, at most 1).</summary>
    public virtual bool Happens(double rate) => Stream.NextDouble() < rate;

    /// <summary>A time from <paramref name="min"/> to <paramref name="max"/>, both included
    /// (<paramref name="min"/> is less than <paramref name="max"/>).</summary>
    public virtual TimeSpan Between(TimeSpan min, TimeSpan max) =>
        min + TimeSpan.FromTicks(Stream.NextInt64(0, (max - min).Ticks + 1));

    private Random Stream => _random
        ?? throw new InvalidOperationException($"{GetType().Name} must decide every draw itself.");
}
