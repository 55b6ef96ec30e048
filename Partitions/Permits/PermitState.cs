using Emulator.Partitions.Attachments;
using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Permits;

/// <summary>
/// An access permit (the kernel's xpmem_access_permit), kept in the getter's thread group. It
/// holds a reference on the segment (<see cref="LinkId"/>) until released, and lists the
/// attachments made through it.
/// </summary>
public sealed class PermitState(ApId id, SegId segment, int flags, Endpoint segmentActor,
    ulong segmentAddress, ulong segmentSizeBytes, TgId segmentOwner, long linkId)
{
    public ApId Id { get; } = id;

    public SegId Segment { get; } = segment;

    /// <summary>The flags given to get: RDONLY, RDWR or 0.</summary>
    public int Flags { get; } = flags;

    public Endpoint SegmentActor { get; } = segmentActor;

    public ulong SegmentAddress { get; } = segmentAddress;

    public ulong SegmentSizeBytes { get; } = segmentSizeBytes;

    public TgId SegmentOwner { get; } = segmentOwner;

    public long LinkId { get; } = linkId;

    public List<AttachmentState> Attachments { get; } = [];

    /// <summary>
    /// The segment's partition went down while we held this permit (SGI's proxy destroyed):
    /// attach through it is ENOLINK and its attachments' touches SIGBUS, for good; release and
    /// detach still work.
    /// </summary>
    public bool Severed { get; set; }
}
