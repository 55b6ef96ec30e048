namespace Emulator.Partitions.Sim;

/// <summary>
/// Each step an option drawn evenly from the seed's <see cref="Random"/>: the sim's schedule
/// since its first day. With timers <see cref="SimTimers.Idle"/> it draws exactly what the loop
/// always drew, so a seed gives the run (and the trace) it always gave. A timer offered before
/// its time (<see cref="SimTimers.Race"/>) is taken at one decision in
/// <see cref="EarlyTimerOdds"/> only: each early timer moves the clock on, and taken as often as
/// a mailbox, they would run every peer's clock past its heartbeats within a few steps.
/// </summary>
public sealed class RandomStrategy : SimStrategy
{
    public const string Key = "random";

    /// <summary>One decision in this many takes a timer offered before its time.</summary>
    public const int EarlyTimerOdds = 16;

    private Random _random = new(0);

    public override string Name => Key;

    public override void Begin(int seed) => _random = new Random(seed);

    public override int Choose(SimOffer offer)
    {
        if (!offer.TimerOffered || offer.TimerIsDue) return _random.Next(offer.Count);
        return _random.Next(EarlyTimerOdds) == 0 ? offer.TimerOption : _random.Next(offer.Ready);
    }
}
