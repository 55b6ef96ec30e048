using Emulator.Partitions.Locks;

namespace Emulator.Partitions.Checks;

/// <summary>
/// The kernel's lock order, asserted on every wait (<c>lock-order = kernel</c> only): a task that
/// holds one process's mm may wait for another's only if that one ranks higher (xpmem-spec 3.3
/// step 5, "the lower-addressed mm first"); a lower one it may only try. Trylocks never wait, so
/// only waits are judged. A breach names the two locks.
/// </summary>
public sealed class LockOrderChecker : IChecker
{
    private readonly Dictionary<LockTask, Dictionary<LockId, int>> _held = [];
    private long _judged;

    public string Name => "lock order";

    public CheckerBreach? Observe(MachineEvent e)
    {
        switch (e)
        {
            case LockWaiting { Lock.Kind: LockKind.MmapSem } waiting:
                _judged++;
                if (!_held.TryGetValue(waiting.Task, out var locks)) break;
                foreach (var (held, _) in locks)
                {
                    if (held.Kind != LockKind.MmapSem || held == waiting.Lock
                        || LockId.Rank(held.Process, waiting.Lock.Process) < 0) continue;
                    return new CheckerBreach($"lock order: {waiting.Task} waits for "
                        + $"{waiting.Lock} while holding {held}, which ranks above it (the kernel "
                        + "takes the lower-ranked mm first and only tries the other)",
                        waiting.Task.Process);
                }
                break;
            case LockAcquired acquired:
                if (!_held.TryGetValue(acquired.Task, out var mine))
                    _held[acquired.Task] = mine = [];
                mine[acquired.Lock] = mine.GetValueOrDefault(acquired.Lock) + 1;
                break;
            case LockReleased released:
                if (!_held.TryGetValue(released.Task, out var taken)
                    || !taken.TryGetValue(released.Lock, out var count)) break;
                if (count > 1) taken[released.Lock] = count - 1;
                else if (taken.Remove(released.Lock) && taken.Count == 0)
                    _held.Remove(released.Task);
                break;
            case PartitionCrashed crashed:
                foreach (var (task, holds) in _held.ToList())
                {
                    foreach (var id in holds.Keys.Where(l => l.Process.Partition
                        == crashed.Partition).ToList()) holds.Remove(id);
                    if (holds.Count == 0) _held.Remove(task);
                }
                break;
        }
        return null;
    }

    public CheckerReport Final() =>
        new(Name, true, $"{Counted.Of(_judged, "wait")} judged, every one in order");
}
