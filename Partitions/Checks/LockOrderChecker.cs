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
    /// <summary>The holds now, by task and lock (a task may hold a read twice).</summary>
    private readonly Dictionary<(LockTask Task, LockId Lock), int> _held = [];
    private long _judged;

    public string Name => "lock order";

    public CheckerBreach? Observe(MachineEvent e)
    {
        switch (e)
        {
            case LockWaiting waiting:
                _judged++;
                return Judge(waiting);
            case LockAcquired acquired:
                var key = (acquired.Task, acquired.Lock);
                _held[key] = _held.GetValueOrDefault(key) + 1;
                break;
            case LockReleased released:
                var hold = (released.Task, released.Lock);
                if (!_held.TryGetValue(hold, out var count)) break;
                if (count > 1) _held[hold] = count - 1;
                else _held.Remove(hold);
                break;
            case PartitionCrashed crashed:
                foreach (var gone in _held.Keys
                    .Where(k => k.Lock.Process.Partition == crashed.Partition).ToList())
                    _held.Remove(gone);
                break;
        }
        return null;
    }

    /// <summary>A wait for an mm while holding one that ranks above it breaks the rule.</summary>
    private CheckerBreach? Judge(LockWaiting waiting)
    {
        foreach (var ((task, held), _) in _held)
        {
            if (task != waiting.Task || held == waiting.Lock
                || LockId.Rank(held.Process, waiting.Lock.Process) < 0) continue;
            return new CheckerBreach($"lock order: {waiting.Task} waits for "
                + $"{waiting.Lock} while holding {held}, which ranks above it (the kernel "
                + "takes the lower-ranked mm first and only tries the other)",
                waiting.Task.Process);
        }
        return null;
    }

    public CheckerReport Final() =>
        new(Name, true, $"{Counted.Of(_judged, "wait")} judged, every one in order");
}
