using Emulator.Host.Scenarios;
using Emulator.Partitions.Xpc;
using Emulator.Protocol.Ids;

namespace Emulator.Host.Machines;

/// <summary>
/// The link fault commands, applied to a machine's <see cref="XpcLink"/> the same way in every
/// mode (in <c>sim</c> the link's choices come from the run's seed; in <c>live</c> too, but the
/// order in which packets ask for them does not).
/// </summary>
public static class LinkFaults
{
    /// <summary>
    /// Sets a link fault from now on: <c>drop</c>, <c>delay</c>, <c>duplicate</c> (on one
    /// direction or every link), <c>cut</c>, <c>heal</c>. False for a command that is no link
    /// fault (the driver handles it, or refuses it).
    /// </summary>
    public static bool TryApply(XpcLink link, Command fault)
    {
        switch (fault)
        {
            case DropCommand drop:
                link.Drop(drop.RatePercent / 100, Direction(drop.Link));
                return true;
            case DuplicateCommand duplicate:
                link.Duplicate(duplicate.RatePercent / 100, Direction(duplicate.Link));
                return true;
            case DelayCommand delay:
                link.Delay(delay.Min, delay.Max, Direction(delay.Link));
                return true;
            case CutCommand cut:
                link.Cut(new PartitionId(cut.P), new PartitionId(cut.Q));
                return true;
            case HealCommand heal:
                link.Heal(new PartitionId(heal.P), new PartitionId(heal.Q));
                return true;
            default:
                return false;
        }
    }

    private static LinkDirection? Direction(Link? link) => link is null ? null
        : new LinkDirection(new PartitionId(link.From), new PartitionId(link.To));
}
