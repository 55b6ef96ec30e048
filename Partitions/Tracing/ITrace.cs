namespace Emulator.Partitions.Tracing;

/// <summary>
/// Where actors report what they see. Callers test <see cref="Enabled"/> first, so tracing that
/// is off costs one branch and builds nothing. An implementation must be thread safe: in
/// <c>live</c> mode every actor calls it from its own pool thread, at the same time.
/// </summary>
public interface ITrace
{
    bool Enabled { get; }

    /// <summary>
    /// An actor at <paramref name="actor"/> (a path without address) is handling
    /// <paramref name="message"/>.
    /// </summary>
    void Delivered(string actor, object message);

    /// <summary>
    /// Something happened in the emulated machine at <paramref name="actor"/>: a call ended, a
    /// process exited, a page was pinned. The event's type names the line's kind, its properties
    /// are the line's fields (see <see cref="ITraceEvent"/>).
    /// </summary>
    void Event(string actor, ITraceEvent @event);
}

/// <summary>
/// Marks a trace event: a <c>sealed record</c> whose type name, in snake case, is the kind of
/// its trace line (<c>PagePinned</c> → <c>page_pinned</c>) and whose positional properties are
/// the line's fields, written typed as messages' are. Declaring one is all it takes to add an
/// event; document it in docs/trace.md (a test holds the doc to the traces).
/// </summary>
public interface ITraceEvent;

/// <summary>Tracing off.</summary>
public sealed class NoTrace : ITrace
{
    public static readonly NoTrace Instance = new();

    public bool Enabled => false;

    public void Delivered(string actor, object message) { }

    public void Event(string actor, ITraceEvent @event) { }
}
