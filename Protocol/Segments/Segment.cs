using Emulator.Protocol.Ids;

namespace Emulator.Protocol.Segments;

/// <summary>Messages addressed to a SegmentActor (the kernel's seg and its seg->sema).</summary>
public static class Segment
{
    /// <summary>
    /// Owner thread group → its SegmentActor: xpmem_remove's effect. The segment refuses new
    /// users at once, waits for in-flight faults, zaps every attacher. Replies:
    /// <see cref="Removed"/>. <paramref name="Call"/>: the owner's call it works for (the task
    /// that holds the segment's sema for write).
    /// </summary>
    public sealed record Remove(RequestId RequestId, Endpoint ReplyTo, RequestId Call) : IRequest;

    public sealed record Removed(RequestId RequestId, SegId Segment) : IReply;

    /// <summary>
    /// Owner thread group → SegmentActor: the owner's pages in [Start, End) changed (munmap);
    /// every attacher must drop its mappings of that source range before the owner goes on
    /// (recall). Replies: <see cref="Recalled"/>. <paramref name="Call"/>: the owner's call it
    /// works for (the munmap, mmap or attach holding the owner's mm for write).
    /// </summary>
    public sealed record Recall(RequestId RequestId, ulong Start, ulong End, Endpoint ReplyTo,
        RequestId Call) : IRequest;

    public sealed record Recalled(RequestId RequestId, SegId Segment) : IReply;

    /// <summary>
    /// Attacher → SegmentActor: attach's seg_down_read, is the segment still alive?
    /// Replies: <see cref="Checked"/> or <see cref="Refused"/> (ENOENT).
    /// </summary>
    public sealed record Check(RequestId RequestId, Endpoint ReplyTo) : IRequest;

    public sealed record Checked(RequestId RequestId) : IReply;

    /// <summary>
    /// SegmentActor → its owner thread group, one way: the segment is freed (last reference
    /// gone).
    /// </summary>
    public sealed record Freed(SegId Segment) : IXpmemMessage;
}
