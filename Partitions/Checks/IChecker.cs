using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Checks;

/// <summary>
/// A safety or end-of-run property of the machine, judged from its events alone (Coyote's
/// monitors, TigerBeetle's checkers): it keeps what it needs, says at once when an event breaks
/// its property, and says at the end what it saw.
/// </summary>
public interface IChecker
{
    string Name { get; }

    /// <summary>
    /// Sees one event; returns what went wrong if this event breaks the property, else null.
    /// </summary>
    CheckerBreach? Observe(MachineEvent e);

    /// <summary>
    /// The verdict after the run's teardown (every process exited): end-of-run properties (pins
    /// balanced, objects freed, nothing in flight) are judged here, with counts of what was seen.
    /// </summary>
    CheckerReport Final();
}

/// <summary>What broke a property: a sentence, and the process it concerns, if one.</summary>
public sealed record CheckerBreach(string What, TgId? Process = null);

/// <summary>A checker's verdict: held or not, and what it saw (counts, or what is left).</summary>
public sealed record CheckerReport(string Name, bool Held, string Saw);

/// <summary>
/// The first breach of a run: which checker, what, the process concerned, and the events that led
/// to it (the last few, oldest first).
/// </summary>
public sealed record Violation(string Checker, string What, TgId? Process,
    IReadOnlyList<MachineEvent> Events);

/// <summary>How checkers write counts in what they saw.</summary>
internal static class Counted
{
    /// <summary><c>1 attachment</c>, <c>2 attachments</c>, <c>3 accesses</c>.</summary>
    public static string Of(long count, string noun) =>
        count == 1 ? $"1 {noun}" : $"{count} {noun}{(noun.EndsWith('s') ? "es" : "s")}";
}
