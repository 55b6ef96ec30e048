using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Checks;

/// <summary>
/// What the checkers read: counters the actors bump as things happen (pins per owner process and
/// per partition, objects alive, requests in flight, traffic). Thread safe; no actor reads it.
/// </summary>
public sealed class MachineMonitor
{
    private readonly object _gate = new();
    private readonly Dictionary<TgId, PinTally> _pinsByOwner = [];
    private long _inFlight;
    private long _segmentsAlive;
    private long _threadGroupsAlive;
    private long _xpcMessages;
    private long _faults;

    private readonly List<string> _failures = [];

    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>
    /// Actors that threw: each is a bug in the emulator, never a user error. The run fails.
    /// </summary>
    public IReadOnlyList<string> Failures
    {
        get
        {
            lock (_gate) return _failures.ToList();
        }
    }

    public void ActorFailed(string actor, Exception exception)
    {
        lock (_gate) _failures.Add($"{actor}: {exception.GetType().Name}: {exception.Message}");
    }

    public long SegmentsAlive => Interlocked.Read(ref _segmentsAlive);

    public long ThreadGroupsAlive => Interlocked.Read(ref _threadGroupsAlive);

    public long XpcMessages => Interlocked.Read(ref _xpcMessages);

    public long Faults => Interlocked.Read(ref _faults);

    public void Pinned(TgId owner) => Tally(owner, 1, 0);

    public void Unpinned(TgId owner, int count = 1) => Tally(owner, 0, count);

    public void RequestStarted() => Interlocked.Increment(ref _inFlight);

    public void RequestEnded() => Interlocked.Decrement(ref _inFlight);

    public void SegmentMade() => Interlocked.Increment(ref _segmentsAlive);

    public void SegmentFreed() => Interlocked.Decrement(ref _segmentsAlive);

    public void ThreadGroupStarted() => Interlocked.Increment(ref _threadGroupsAlive);

    public void ThreadGroupStopped() => Interlocked.Decrement(ref _threadGroupsAlive);

    public void XpcCarried() => Interlocked.Increment(ref _xpcMessages);

    public void FaultStarted() => Interlocked.Increment(ref _faults);

    /// <summary>Pins taken and released, machine-wide.</summary>
    public PinTally Pins
    {
        get
        {
            lock (_gate) return _pinsByOwner.Values.Aggregate(default(PinTally), (a, b) => a + b);
        }
    }

    /// <summary>Pins by owning process, ordered by partition and pid.</summary>
    public IReadOnlyList<(TgId Owner, PinTally Pins)> PinsByOwner()
    {
        lock (_gate)
        {
            return _pinsByOwner
                .OrderBy(p => p.Key.Partition.Value).ThenBy(p => p.Key.Pid)
                .Select(p => (p.Key, p.Value)).ToList();
        }
    }

    /// <summary>
    /// Pins by partition (the kernel's /proc/xpmem/global_pages, one per partition).
    /// </summary>
    public IReadOnlyList<(PartitionId Partition, PinTally Pins)> PinsByPartition()
    {
        lock (_gate)
        {
            return _pinsByOwner
                .GroupBy(p => p.Key.Partition)
                .OrderBy(g => g.Key.Value)
                .Select(g => (g.Key,
                g.Aggregate(default(PinTally), (a, b) => a + b.Value))).ToList();
        }
    }

    private void Tally(TgId owner, long pinned, long unpinned)
    {
        lock (_gate)
        {
            _pinsByOwner[owner] = _pinsByOwner.GetValueOrDefault(owner) + new PinTally(pinned,
                unpinned);
        }
    }
}

/// <summary>Pins taken and released.</summary>
public readonly record struct PinTally(long Pinned, long Unpinned)
{
    public long Held => Pinned - Unpinned;

    public bool Balanced => Pinned == Unpinned;

    public static PinTally operator +(PinTally a, PinTally b)
        => new(a.Pinned + b.Pinned, a.Unpinned + b.Unpinned);
}
