namespace Emulator.Partitions.Locks;

/// <summary>
/// The reads a read-write lock's tasks hold, by task (a task may hold more than one), and how
/// many in all: the one count <see cref="MmLock"/> and <see cref="SegSema"/> both keep.
/// </summary>
public sealed class ReadHolds(LockId id)
{
    private readonly Dictionary<LockTask, int> _byTask = [];

    /// <summary>Reads held, counting each of a task's.</summary>
    public int Count { get; private set; }

    public void Add(LockTask task)
    {
        _byTask[task] = _byTask.GetValueOrDefault(task) + 1;
        Count++;
    }

    /// <summary>One of <paramref name="task"/>'s reads ends (it must hold one).</summary>
    public void Remove(LockTask task)
    {
        Invariant.Holds(_byTask.TryGetValue(task, out var held),
            $"{id}: released for read by {task}, which holds no read");
        if (held == 1) _byTask.Remove(task);
        else _byTask[task] = held - 1;
        Count--;
    }
}
