using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Locks;

/// <summary>
/// The kernel locks the emulator holds as actor state with lock events (xpmem-spec section 3.1).
/// Each is the state of the actor that stands for its object: a process's mm is its thread group's
/// <see cref="MmLock"/>, a segment's sema its <see cref="SegSema"/>, an attachment's mutex the one
/// step its thread group runs it in (<see cref="AttMutex"/>).
/// </summary>
public enum LockKind
{
    /// <summary><c>mm->mmap_lock</c> (mmap_sem) of a process: a read-write semaphore.</summary>
    MmapSem,

    /// <summary>
    /// <c>seg->sema</c> of a segment, a read-write semaphore, and the owner's recall gate for it
    /// (xpmem-spec 3.2): faults read it, a recall (which closes the gate) or a remove writes it.
    /// </summary>
    SegSema,

    /// <summary><c>att->mutex</c> of an attachment: held for write (a mutex) only.</summary>
    AttMutex,
}

/// <summary>How a lock is held or wanted.</summary>
public enum LockMode
{
    Read,
    Write,
}

/// <summary>
/// One lock of the machine: its kind, the process it belongs to (the mm's process, the segment's
/// owner, the attacher), and which object of that process (a segment id, an attachment number;
/// 0 for an mm). Its <see cref="Rank"/> is the kernel's lock order between two mms: "the
/// lower-addressed mm first" becomes the lower (partition, pid) first here.
/// </summary>
public readonly record struct LockId(LockKind Kind, TgId Process, long Object = 0)
{
    public static LockId Mm(TgId process) => new(LockKind.MmapSem, process);

    public static LockId Sema(SegId segment) => new(LockKind.SegSema, segment.Owner, segment.Value);

    public static LockId Att(TgId attacher, long attachment) =>
        new(LockKind.AttMutex, attacher, attachment);

    /// <summary>Orders two mms as their addresses would: by partition, then pid.</summary>
    public static int Rank(TgId left, TgId right) =>
        left.Partition.Value != right.Partition.Value
            ? left.Partition.Value.CompareTo(right.Partition.Value)
            : left.Pid.CompareTo(right.Pid);

    // The deadlock checker looks a lock up for every lock event (nine a fault): a multiply a
    // field, not the generated hash's combine of each field's own generated hash.
    public bool Equals(LockId other) =>
        Kind == other.Kind && Process == other.Process && Object == other.Object;

    public override int GetHashCode() =>
        KeyHash.Of(KeyHash.Of(Process) | ((ulong)Kind << 56), (ulong)Object);

    public override string ToString() => Kind switch
    {
        LockKind.SegSema => $"seg->sema of segment {new SegId(Object)}",
        LockKind.AttMutex => $"att->mutex of attachment {Object} of {Process}",
        _ => $"mmap_sem of {Process}",
    };
}

/// <summary>
/// Who holds or waits for a lock: a call (one thread) of a process, wherever the lock is (a
/// fault takes the owner's mm for the attacher's call).
/// </summary>
public readonly record struct LockTask(TgId Process, RequestId Call)
{
    public bool Equals(LockTask other) => Process == other.Process && Call == other.Call;

    public override int GetHashCode() =>
        KeyHash.Of(KeyHash.Of(Process) ^ ((ulong)(uint)Call.Origin.Value << 47),
            (ulong)Call.Sequence);

    public override string ToString() => $"{Process} (call {Call})";
}
