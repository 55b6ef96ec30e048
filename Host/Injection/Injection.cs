using System.Globalization;

namespace Emulator.Host.Injection;

/// <summary>The faults <c>explore --inject</c> chooses per schedule (docs/exploring.md).</summary>
public enum InjectKind
{
    /// <summary>A partition crashes after a delivery drawn from the seed.</summary>
    Crash = 1,

    /// <summary>A partition crashed by <see cref="Crash"/> (or, alone, a running one: a reboot)
    /// restarts some deliveries later.</summary>
    Restart,

    /// <summary>Aimed: the owner's partition crashes as a fault's pin reaches its segment.
    /// </summary>
    OwnerCrash,

    /// <summary>Aimed: the link loses the packet carrying a remote fault's pin reply (XPC
    /// retransmits it).</summary>
    ReplyDrop,

    /// <summary>Aimed: the attacher releases the permit its attachment came from while the
    /// attachment's fault is in flight.</summary>
    ReleaseDuringFault,
}

/// <summary>
/// One injected fault as a schedule records it: what (<see cref="Kind"/>), when (as delivery
/// <see cref="Delivery"/> of the run is handed to its actor) and on which partition (crashes and
/// restarts; null for the aimed faults whose target the delivery names). Text:
/// <c>@57 crash p1</c>, <c>@80 reply-drop</c>.
/// </summary>
public sealed record Injection(long Delivery, InjectKind Kind, int? Partition = null)
{
    public override string ToString() =>
        $"@{Delivery} {Injections.Name(Kind)}{(Partition is { } p ? $" p{p}" : "")}";
}

/// <summary>The kinds' names, and injections read back from their text.</summary>
public static class Injections
{
    /// <summary>Every kind's name, in the order the docs give them.</summary>
    public static readonly IReadOnlyList<string> Names =
        ["crash", "restart", "owner-crash", "reply-drop", "release-during-fault"];

    /// <summary>The kinds aimed at a fault in flight, in the order a plan offers them.</summary>
    public static readonly IReadOnlyList<InjectKind> Aimed =
        [InjectKind.OwnerCrash, InjectKind.ReplyDrop, InjectKind.ReleaseDuringFault];

    public static string Name(InjectKind kind) => Names[(int)kind - 1];

    public static InjectKind? KindOf(string name)
    {
        for (var index = 0; index < Names.Count; index++)
        {
            if (Names[index] == name) return (InjectKind)(index + 1);
        }
        return null;
    }

    /// <summary>True for the kinds that take a partition (the crashes and restarts).</summary>
    public static bool TakesPartition(InjectKind kind) => kind is InjectKind.Crash
        or InjectKind.Restart or InjectKind.OwnerCrash;

    /// <summary>
    /// An injection from its text (<see cref="Injection.ToString"/>); null, with
    /// <paramref name="error"/> saying what was expected, when it is not one.
    /// </summary>
    public static Injection? Parse(string text, out string error)
    {
        error = "";
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length is < 2 or > 3 || !words[0].StartsWith('@')
            || !long.TryParse(words[0][1..], NumberStyles.None, CultureInfo.InvariantCulture,
                out var delivery))
        {
            error = $"'{text}' is not @DELIVERY KIND [pN]";
            return null;
        }
        if (KindOf(words[1]) is not { } kind)
        {
            error = $"'{words[1]}' is not a fault to inject: {string.Join(", ", Names)}";
            return null;
        }
        if (TakesPartition(kind) != (words.Length == 3))
        {
            error = $"'{text}': {words[1]} {(TakesPartition(kind) ? "takes" : "takes no")} "
                + "partition (pN)";
            return null;
        }
        int? partition = null;
        if (words.Length == 3)
        {
            if (!words[2].StartsWith('p') || !int.TryParse(words[2][1..], NumberStyles.None,
                    CultureInfo.InvariantCulture, out var p))
            {
                error = $"'{words[2]}' is not a partition (p0, p1, ...)";
                return null;
            }
            partition = p;
        }
        return new Injection(delivery, kind, partition);
    }
}
