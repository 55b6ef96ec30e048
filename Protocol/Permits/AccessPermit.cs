using Emulator.Protocol.Ids;

namespace Emulator.Protocol.Permits;

/// <summary>
/// Messages about access permits, addressed to the segment's owner and its SegmentActor.
/// </summary>
public static class AccessPermit
{
    /// <summary>
    /// Getter → owner thread group (routed by segid) → SegmentActor: xpmem_get's lookup and
    /// permission check. Replies: <see cref="Granted"/>, or <see cref="Refused"/> with ENOENT (no
    /// such live segment), EACCES (mode bits), NOPROC (<paramref name="CallerHasTg"/> false,
    /// checked last).
    /// </summary>
    public sealed record Get(
        RequestId RequestId,
        SegId Segment,
        int Flags,
        Credentials Caller,
        bool CallerHasTg,
        TgId Getter,
        Endpoint ReplyTo) : Partitions.IRoutedRequest;

    /// <summary>
    /// The segment took a reference for the new permit (<paramref name="LinkId"/>); the getter
    /// keeps the segment's endpoint, address and size for attach and faults.
    /// </summary>
    public sealed record Granted(
        RequestId RequestId,
        Endpoint Segment,
        ulong SegmentAddress,
        ulong SegmentSizeBytes,
        TgId SegmentOwner,
        long LinkId) : IReply;

    /// <summary>
    /// Getter → SegmentActor, one way: the permit is released; drop its reference.
    /// </summary>
    public sealed record Unlink(long LinkId) : IXpmemMessage;
}
