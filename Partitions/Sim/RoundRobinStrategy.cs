namespace Emulator.Partitions.Sim;

/// <summary>
/// A fair schedule for long runs: the mailbox that has waited longest since it became ready runs
/// first (an actor that still has messages after its turn goes to the back), and a timer whose
/// due time has come fires before any of them. No ready actor waits for more turns than there are
/// ready actors, and no seed is drawn: every run of a scenario is the same, and it is the default
/// order that recorded schedules are written against.
/// </summary>
public sealed class RoundRobinStrategy : SimStrategy
{
    public const string Key = "round-robin";

    public override string Name => Key;

    public override void Begin(int seed)
    {
    }

    public override int Choose(SimOffer offer) =>
        offer.TimerOffered && offer.TimerIsDue ? offer.TimerOption : offer.Oldest;
}
