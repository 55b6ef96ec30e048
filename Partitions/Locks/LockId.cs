using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Locks;

/// <summary>
/// The kernel locks the emulator holds as actor state with lock events (xpmem-spec section 3.1).
/// seg->sema is the segment actor's state (Writing stashes faults) without events: its waits
/// cannot close a cycle (docs/protocol.md, Locks).
/// </summary>
public enum LockKind
{
    /// <summary><c>mm->mmap_lock</c> (mmap_sem) of a process: a read-write semaphore.</summary>
    MmapSem,
}

/// <summary>How a lock is held or wanted.</summary>
public enum LockMode
{
    Read,
    Write,
}

/// <summary>
/// One lock of the machine: its kind and the process it belongs to. Its <see cref="Rank"/> is the
/// kernel's lock order between two of a kind: "the lower-addressed mm first" becomes the lower
/// (partition, pid) first here.
/// </summary>
public readonly record struct LockId(LockKind Kind, TgId Process)
{
    public static LockId Mm(TgId process) => new(LockKind.MmapSem, process);

    /// <summary>Orders two mms as their addresses would: by partition, then pid.</summary>
    public static int Rank(TgId left, TgId right) =>
        left.Partition.Value != right.Partition.Value
            ? left.Partition.Value.CompareTo(right.Partition.Value)
            : left.Pid.CompareTo(right.Pid);

    public override string ToString() => $"mmap_sem of {Process}";
}

/// <summary>
/// Who holds or waits for a lock: a call (one thread) of a process, wherever the lock is (a
/// fault takes the owner's mm for the attacher's call).
/// </summary>
public readonly record struct LockTask(TgId Process, RequestId Call)
{
    public override string ToString() => $"{Process} (call {Call})";
}
