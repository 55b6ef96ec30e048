using Emulator.Partitions.Xpc;

namespace Emulator.Partitions.Sim;

/// <summary>
/// One draw a link made for its faults, as a schedule records it: a chance (<see cref="Value"/>
/// 1: the loss or duplication happened, 0: it did not) or a delay (<see cref="Value"/>: ticks
/// above the least delay the fault allows).
/// </summary>
public readonly record struct LinkDraw(bool IsDelay, long Value)
{
    /// <summary>True when the draw did something a fault-free link would not have done.</summary>
    public bool IsFault => Value != 0;
}

/// <summary>Makes the draws of another <see cref="LinkDraws"/> and records each one.</summary>
internal sealed class RecordingLinkDraws(LinkDraws inner, List<LinkDraw> record) : LinkDraws
{
    public override bool Happens(double rate)
    {
        var happens = inner.Happens(rate);
        record.Add(new LinkDraw(false, happens ? 1 : 0));
        return happens;
    }

    public override TimeSpan Between(TimeSpan min, TimeSpan max)
    {
        var delay = inner.Between(min, max);
        record.Add(new LinkDraw(true, (delay - min).Ticks));
        return delay;
    }
}

/// <summary>
/// Plays recorded draws back in order. A draw of the other kind, or one past the end, is a
/// mismatch (the run left the schedule): it is noted, and the link does what a fault-free link
/// would (no loss, no duplicate, the least delay), which is also how a shrunk schedule drops a
/// fault. A rate of 1 (every packet lost) happens whatever the record says.
/// </summary>
internal sealed class ReplayedLinkDraws(IReadOnlyList<LinkDraw> draws) : LinkDraws
{
    private int _next;

    /// <summary>What first did not fit, or null.</summary>
    public string? Mismatch { get; private set; }

    public override bool Happens(double rate)
    {
        var draw = Next(isDelay: false);
        return rate >= 1 || draw is { Value: not 0 };
    }

    public override TimeSpan Between(TimeSpan min, TimeSpan max)
    {
        var ticks = Next(isDelay: true)?.Value ?? 0;
        return min + TimeSpan.FromTicks(Math.Clamp(ticks, 0, (max - min).Ticks));
    }

    private LinkDraw? Next(bool isDelay)
    {
        var index = _next++;
        if (index < draws.Count && draws[index].IsDelay == isDelay) return draws[index];
        Mismatch ??= index < draws.Count
            ? $"link draw {index + 1} is a {Kind(!isDelay)} in the schedule, a {Kind(isDelay)} here"
            : $"the link drew more than the schedule's {draws.Count} draws";
        return null;
    }

    private static string Kind(bool isDelay) => isDelay ? "delay" : "chance";
}
