using Emulator.Partitions.Checks;
using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Locks;

/// <summary>
/// A process's mmap_lock (mmap_sem), as state its thread group holds: a read-write semaphore
/// with the kernel's writer preference (once a writer waits, later readers queue behind it).
/// Waiting is parked work, in arrival order, never a blocked thread. Each holder or waiter is a
/// task: the call (one thread of a process) it works for, named by its request, wherever the
/// lock is taken for it (a fault takes the owner's mm for the attacher's call).
///
/// Three ways to hold it:
/// - <see cref="Write"/>: mmap, munmap, a fixed attach, fork and exit, across their whole work.
/// - a held read (<see cref="AcquireRead"/>, <see cref="TryAcquireRead"/>,
///   <see cref="HoldRead"/>), across deliveries: a fault holds its own mm for its whole chain,
///   and the owner's from its lookup until the attacher is done with the page.
/// - a passing read (<see cref="Read"/>): work that needs the mm for the one step it runs in (a
///   call's lookups, an access resuming after a fault).
/// Every wait, grant and release is a lock event (<see cref="LockWaiting"/>,
/// <see cref="LockAcquired"/>, <see cref="LockReleased"/>) for the wait-for graph; a passing read
/// says only that it waited, and when its wait ended.
/// </summary>
public sealed class MmLock(LockId id, ILockEvents? events = null)
{
    /// <summary>A lock whose events go to <paramref name="emit"/> as objects (specs, tools).
    /// </summary>
    public MmLock(LockId id, Action<MachineEvent> emit) : this(id, ILockEvents.Events(emit))
    {
    }

    private enum Want
    {
        PassingRead,
        HeldRead,
        Write,
    }

    private readonly record struct Waiter(Want Want, LockTask Task, Action Work);

    private readonly Queue<Waiter> _parked = new();
    private readonly ReadHolds _reads = new(id);
    private LockTask _writer;
    private bool _draining;

    /// <summary>True while a writer holds the mm.</summary>
    public bool WriteHeld { get; private set; }

    /// <summary>True while <paramref name="task"/> holds the mm for write.</summary>
    public bool WriteHeldBy(LockTask task) => WriteHeld && _writer == task;

    /// <summary>Held reads (a task may hold more than one).</summary>
    public int Readers => _reads.Count;

    /// <summary>Work waiting for the mm.</summary>
    public int Parked => _parked.Count;

    /// <summary>
    /// Runs <paramref name="work"/> now if no writer holds or waits for the mm; else parks it.
    /// </summary>
    public void Read(LockTask task, Action work)
    {
        if (Free) work();
        else Park(new Waiter(Want.PassingRead, task, work), LockMode.Read);
    }

    /// <summary>
    /// Takes a read for <paramref name="task"/> and keeps it until <see cref="ReleaseRead"/>:
    /// now, or when its turn comes; <paramref name="granted"/> runs then.
    /// </summary>
    public void AcquireRead(LockTask task, Action granted)
    {
        if (!Free)
        {
            Park(new Waiter(Want.HeldRead, task, granted), LockMode.Read);
            return;
        }
        GrantRead(task);
        granted();
    }

    /// <summary>down_read_trylock: a read held now, or false if a writer holds or waits.</summary>
    public bool TryAcquireRead(LockTask task)
    {
        if (!Free) return false;
        GrantRead(task);
        return true;
    }

    /// <summary>
    /// Keeps, for <paramref name="task"/>, the read that the passing work running now has (a
    /// fault that starts in an access keeps the mm it runs under). No writer holds it now.
    /// </summary>
    public void HoldRead(LockTask task)
    {
        Invariant.Holds(!WriteHeld, $"{id}: a read kept while a writer holds it");
        GrantRead(task);
    }

    /// <summary>Ends a held read; a writer waiting for the last reader takes the mm then.</summary>
    public void ReleaseRead(LockTask task)
    {
        _reads.Remove(task);
        events?.Released(id, task);
        Drain();
    }

    /// <summary>
    /// Runs <paramref name="work"/> holding the mm for write, now or when it is free (no reader,
    /// no writer, nobody ahead). The work (or the continuation it leaves) must end with
    /// <see cref="ReleaseWrite"/>.
    /// </summary>
    public void Write(LockTask task, Action work)
    {
        if (!Free || Readers > 0)
        {
            Park(new Waiter(Want.Write, task, work), LockMode.Write);
            return;
        }
        GrantWrite(task);
        work();
    }

    /// <summary>
    /// Ends a write hold, then runs parked work in order until a parked writer takes the mm again.
    /// </summary>
    public void ReleaseWrite()
    {
        Invariant.Holds(WriteHeld, $"{id}: released for write while not held");
        WriteHeld = false;
        events?.Released(id, _writer);
        Drain();
    }

    /// <summary>No writer holds the mm and nobody waits for it.</summary>
    private bool Free => !WriteHeld && _parked.Count == 0;

    private void Park(Waiter parked, LockMode mode)
    {
        _parked.Enqueue(parked);
        events?.Waiting(id, parked.Task, mode);
    }

    private void GrantRead(LockTask task)
    {
        _reads.Add(task);
        events?.Acquired(id, task, LockMode.Read);
    }

    private void GrantWrite(LockTask task)
    {
        WriteHeld = true;
        _writer = task;
        events?.Acquired(id, task, LockMode.Write);
    }

    /// <summary>
    /// Runs parked work in order while the head may go: reads while no writer holds, a write
    /// once nobody holds the mm at all.
    /// </summary>
    private void Drain()
    {
        // Work run below may release a lock it took at once; the outer loop goes on then,
        // instead of recursing once per parked item.
        if (_draining) return;
        _draining = true;
        try
        {
            while (!WriteHeld && _parked.TryPeek(out var next)
                && (next.Want != Want.Write || Readers == 0))
            {
                _parked.Dequeue();
                switch (next.Want)
                {
                    case Want.Write:
                        GrantWrite(next.Task);
                        break;
                    case Want.HeldRead:
                        GrantRead(next.Task);
                        break;
                    default:
                        events?.Released(id, next.Task);
                        break;
                }
                next.Work();
            }
        }
        finally
        {
            _draining = false;
        }
    }
}
