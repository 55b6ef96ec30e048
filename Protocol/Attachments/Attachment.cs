using Emulator.Protocol.Ids;

namespace Emulator.Protocol.Attachments;

/// <summary>Messages addressed to an attacher's thread group about its attachments.</summary>
public static class Attachment
{
    /// <summary>
    /// SegmentActor → each getter's thread group: clear the PTEs of every attachment made through
    /// a permit on <paramref name="Segment"/> that map source addresses in [Start, End), and hand
    /// back their pins. Replies: <see cref="Zapped"/>.
    /// </summary>
    public sealed record Zap(RequestId RequestId, SegId Segment, ulong Start, ulong End,
        Endpoint ReplyTo)
        : IRequest;

    /// <summary>
    /// <paramref name="Attacher"/>'s PTEs are gone; <paramref name="PinIds"/> are the pins they
    /// held, now to be unpinned.
    /// </summary>
    public sealed record Zapped(RequestId RequestId, Endpoint Attacher, IReadOnlyList<long> PinIds)
        : IReply;
}
