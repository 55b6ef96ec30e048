using Emulator.Host.Scenarios;
using Emulator.Partitions.Xpc;

namespace Emulator.Host.Machines;

/// <summary>
/// The link fault commands, applied to a machine's <see cref="XpcLink"/> the same way in every
/// mode (in <c>sim</c> the link's choices come from the run's seed; in <c>live</c> too, but the
/// order in which packets ask for them does not; in <c>cluster</c> every node applies it to its
/// own link).
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
        if (Of(fault) is not { } linkFault) return false;
        linkFault.ApplyTo(link);
        return true;
    }

    /// <summary>The command as a <see cref="LinkFault"/>; null for any other command.</summary>
    public static LinkFault? Of(Command fault) => fault switch
    {
        DropCommand drop => Directed(LinkFaultKind.Drop, drop.Link) with
        {
            Rate = drop.RatePercent / 100,
        },
        DuplicateCommand duplicate => Directed(LinkFaultKind.Duplicate, duplicate.Link) with
        {
            Rate = duplicate.RatePercent / 100,
        },
        DelayCommand delay => Directed(LinkFaultKind.Delay, delay.Link) with
        {
            Min = delay.Min,
            Max = delay.Max,
        },
        CutCommand cut => new LinkFault(LinkFaultKind.Cut, cut.P, cut.Q),
        HealCommand heal => new LinkFault(LinkFaultKind.Heal, heal.P, heal.Q),
        _ => null,
    };

    private static LinkFault Directed(LinkFaultKind kind, Link? link) =>
        link is null ? new LinkFault(kind) : new LinkFault(kind, link.From, link.To);
}
