using Akka.Dispatch;

namespace Emulator.Partitions.Sim;

/// <summary>
/// The simulated mailboxes that have work, kept sorted by each mailbox's registration number
/// (given once, when its actor attaches to a sim dispatcher). The loop picks an index at random,
/// so the order of this list is part of the schedule: sorting by a number the schedule itself
/// decided makes it independent of the order in which Akka happened to register the mailboxes
/// (a stopping parent visits its children in an order .NET randomizes per process). Each entry
/// also keeps the loop step during which it became ready, for the first-come order strategies
/// and recorded schedules count from (<see cref="OldestIndex"/>): a step, not the order of
/// arrival, which within one step is that same per-process order.
/// Not thread-safe: <see cref="SimLoop"/> holds its lock around every call.
/// </summary>
internal sealed class SimReadySet
{
    private readonly Dictionary<Mailbox, long> _numbers = new(ReferenceEqualityComparer.Instance);
    private readonly List<Entry> _ready = new();
    private long _numberNext;
    private long _step;

    public int Count => _ready.Count;

    public bool IsAdopted(Mailbox mailbox) => _numbers.ContainsKey(mailbox);

    /// <summary>Gives the mailbox its registration number; from now on it is simulated.</summary>
    public void Adopt(Mailbox mailbox)
    {
        if (!_numbers.TryAdd(mailbox, _numberNext))
        {
            throw new InvalidOperationException("A mailbox was attached to the sim loop twice.");
        }
        if (mailbox.MessageQueue is SimMessageQueue queue) queue.SimNumber = _numberNext;
        _numberNext++;
    }

    /// <summary>Forgets a detached mailbox (its actor has stopped).</summary>
    public void Release(Mailbox mailbox)
    {
        if (!_numbers.Remove(mailbox, out var number)) return;
        if (mailbox.MessageQueue is SimMessageQueue queue) queue.SimNumber = -1;
        var index = IndexOf(number);
        if (index >= 0) _ready.RemoveAt(index);
    }

    /// <summary>Adds a simulated mailbox; false if the mailbox is not simulated.</summary>
    public bool TryAdd(Mailbox mailbox)
    {
        if (!TryNumberOf(mailbox, out var number)) return false;
        var index = IndexOf(number);
        if (index >= 0)
        {
            // Akka's Scheduled status bit lets a mailbox be registered once until it has run.
            throw new InvalidOperationException($"Mailbox #{number} was made ready twice.");
        }
        _ready.Insert(~index, new Entry(number, mailbox, _step));
        return true;
    }

    /// <summary>The registration number of the entry at <paramref name="index"/>.</summary>
    public long NumberAt(int index) => _ready[index].Number;

    /// <summary>
    /// A new step of the loop begins: mailboxes made ready from now on (by the step, or by work
    /// elsewhere before the next) became ready after every one ready now.
    /// </summary>
    public void NextStep() => _step++;

    /// <summary>
    /// The index of the entry that became ready in the earliest step, the lowest registration
    /// number among those (the set is not empty).
    /// </summary>
    public int OldestIndex()
    {
        var oldest = 0;
        for (var index = 1; index < _ready.Count; index++)
        {
            if (_ready[index].ReadySince < _ready[oldest].ReadySince) oldest = index;
        }
        return oldest;
    }

    public Mailbox TakeAt(int index)
    {
        var entry = _ready[index];
        _ready.RemoveAt(index);
        return entry.Mailbox;
    }

    /// <summary>
    /// The mailbox's registration number: read off its sim queue (every delivery asks, so this
    /// is the hot path), else looked up; false when the mailbox is not simulated.
    /// </summary>
    private bool TryNumberOf(Mailbox mailbox, out long number)
    {
        if (mailbox.MessageQueue is SimMessageQueue { SimNumber: >= 0 } queue)
        {
            number = queue.SimNumber;
            return true;
        }
        return _numbers.TryGetValue(mailbox, out number);
    }

    /// <summary>
    /// Index of <paramref name="number"/>, or the complement of where it would go.
    /// </summary>
    private int IndexOf(long number)
    {
        var low = 0;
        var high = _ready.Count - 1;
        while (low <= high)
        {
            var middle = low + (high - low) / 2;
            var found = _ready[middle].Number;
            if (found == number) return middle;
            if (found < number) low = middle + 1;
            else high = middle - 1;
        }
        return ~low;
    }

    private readonly record struct Entry(long Number, Mailbox Mailbox, long ReadySince);
}
