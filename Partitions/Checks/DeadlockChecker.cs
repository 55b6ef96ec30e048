using System.Text;
using Emulator.Partitions.Locks;
using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Checks;

/// <summary>
/// No deadlock: a wait-for graph of the locks the actors hold and await (lock events), checked
/// each time an edge can appear. A task (a call) waiting for a lock waits for every holder whose
/// mode conflicts with the one it wants, and for every waiter queued ahead of it that conflicts
/// (a read-write semaphore grants in order, with writer preference). A cycle is a deadlock: the
/// tasks in it wait for each other for ever, whatever a deadline may later break. The breach
/// names the cycle: each task, the lock it waits for, and whom it waits for there. A task may wait
/// for several locks at once (a munmap's recalls of two segments wait for both semas): it waits
/// for the blockers of each. A task's holds and waits on a peer's locks end as its partition
/// declares the peer GOINGDOWN (<see cref="PeerSessions"/>): the peer's serving side keeps them
/// until it notices too, and waits for nothing meanwhile.
/// </summary>
public sealed class DeadlockChecker : IChecker
{
    /// <summary>
    /// Who holds a lock (it is its holders) and who waits for it, in arrival order. Kept while
    /// its process lives (a lock is taken again and again: no state is made per acquisition).
    /// One object, its waiters made at the first wait: every lock event of the machine (nine a
    /// fault) reads it, and a holders object and a waiters list beside it were two more jumps.
    /// </summary>
    private sealed class LockState : LockHolders
    {
        private static readonly List<(LockTask Task, LockMode Mode)> NoWaiters = [];
        private List<(LockTask Task, LockMode Mode)>? _waiters;

        /// <summary>The waiters, in arrival order (read only: <see cref="Wait"/> adds).</summary>
        public List<(LockTask Task, LockMode Mode)> Waiters => _waiters ?? NoWaiters;

        public void Wait(LockTask task, LockMode mode) => (_waiters ??= []).Add((task, mode));
    }

    private readonly Dictionary<LockId, LockState> _locks = [];
    /// <summary>Each process's locks: a process that stops takes its locks along, and looking
    /// for them among every lock of the machine made the Altix run quadratic.</summary>
    private readonly Dictionary<TgId, List<LockId>> _byProcess = [];
    /// <summary>The locks each waiting task waits for (nearly always one).</summary>
    private readonly Dictionary<LockTask, List<LockId>> _waitingFor = [];
    private readonly PeerSessions _sessions = new();
    private long _waits;
    private long _acquisitions;

