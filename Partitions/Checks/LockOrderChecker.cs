using Emulator.Partitions.Locks;
using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Checks;

/// <summary>
/// The kernel's lock order (<see cref="KernelLockOrder"/>), asserted on every wait
/// (<c>lock-order = kernel</c> only): a task that holds one lock may block on another only in
/// the kernel's order (own mm, seg->sema, the owner's mm, att->mutex; two mms lowest-ranked
/// first). Trylocks never wait, so only waits are judged, and every att->mutex acquisition
/// besides: the kernel never tries that mutex, so taking it is blocking on it. A breach names
/// the two locks. A hold on a peer's lock stops being the task's once its partition declares the
/// peer GOINGDOWN (<see cref="PeerSessions"/>): the call goes on without it.
/// </summary>
public sealed class LockOrderChecker : IChecker
{
    /// <summary>
    /// The holds now, by task and lock (a task may hold a read twice), in the order a breach
    /// looks for the hold it names.
    /// </summary>
    private readonly Dictionary<(LockTask Task, LockId Lock), int> _held = [];
    /// <summary>
    /// The locks each task holds: a wait is judged against its own task's holds first, not
    /// against every hold of the machine (thousands at once on the Altix run).
    /// </summary>
    private readonly Dictionary<LockTask, List<LockId>> _heldBy = [];
    // A task's list goes back here when it holds nothing, for the next task (one per call).
    private readonly Stack<List<LockId>> _spareLists = new();
    private readonly PeerSessions _sessions = new();
    private long _waits;
    private long _takes;

    public string Name => "lock order";

    public CheckerBreach? Observe(MachineEvent e)
    {
        switch (e)
        {
            case LockWaiting waiting when _sessions.Owns(waiting.Task, waiting.Lock):
                return Judge(waiting.Task, waiting.Lock, "waits for");
            case LockAcquired acquired when _sessions.Owns(acquired.Task, acquired.Lock):
                var breach = acquired.Lock.Kind == LockKind.AttMutex
                    ? Judge(acquired.Task, acquired.Lock, "takes") : null;
                Hold(acquired.Task, acquired.Lock);
                return breach;
            case LockReleased released:
                var hold = (released.Task, released.Lock);
                if (!_held.TryGetValue(hold, out var count)) break;
                if (count > 1) _held[hold] = count - 1;
                else Drop(hold);
                break;
            case PartitionCrashed crashed:
                Crashed(crashed.Partition);
                break;
            case PeerStateChanged changed:
                if (_sessions.Observe(changed) is { } ended) SessionEnded(ended);
                break;
        }
        return null;
    }

    // A method of its own: a lambda in Observe would have C# make its closure as Observe starts,
    // for every event (32 bytes each; the machine emits several per fault).
    private void Crashed(PartitionId partition)
    {
        foreach (var gone in _held.Keys.Where(k => k.Lock.Process.Partition == partition)
            .ToList()) Drop(gone);
    }

    /// <summary>What the partition's calls held of the peer's is no longer theirs.</summary>
    private void SessionEnded(PeerStateChanged ended)
    {
        foreach (var gone in _held.Keys.Where(k => PeerSessions.Severs(ended, k.Task, k.Lock))
            .ToList()) Drop(gone);
    }

    private void Hold(LockTask task, LockId lockId)
    {
        var key = (task, lockId);
        var count = _held.GetValueOrDefault(key);
        _held[key] = count + 1;
        if (count > 0) return;
        if (!_heldBy.TryGetValue(task, out var locks))
            _heldBy[task] = locks = _spareLists.TryPop(out var spare) ? spare : new List<LockId>(4);
        locks.Add(lockId);
    }

    /// <summary>The task's hold on the lock ends, however many times it took it.</summary>
    private void Drop((LockTask Task, LockId Lock) hold)
    {
        _held.Remove(hold);
        var locks = _heldBy[hold.Task];
        locks.Remove(hold.Lock);
        if (locks.Count > 0) return;
        _heldBy.Remove(hold.Task);
        _spareLists.Push(locks);
    }

    /// <summary>A breach if blocking on <paramref name="wanted"/> is out of order.</summary>
    private CheckerBreach? Judge(LockTask task, LockId wanted, string verb)
    {
        if (wanted.Kind == LockKind.AttMutex) _takes++;
        else _waits++;
        if (!HoldsAnyBreaching(task, wanted)) return null;
        // Out of order: name the hold the machine-wide list has first, as a breach always did.
        foreach (var ((holder, held), _) in _held)
        {
            if (holder != task || KernelLockOrder.Breach(held, wanted) is not { } why) continue;
            return new CheckerBreach($"lock order: {task} {verb} {wanted} while holding {held}, "
                + why, task.Process);
        }
        return null;
    }

    private bool HoldsAnyBreaching(LockTask task, LockId wanted)
    {
        if (!_heldBy.TryGetValue(task, out var locks)) return false;
        foreach (var held in locks)
        {
            if (KernelLockOrder.Breach(held, wanted) is not null) return true;
        }
        return false;
    }

    public CheckerReport Final() =>
        new(Name, true, $"{Counted.Of(_waits, "wait")} and {Counted.Of(_takes, "att->mutex take")} "
            + "judged, every one in order");
}
