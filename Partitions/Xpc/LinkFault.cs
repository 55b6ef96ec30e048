using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Xpc;

/// <summary>What a link fault does (the fault commands of the scenario language).</summary>
public enum LinkFaultKind
{
    Drop = 1,
    Duplicate,
    Delay,
    Cut,
    Heal,
}

/// <summary>
/// One link fault as data, so a driver can send it to every node of a cluster run and each
/// applies it to its own <see cref="XpcLink"/>: <see cref="Rate"/> (0 to 1) for drop and
/// duplicate, <see cref="Min"/>..<see cref="Max"/> for delay; on the direction
/// <see cref="From"/> to <see cref="To"/>, or on every link when both are -1; cut and heal name
/// the pair either way.
/// </summary>
public sealed record LinkFault(LinkFaultKind Kind, int From = -1, int To = -1, double Rate = 0,
    TimeSpan Min = default, TimeSpan Max = default)
{
    /// <summary>Sets the fault on <paramref name="link"/> from now on.</summary>
    public void ApplyTo(XpcLink link)
    {
        var direction = From < 0 ? (LinkDirection?)null
            : new LinkDirection(new PartitionId(From), new PartitionId(To));
        switch (Kind)
        {
            case LinkFaultKind.Drop:
                link.Drop(Rate, direction);
                break;
            case LinkFaultKind.Duplicate:
                link.Duplicate(Rate, direction);
                break;
            case LinkFaultKind.Delay:
                link.Delay(Min, Max, direction);
                break;
            case LinkFaultKind.Cut:
                link.Cut(new PartitionId(From), new PartitionId(To));
                break;
            case LinkFaultKind.Heal:
                link.Heal(new PartitionId(From), new PartitionId(To));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "no such link fault");
        }
    }
}
