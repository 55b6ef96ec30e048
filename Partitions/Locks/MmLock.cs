namespace Emulator.Partitions.Locks;

/// <summary>
/// A process's mmap_lock, as state its thread group holds (design section 3). mmap, munmap, a
/// fixed attach, fork and exit hold it for write across their whole work, recalls included; work
/// that needs the mm meanwhile (another thread's call, an access resuming after a fault, the
/// owner's page lookup for a fault) is parked, in arrival order, and runs when the writer is done,
/// so it sees the mm before the change or after it, never halfway. Writer preference, as the
/// kernel's: once a writer waits, later readers queue behind it. Parking is a queued action, never
/// a blocked thread. Readers here finish within the action they run, so only writes are held.
/// </summary>
public sealed class MmLock
{
    private readonly Queue<(bool Write, Action Work)> _parked = new();
    private bool _draining;

    /// <summary>True while a writer holds the mm.</summary>
    public bool WriteHeld { get; private set; }

    /// <summary>Work waiting for the mm.</summary>
    public int Parked => _parked.Count;

    /// <summary>
    /// Runs <paramref name="work"/> now if no writer holds or waits for the mm; else parks it.
    /// </summary>
    public void Read(Action work)
    {
        if (WriteHeld || _parked.Count > 0) _parked.Enqueue((false, work));
        else work();
    }

    /// <summary>
    /// Runs <paramref name="work"/> holding the mm for write, now or when it is free. The work (or
    /// the continuation it leaves) must end with <see cref="ReleaseWrite"/>.
    /// </summary>
    public void Write(Action work)
    {
        if (WriteHeld || _parked.Count > 0)
        {
            _parked.Enqueue((true, work));
            return;
        }
        WriteHeld = true;
        work();
    }

    /// <summary>
    /// Ends a write hold, then runs parked work in order until a parked writer takes the mm again.
    /// </summary>
    public void ReleaseWrite()
    {
        Invariant.Holds(WriteHeld, "mmap_lock released for write while not held");
        WriteHeld = false;
        // Work run below may release a write it took at once; the outer loop goes on then,
        // instead of recursing once per parked item.
        if (_draining) return;
        _draining = true;
        try
        {
            while (!WriteHeld && _parked.TryDequeue(out var next))
            {
                if (next.Write) WriteHeld = true;
                next.Work();
            }
        }
        finally
        {
            _draining = false;
        }
    }
}
