using System.Collections;
using Emulator.Partitions.Locks;

namespace Emulator.Partitions.Checks;

/// <summary>
/// Who holds one lock: each task with its mode and how many times it holds it. A lock has one
/// or two holders at a time, so a few slots searched in turn replace the dictionary each lock of
/// the machine had (about 300 bytes a lock, 27,000 locks on the Altix run). The holders come out
/// in that dictionary's order (a freed slot is taken again first, the last freed first), since
/// the deadlock checker's search meets them in it: a breach names the cycle it always named.
/// Plain state.
/// </summary>
public class LockHolders : IEnumerable<KeyValuePair<LockTask, (LockMode Mode, int Count)>>
{
    private const int NoSlot = -1;

    // A free slot's Count is at most 0 and says which slot was freed before it: -1 - Count.
    private Slot[] _slots = [];
    private int _used;
    private int _lastFreed = NoSlot;
    private int _count;

    public int Count => _count;

    public bool ContainsKey(LockTask task) => Find(task) >= 0;

    public bool TryGetValue(LockTask task, out (LockMode Mode, int Count) hold)
    {
        var slot = Find(task);
        hold = slot >= 0 ? (_slots[slot].Mode, _slots[slot].Count) : default;
        return slot >= 0;
    }

    public (LockMode Mode, int Count) GetValueOrDefault(LockTask task) =>
        TryGetValue(task, out var hold) ? hold : default;

    /// <summary>Sets a hold, counted at least once (<see cref="Remove"/> ends one).</summary>
    public (LockMode Mode, int Count) this[LockTask task]
    {
        set
        {
            if (value.Count < 1)
                throw new ArgumentOutOfRangeException(nameof(value), "a hold counts at least 1");
            ref var hold = ref HoldOf(task);
            hold.Mode = value.Mode;
            hold.Count = value.Count;
        }
    }

    /// <summary>
    /// <paramref name="task"/> takes the lock (again) in <paramref name="mode"/>: one search,
    /// as for every acquisition, not a read and then a set.
    /// </summary>
    public void Take(LockTask task, LockMode mode)
    {
        ref var hold = ref HoldOf(task);
        hold.Mode = mode;
        hold.Count++;
    }

    /// <summary>
    /// One of <paramref name="task"/>'s holds ends (the last removes it); false if it holds
    /// none.
    /// </summary>
    public bool Release(LockTask task)
    {
        var slot = Find(task);
        if (slot < 0) return false;
        if (_slots[slot].Count > 1) _slots[slot].Count--;
        else Free(slot);
        return true;
    }

    public bool Remove(LockTask task)
    {
        var slot = Find(task);
        if (slot < 0) return false;
        Free(slot);
        return true;
    }

    /// <summary>
    /// <paramref name="task"/>'s slot, one search; a new task gets a free slot, counted 0.
    /// </summary>
    private ref Slot HoldOf(LockTask task)
    {
        var slot = Find(task);
        if (slot < 0)
        {
            slot = TakeSlot();
            _slots[slot] = new Slot { Task = task };
            _count++;
        }
        return ref _slots[slot];
    }

    private void Free(int slot)
    {
        _slots[slot] = new Slot { Count = -1 - _lastFreed };
        _lastFreed = slot;
        _count--;
    }

    public Enumerator GetEnumerator() => new(this);

    IEnumerator<KeyValuePair<LockTask, (LockMode Mode, int Count)>>
        IEnumerable<KeyValuePair<LockTask, (LockMode Mode, int Count)>>.GetEnumerator() =>
        GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int Find(LockTask task)
    {
        for (var i = 0; i < _used; i++)
        {
            if (_slots[i].Count > 0 && _slots[i].Task == task) return i;
        }
        return NoSlot;
    }

    private int TakeSlot()
    {
        if (_lastFreed != NoSlot)
        {
            var slot = _lastFreed;
            _lastFreed = -1 - _slots[slot].Count;
            return slot;
        }
        if (_used == _slots.Length) Array.Resize(ref _slots, Math.Max(2, _slots.Length * 2));
        return _used++;
    }

    private struct Slot
    {
        public LockTask Task;
        public LockMode Mode;
        public int Count;
    }

    /// <summary>The holders in slot order; the holders must not change meanwhile.</summary>
    public struct Enumerator(LockHolders holders)
        : IEnumerator<KeyValuePair<LockTask, (LockMode Mode, int Count)>>
    {
        private int _slot = -1;

        public readonly KeyValuePair<LockTask, (LockMode Mode, int Count)> Current
        {
            get
            {
                var slot = holders._slots[_slot];
                return new(slot.Task, (slot.Mode, slot.Count));
            }
        }

        readonly object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            while (++_slot < holders._used)
            {
                if (holders._slots[_slot].Count > 0) return true;
            }
            return false;
        }

        public void Reset() => _slot = -1;

        public readonly void Dispose()
        {
        }
    }
}
