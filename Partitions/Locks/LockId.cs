using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Locks;

/// <summary>The kernel locks the emulator holds as actor state (xpmem-spec section 3.1).</summary>
public enum LockKind
{
    /// <summary><c>mm->mmap_lock</c> (mmap_sem) of a process: a read-write semaphore.</summary>
    MmapSem,

    /// <summary><c>seg->sema</c>: read for attach and fault, write for recall and remove.</summary>
    SegmentSema,

    /// <summary>
    /// The owner's recall gate (block/unblock recall PFNs): faults hold it open, recalls shut it.
    /// </summary>
    RecallGate,

    /// <summary><c>att->mutex</c>: serializes an attachment's faults, detach and PTE clearing.</summary>
    AttachmentMutex,
}

/// <summary>How a lock is held or wanted.</summary>
public enum LockMode
{
    Read,
    Write,
}

/// <summary>
/// One lock of the machine: its kind, the process it belongs to (the mm's process, the segment's
/// owner, the attacher), and the object within it (the segment id, the attachment id; 0 for the
/// mm and the gate). Its <see cref="Rank"/> is the kernel's lock order between two of a kind:
/// "the lower-addressed mm first" becomes the lower (partition, pid) first here.
/// </summary>
public readonly record struct LockId(LockKind Kind, TgId Process, long Object = 0)
{
    public static LockId Mm(TgId process) => new(LockKind.MmapSem, process);

    /// <summary>Orders two mms as their addresses would: by partition, then pid.</summary>
    public static int Rank(TgId left, TgId right) =>
        left.Partition.Value != right.Partition.Value
            ? left.Partition.Value.CompareTo(right.Partition.Value)
            : left.Pid.CompareTo(right.Pid);

    public override string ToString() => Kind switch
    {
        LockKind.MmapSem => $"mmap_sem of {Process}",
        LockKind.SegmentSema => $"seg->sema of {Process} segment 0x{Object:x}",
        LockKind.RecallGate => $"recall gate of {Process}",
        _ => $"att->mutex of {Process} attachment {Object}",
    };
}

/// <summary>
/// Who holds or waits for a lock: a call (one thread) of a process, wherever the lock is (a
/// fault takes the owner's mm for the attacher's call).
/// </summary>
public readonly record struct LockTask(TgId Process, RequestId Call)
{
    public override string ToString() => $"{Process} (call {Call})";
}
