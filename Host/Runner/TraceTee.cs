using Emulator.Partitions.Tracing;

namespace Emulator.Host.Runner;

/// <summary>
/// Two traces as one, for a run that writes its trace file and is observed too (an explore's
/// coverage): each line goes to each trace that is on.
/// </summary>
internal sealed class TraceTee(ITrace first, ITrace second) : ITrace
{
    public bool Enabled => first.Enabled || second.Enabled;

    /// <summary>Both, or whichever is there (null when neither is).</summary>
    public static ITrace? Of(ITrace? first, ITrace? second) => (first, second) switch
    {
        (null, _) => second,
        (_, null) => first,
        _ => new TraceTee(first, second),
    };

    public void Delivered(string actor, object message)
    {
        if (first.Enabled) first.Delivered(actor, message);
        if (second.Enabled) second.Delivered(actor, message);
    }

    public void Event(string actor, ITraceEvent @event)
    {
        if (first.Enabled) first.Event(actor, @event);
        if (second.Enabled) second.Event(actor, @event);
    }
}
