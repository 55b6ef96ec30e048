using Emulator.Protocol.Ids;
using Emulator.Protocol.Processes;

namespace Emulator.Protocol.Faults;

/// <summary>
/// The page-fault chain: attacher's FaultActor → owner's SegmentActor (seg->sema, read) → owner
/// thread group (owner's mm: find, zero-fill, break COW) → back up. Then the attacher installs
/// the PTE and tells the segment it is done (up_read), so a recall never misses a page in flight.
/// </summary>
public static class Fault
{
    /// <summary>
    /// FaultActor → SegmentActor: pin the owner's page at <paramref name="SourceAddress"/> for
    /// attachment <paramref name="Attachment"/> of <paramref name="Attacher"/>. Replies:
    /// <see cref="Pinned"/>, or <see cref="Refused"/> (ENOENT: segment gone, hole, or the source is
    /// an attachment; EAGAIN: invalidated on every retry).
    /// </summary>
    public sealed record Pin(RequestId RequestId, ulong SourceAddress, TgId Attacher,
        long Attachment, Endpoint ReplyTo) : IRequest;

    /// <summary>
    /// The page is pinned under <paramref name="PinId"/>, for an attacher on another partition:
    /// every access then goes to the segment with <see cref="Frames.Read"/> /
    /// <see cref="Frames.Write"/>. (On the owner's partition the attacher gets the page itself:
    /// same bytes, no messages.)
    /// </summary>
    public sealed record Pinned(RequestId RequestId, long PinId) : IReply;

    /// <summary>
    /// Attacher → SegmentActor, one way: the fault is over (PTE installed or dropped); the read
    /// hold ends.
    /// </summary>
    public sealed record Done(RequestId RequestId) : IXpmemMessage;

    /// <summary>
    /// FaultActor → SegmentActor, one way: nobody waits for this fault any more (its timer
    /// fired);
    /// drop the request, and the pin if one was taken for it.
    /// </summary>
    public sealed record Abandon(RequestId RequestId) : IXpmemMessage;
}

/// <summary>
/// Messages about pinned pages, addressed to the SegmentActor that holds the pin table.
/// </summary>
public static class Frames
{
    /// <summary>
    /// Attacher → SegmentActor, one way: drop these pins (detach, release, exit).
    /// </summary>
    public sealed record Unpin(IReadOnlyList<long> PinIds) : IXpmemMessage;

    /// <summary>
    /// Remote attacher → SegmentActor: load bytes from a pinned page. Replies:
    /// <see cref="Data"/>, or <see cref="Refused"/> (ENOENT: the pin was dropped by a recall; the
    /// attacher refaults).
    /// </summary>
    public sealed record Read(RequestId RequestId, long PinId, int OffsetBytes, int LengthBytes,
        Endpoint ReplyTo)
        : IRequest;

    public sealed record Data(RequestId RequestId, byte[] Bytes) : IReply;

    /// <summary>
    /// Remote attacher → SegmentActor: store bytes into a pinned page. Replies:
    /// <see cref="Written"/> or <see cref="Refused"/>.
    /// </summary>
    public sealed record Write(RequestId RequestId, long PinId, int OffsetBytes, byte[] Bytes,
        Endpoint ReplyTo)
        : IRequest;

    public sealed record Written(RequestId RequestId) : IReply;

    /// <summary>
    /// Remote attacher → SegmentActor: run <paramref name="Call"/> (fetch-add32, cas32, swap32)
    /// on the aligned word at <paramref name="OffsetBytes"/> of a pinned page, in one step under
    /// the pin; a store as far as delivery is concerned (sent once, applied once). Replies:
    /// <see cref="Fetched"/>, or <see cref="Refused"/> (ENOENT: the pin was dropped by a recall;
    /// nothing ran, the attacher refaults).
    /// </summary>
    public sealed record Fetchop(RequestId RequestId, long PinId, int OffsetBytes,
        Atomic32Call Call, Endpoint ReplyTo) : IRequest;

    /// <summary>The fetchop ran; <paramref name="Value"/> is the word before it.</summary>
    public sealed record Fetched(RequestId RequestId, uint Value) : IReply;
}
