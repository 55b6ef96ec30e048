using System.Runtime.InteropServices;
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
    /// Each task's holds: a wait is judged against its own task's, not against every hold of the
    /// machine (thousands at once on the Altix run, scanned for each wait).
    /// </summary>
    private readonly Dictionary<LockTask, List<TaskHold>> _heldBy = [];
    // A task's list goes back here when it holds nothing, for the next task (one per call).
    private readonly Stack<List<TaskHold>> _spareLists = new();
    private readonly HoldSlots _slots = new();
    private readonly PeerSessions _sessions = new();
    private long _waits;
    private long _takes;

    public string Name => "lock order";

    public CheckerBreach? Observe(MachineEvent e)
    {
        switch (e)
        {
            case LockWaiting waiting:
                return On(waiting);
            case LockAcquired acquired:
                return On(acquired);
            case LockReleased released:
                On(released);
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

    public CheckerBreach? On(LockWaiting waiting) => OnWaiting(waiting.Lock, waiting.Task);

    public CheckerBreach? On(LockAcquired acquired) => OnAcquired(acquired.Lock, acquired.Task);

    public void On(LockReleased released) => OnReleased(released.Lock, released.Task);

    /// <summary>A <see cref="LockWaiting"/>, as values (any mode is judged alike).</summary>
    public CheckerBreach? OnWaiting(LockId id, LockTask task) =>
        _sessions.Owns(task, id) ? Judge(task, id, "waits for") : null;

    /// <summary>A <see cref="LockAcquired"/>, as values (any mode is judged alike).</summary>
    public CheckerBreach? OnAcquired(LockId id, LockTask task)
    {
        if (!_sessions.Owns(task, id)) return null;
        var breach = id.Kind == LockKind.AttMutex ? Judge(task, id, "takes") : null;
        Hold(task, id);
        return breach;
    }

    /// <summary>A <see cref="LockReleased"/>, as values.</summary>
    public void OnReleased(LockId id, LockTask task) => Release(task, id);

    // A method of its own: a lambda in Observe would have C# make its closure as Observe starts,
    // for every event (32 bytes each; the machine emits several per fault).
    private void Crashed(PartitionId partition) =>
        DropAll(HoldsWhere(partition, static (partition, _, held) =>
            held.Process.Partition == partition));

    /// <summary>What the partition's calls held of the peer's is no longer theirs.</summary>
    private void SessionEnded(PeerStateChanged ended) =>
        DropAll(HoldsWhere(ended, static (ended, task, held) =>
            PeerSessions.Severs(ended, task, held)));

    private List<(int Slot, LockTask Task, LockId Lock)> HoldsWhere<T>(T arg,
        Func<T, LockTask, LockId, bool> gone)
    {
        var found = new List<(int Slot, LockTask Task, LockId Lock)>();
        foreach (var (task, holds) in _heldBy)
        {
            foreach (var hold in holds)
            {
                if (gone(arg, task, hold.Lock)) found.Add((hold.Slot, task, hold.Lock));
            }
        }
        return found;
    }

    /// <summary>Drops holds in slot order, as the dictionary of holds was emptied.</summary>
    private void DropAll(List<(int Slot, LockTask Task, LockId Lock)> gone)
    {
        gone.Sort((a, b) => a.Slot.CompareTo(b.Slot));
        foreach (var (_, task, held) in gone)
        {
            var holds = _heldBy[task];
            Drop(task, holds, IndexOf(holds, held));
        }
    }

    private void Hold(LockTask task, LockId lockId)
    {
        if (!_heldBy.TryGetValue(task, out var holds))
            _heldBy[task] = holds = _spareLists.TryPop(out var spare) ? spare : new(4);
        var index = IndexOf(holds, lockId);
        if (index >= 0) CollectionsMarshal.AsSpan(holds)[index].Count++;
        else holds.Add(new TaskHold(lockId, _slots.Take()));
    }

    /// <summary>One hold of the task's ends (a task may hold a read twice).</summary>
    private void Release(LockTask task, LockId lockId)
    {
        if (!_heldBy.TryGetValue(task, out var holds)) return;
        var index = IndexOf(holds, lockId);
        if (index < 0) return;
        if (holds[index].Count > 1) CollectionsMarshal.AsSpan(holds)[index].Count--;
        else Drop(task, holds, index);
    }

    /// <summary>The task's hold on the lock ends, however many times it took it.</summary>
    private void Drop(LockTask task, List<TaskHold> holds, int index)
    {
        _slots.Free(holds[index].Slot);
        holds.RemoveAt(index);
        if (holds.Count > 0) return;
        _heldBy.Remove(task);
        _spareLists.Push(holds);
    }

    private static int IndexOf(List<TaskHold> holds, LockId lockId)
    {
        for (var i = 0; i < holds.Count; i++)
        {
            if (holds[i].Lock == lockId) return i;
        }
        return -1;
    }

    /// <summary>A breach if blocking on <paramref name="wanted"/> is out of order.</summary>
    private CheckerBreach? Judge(LockTask task, LockId wanted, string verb)
    {
        if (wanted.Kind == LockKind.AttMutex) _takes++;
        else _waits++;
        if (!_heldBy.TryGetValue(task, out var holds)) return null;
        // Of two holds out of order, the one in the lower slot is named, as it always was.
        (int Slot, LockId Lock, string Why)? first = null;
        foreach (var hold in holds)
        {
            if (KernelLockOrder.Breach(hold.Lock, wanted) is not { } why) continue;
            if (first is null || hold.Slot < first.Value.Slot) first = (hold.Slot, hold.Lock, why);
        }
        if (first is not { } named) return null;
        return new CheckerBreach($"lock order: {task} {verb} {wanted} while holding "
            + $"{named.Lock}, {named.Why}", task.Process);
    }

    public CheckerReport Final() =>
        new(Name, true, $"{Counted.Of(_waits, "wait")} and {Counted.Of(_takes, "att->mutex take")} "
            + "judged, every one in order");

    /// <summary>
    /// A task's hold on a lock: how many times it holds it, and its slot (see
    /// <see cref="HoldSlots"/>).
    /// </summary>
    private record struct TaskHold(LockId Lock, int Slot)
    {
        public int Count = 1;
    }
}

/// <summary>
/// Numbers holds as the one dictionary of every hold the lock order checker kept did its
/// entries: a new hold takes the slot freed last, else the next unused one. A breach names, of a
/// task's holds out of order, the one that dictionary listed first: the lowest slot. Plain state.
/// </summary>
public sealed class HoldSlots
{
    private readonly Stack<int> _freed = new();
    private int _used;

    public int Take() => _freed.TryPop(out var slot) ? slot : _used++;

    public void Free(int slot) => _freed.Push(slot);
}