    public string Name => "no deadlock";

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
                // Its locks are gone without a word, and whoever waited there with them.
                foreach (var process in OnPartition(crashed.Partition)) Forget(process);
                break;
            case ThreadGroupStopped stopped:
                Forget(stopped.Tg);
                break;
            case PeerStateChanged changed:
                if (_sessions.Observe(changed) is { } ended) SessionEnded(ended);
                break;
        }
        return null;
    }

    public CheckerBreach? On(LockWaiting waiting) =>
        OnWaiting(waiting.Lock, waiting.Task, waiting.Access);

    public CheckerBreach? On(LockAcquired acquired) =>
        OnAcquired(acquired.Lock, acquired.Task, acquired.Access);

    public void On(LockReleased released) => OnReleased(released.Lock, released.Task);

    /// <summary>A <see cref="LockWaiting"/>, as values.</summary>
    public CheckerBreach? OnWaiting(LockId id, LockTask task, LockMode mode) =>
        _sessions.Owns(task, id) ? Waiting(id, task, mode) : null;

    /// <summary>A <see cref="LockAcquired"/>, as values.</summary>
    public CheckerBreach? OnAcquired(LockId id, LockTask task, LockMode mode) =>
        _sessions.Owns(task, id) ? Acquired(id, task, mode) : null;

    /// <summary>A hold ends (one of a task's reads), or else a wait does.</summary>
    public void OnReleased(LockId id, LockTask task)
    {
        if (!_locks.TryGetValue(id, out var state)) return;
        if (!state.Release(task)) StopWaiting(state, id, task);
    }

    /// <summary>
    /// The partition's calls hold and wait for nothing of the peer's any more; whoever waits
    /// behind those holds waits for the peer's own teardown, which is no edge.
    /// </summary>
    private void SessionEnded(PeerStateChanged ended)
    {
        foreach (var process in OnPartition(ended.Peer))
        {
            foreach (var id in _byProcess[process])
            {
                var state = _locks[id];
                var severed = state
                    .Where(hold => PeerSessions.Severs(ended, hold.Key, id)).ToList();
                foreach (var (task, _) in severed) state.Remove(task);
                var stopped = state.Waiters
                    .Where(waiter => PeerSessions.Severs(ended, waiter.Task, id)).ToList();
                foreach (var (task, _) in stopped) StopWaiting(state, id, task);
            }
        }
    }

    // A method of its own: a lambda in Observe would have C# make its closure as Observe starts,
    // for every event (32 bytes each; the machine emits several per fault).
    private List<TgId> OnPartition(PartitionId partition) =>
        [.. _byProcess.Keys.Where(process => process.Partition == partition)];

    private CheckerBreach? Waiting(LockId id, LockTask task, LockMode mode)
    {
        _waits++;
        StateOf(id).Wait(task, mode);
        if (!_waitingFor.TryGetValue(task, out var awaited))
            _waitingFor[task] = awaited = new List<LockId>(1);
        if (!awaited.Contains(id)) awaited.Add(id);
        return CycleFrom(task);
    }

    private CheckerBreach? Acquired(LockId id, LockTask task, LockMode mode)
    {
        _acquisitions++;
        var state = StateOf(id);
        StopWaiting(state, id, task);
        state.Take(task, mode);
        // A new holder is a new edge from everyone still waiting for the lock.
        foreach (var (waiter, _) in state.Waiters)
        {
            if (CycleFrom(waiter) is { } breach) return breach;
        }
        return null;
    }

    public CheckerReport Final() => new(Name, true,
        $"{Counted.Of(_waits, "lock wait")}, {Counted.Of(_acquisitions, "acquisition")}, "
        + "no cycle");

    private LockState StateOf(LockId id)
    {
        if (_locks.TryGetValue(id, out var state)) return state;
        _locks[id] = state = new LockState();
        if (!_byProcess.TryGetValue(id.Process, out var ofProcess))
            _byProcess[id.Process] = ofProcess = [];
        ofProcess.Add(id);
        return state;
    }

    private void StopWaiting(LockState state, LockId id, LockTask task)
    {
        // A loop, not FindIndex: its lambda would capture the task, a closure per acquisition.
        for (var i = 0; i < state.Waiters.Count; i++)
        {
            if (state.Waiters[i].Task != task) continue;
            state.Waiters.RemoveAt(i);
            NoLongerAwaits(task, id);
            return;
        }
        // Not among the waiters: the lock is not among those it awaits either (a wait puts it
        // in both), so most acquisitions, which never waited, look nothing more up.
    }

    /// <summary><paramref name="task"/> waits for <paramref name="id"/> no more.</summary>
    private void NoLongerAwaits(LockTask task, LockId id)
    {
        if (_waitingFor.TryGetValue(task, out var awaited) && awaited.Remove(id)
            && awaited.Count == 0) _waitingFor.Remove(task);
    }

    private void Forget(TgId process)
    {
        if (!_byProcess.Remove(process, out var gone)) return;
        foreach (var id in gone)
        {
            foreach (var (task, _) in _locks[id].Waiters) NoLongerAwaits(task, id);
            _locks.Remove(id);
        }
    }

    /// <summary>Whom <paramref name="task"/> waits for, in each lock it waits for.</summary>
    private IEnumerable<(LockTask Blocker, LockMode Mode, LockId Lock)> BlockersOf(LockTask task)
    {
        if (!_waitingFor.TryGetValue(task, out var awaited)) yield break;
        foreach (var id in awaited)
        {
            foreach (var (blocker, mode) in BlockersIn(task, id)) yield return (blocker, mode, id);
        }
    }

    /// <summary>Whom <paramref name="task"/> waits for in lock <paramref name="id"/>.</summary>
    private IEnumerable<(LockTask Blocker, LockMode Mode)> BlockersIn(LockTask task, LockId id)
    {
        var state = _locks[id];
        var wanted = LockMode.Read;
        foreach (var (waiter, mode) in state.Waiters)
        {
            if (waiter == task)
            {
                wanted = mode;
                break;
            }
        }
        foreach (var (holder, (mode, _)) in state)
        {
            if (Conflict(wanted, mode)) yield return (holder, mode);
        }
        foreach (var (waiter, mode) in state.Waiters)
        {
            if (waiter == task) yield break;
            if (Conflict(wanted, mode)) yield return (waiter, mode);
        }
    }

    private static bool Conflict(LockMode a, LockMode b) =>
        a == LockMode.Write || b == LockMode.Write;

    /// <summary>A cycle of waits through <paramref name="start"/>, as a breach, or null.</summary>
    private CheckerBreach? CycleFrom(LockTask start)
    {
        var path = new List<(LockTask Task, LockTask Blocker, LockMode Mode, LockId Lock)>();
        var visited = new HashSet<LockTask>();
        return Search(start) ? Describe(path) : null;

        bool Search(LockTask task)
        {
            if (!visited.Add(task)) return false;
            foreach (var (blocker, mode, id) in BlockersOf(task))
            {
                path.Add((task, blocker, mode, id));
                if (blocker == start || Search(blocker)) return true;
                path.RemoveAt(path.Count - 1);
            }
            return false;
        }
    }

    private CheckerBreach Describe(
        List<(LockTask Task, LockTask Blocker, LockMode Mode, LockId Lock)> path)
    {
        var text = new StringBuilder("deadlock: a cycle of waits: ");
        for (var i = 0; i < path.Count; i++)
        {
            var (task, blocker, mode, id) = path[i];
            var how = _locks[id].ContainsKey(blocker) ? "held" : "awaited";
            if (i > 0) text.Append("; ");
            text.Append($"{task} waits for {id}, {how} by {blocker} ({Lower(mode)})");
        }
        return new CheckerBreach(text.ToString(), path[0].Task.Process);
    }

    private static string Lower(LockMode mode) => mode == LockMode.Read ? "read" : "write";
}
