using Emulator.Partitions.Checks;
using Emulator.Protocol;
using Emulator.Protocol.Ids;

namespace Emulator.Tests.Checks;

/// <summary>Names and synthetic events shared by the checker specs.</summary>
internal static class CheckEvents
{
    public static readonly TgId Owner = new(new PartitionId(0), 100);
    public static readonly TgId Attacher = new(new PartitionId(1), 200);
    public static readonly TgId Other = new(new PartitionId(1), 201);
    public static readonly SegId Seg = new(XpmemId.Compose(Owner.Partition, Owner.Pid, 1));
    public static readonly SegId Seg2 = new(XpmemId.Compose(Owner.Partition, Owner.Pid, 2));
    public static readonly ApId Permit = new(XpmemId.Compose(Attacher.Partition, Attacher.Pid, 1));
    public const ulong Source = 0x10000;

    public static AttachmentMapped Mapped(long attachment, int flags = Xpmem.RdWr,
        TgId? attacher = null, SegId? segment = null) =>
        new(attacher ?? Attacher, attachment, Permit, segment ?? Seg, flags, 0x100000, 0x4000,
            Source);

    public static Accessed Access(long attachment, long frame, bool write = false,
        TgId? attacher = null, SegId? segment = null, ulong sourcePage = Source) =>
        new(attacher ?? Attacher, attachment, segment ?? Seg, (segment ?? Seg).Owner, sourcePage,
            frame, write);
}
