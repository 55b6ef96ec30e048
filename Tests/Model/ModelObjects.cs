namespace Emulator.Tests.Model;

// The reference model's objects: plain mutable classes, one per kernel object of spec section
// 1.1. They hold state only; every rule that changes them lives in ReferenceModel. Links are
// direct references (the model is sequential, so there are no refcounts: an object that is
// "destroyed" keeps its flag and simply stops being reachable from the lookup tables).

/// <summary>
/// One emulated process: credentials, its library's fd state, its thread group, its memory.
/// </summary>
internal sealed class ModelProcess(int partition, int pid, int uid, int gid)
{
    public int Partition { get; } = partition;
    public int Pid { get; } = pid;
    public int Uid { get; } = uid;
    public int Gid { get; } = gid;
    public bool Alive { get; set; } = true;

    /// <summary>
    /// libxpmem's fd: open means the library will not open the device again by itself.
    /// </summary>
    public bool DeviceOpen { get; set; }

    /// <summary>
    /// Null until the device is opened by this process (fork children start without one).
    /// </summary>
    public ModelThreadGroup? ThreadGroup { get; set; }

    public ModelAddressSpace Memory { get; set; } = new();

    public override string ToString() => $"p{Partition}/{Pid}";
}

/// <summary>xpmem_thread_group: created by an open, gone on close or exit.</summary>
internal sealed class ModelThreadGroup(ModelProcess process)
{
    public ModelProcess Process { get; } = process;

    /// <summary>The opener's uid and gid, which make the owner identity of its segments.</summary>
    public int Uid { get; } = process.Uid;
    public int Gid { get; } = process.Gid;

    /// <summary>Last uniq handed out; the next id takes one more (so the first is 1).</summary>
    public int LastSegmentUniq { get; set; }
    public int LastPermitUniq { get; set; }

    /// <summary>Live segments by segid, in the order they were made (seg_list).</summary>
    public OrderedDictionary<long, ModelSegment> Segments { get; } = new();

    /// <summary>Live permits by apid, in the order they were granted (ap_hashtable).</summary>
    public OrderedDictionary<long, ModelPermit> Permits { get; } = new();

    /// <summary>
    /// Set by teardown; a torn-down thread group is never found by a lookup again.
    /// </summary>
    public bool TornDown { get; set; }
}

/// <summary>xpmem_segment: a range of the owner's address space offered for attach.</summary>
internal sealed class ModelSegment(
    long segId, ulong address, ulong sizeBytes, ulong mode, ModelThreadGroup owner)
{
    public long SegId { get; } = segId;
    public ulong Address { get; } = address;
    public ulong SizeBytes { get; } = sizeBytes;
    public ulong Mode { get; } = mode;
    public ModelThreadGroup Owner { get; } = owner;

    /// <summary>Every permit granted on this segment and not yet released (ap_list).</summary>
    public List<ModelPermit> Permits { get; } = new();

    /// <summary>
    /// DESTROYING/DESTROYED: invisible to get, attach gives ENOENT, faults SIGBUS.
    /// </summary>
    public bool Removed { get; set; }
}

/// <summary>xpmem_access_permit: one successful get, owned by the getter.</summary>
internal sealed class ModelPermit(
    long apId, ulong flags, ModelSegment segment, ModelThreadGroup holder)
{
    public long ApId { get; } = apId;

    /// <summary>The flags given to get: RDONLY, RDWR or 0.</summary>
    public ulong Flags { get; } = flags;
    public ModelSegment Segment { get; } = segment;
    public ModelThreadGroup Holder { get; } = holder;

    /// <summary>Live attachments made through this permit (att_list).</summary>
    public List<ModelAttachment> Attachments { get; } = new();
}

/// <summary>
/// xpmem_attachment: a VMA in the attacher that shows the owner's pages from
/// <see cref="SourceAddress"/> on. <see cref="Mapped"/> is the attacher's page table for it: each
/// entry is one pinned owner page, so the pin count of an attachment is exactly its size.
/// </summary>
internal sealed class ModelAttachment(
    ModelPermit permit, ulong atAddress, ulong sizeBytes, ulong sourceAddress)
{
    public ModelPermit Permit { get; } = permit;
    public ulong AtAddress { get; } = atAddress;
    public ulong SizeBytes { get; } = sizeBytes;
    public ulong SourceAddress { get; } = sourceAddress;

    /// <summary>Attacher page address → the owner page it pins.</summary>
    public Dictionary<ulong, ModelPage> Mapped { get; } = new();

    public ModelProcess Attacher => Permit.Holder.Process;

    public ulong SourceOf(ulong attacherPage) =>
        unchecked(SourceAddress + (attacherPage - AtAddress));
}

/// <summary>One 4 KiB frame of anonymous memory.</summary>
internal sealed class ModelPage
{
    public ModelPage() => Bytes = new byte[Protocol.Xpmem.PageSize];

    public ModelPage(ModelPage original) => Bytes = (byte[])original.Bytes.Clone();

    public byte[] Bytes { get; }

    /// <summary>
    /// Page tables that map this frame; above one it is copy-on-write for all of them.
    /// </summary>
    public int Sharers { get; set; } = 1;

    /// <summary>Attachment pages pinning this frame.</summary>
    public int Pins { get; set; }
}
