namespace Emulator.Partitions.Sim;

/// <summary>
/// Each step an option drawn evenly from the seed's <see cref="Random"/>: the sim's schedule
/// since its first day. With timers <see cref="SimTimers.Idle"/> it draws exactly what the loop
/// always drew, so a seed gives the run (and the trace) it always gave.
/// </summary>
public sealed class RandomStrategy : SimStrategy
{
    public const string Key = "random";

    private Random _random = new(0);

    public override string Name => Key;

    public override void Begin(int seed) => _random = new Random(seed);

    public override int Choose(SimOffer offer) => _random.Next(offer.Count);
}
