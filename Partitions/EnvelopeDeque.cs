using Akka.Actor;

namespace Emulator.Partitions;

/// <summary>
/// A mailbox's user messages: a ring of envelopes under one gate, pushed at the back (a tell) or
/// the front (Stash's unstash), taken from the front. Akka's unbounded deque starts every queue
/// with a 32-slot segment (~800 bytes), and the machine makes an actor per page fault that
/// receives one or two messages; this ring starts at four slots and doubles when full. Any
/// thread may tell; one takes (the mailbox's run).
///
/// The gate: a delivery takes it two or three times. A sim mailbox's tellers and its run are
/// nearly always the loop's one thread, so there it is a <see cref="SpinGate"/> (a third of a
/// <see cref="Lock"/>'s cost uncontended). A live mailbox is told from every worker while its
/// run takes on another, where a taker should block rather than spin against a holder the OS
/// has preempted: a <see cref="Lock"/> (measured the same either way in live).
/// </summary>
public sealed class EnvelopeDeque
{
    private const int InitialCapacity = 4;

    /// <summary>The gate of a deque told from several threads at once; null: the spin gate.
    /// </summary>
    private readonly Lock? _lock;
    private SpinGate _spin;
    private Envelope[] _ring = new Envelope[InitialCapacity];
    private int _head;
    private int _count;

    /// <summary>A deque whose tellers run on several threads at once when
    /// <paramref name="contended"/> (live), else mostly on one (sim).</summary>
    public EnvelopeDeque(bool contended = false) => _lock = contended ? new Lock() : null;

    public int Count => Volatile.Read(ref _count);

    public void Enqueue(Envelope envelope)
    {
        if (_lock is null)
        {
            using (_spin.Enter()) Push(envelope);
        }
        else
        {
            lock (_lock) Push(envelope);
        }
    }

    public void EnqueueFirst(Envelope envelope)
    {
        if (_lock is null)
        {
            using (_spin.Enter()) PushFirst(envelope);
        }
        else
        {
            lock (_lock) PushFirst(envelope);
        }
    }

    public bool TryDequeue(out Envelope envelope)
    {
        if (_lock is null)
        {
            using (_spin.Enter()) return TryTake(out envelope);
        }
        lock (_lock) return TryTake(out envelope);
    }

    // The ring's moves, each under the gate.

    private void Push(Envelope envelope)
    {
        if (_count == _ring.Length) Grow();
        _ring[(_head + _count) & (_ring.Length - 1)] = envelope;
        Volatile.Write(ref _count, _count + 1);
    }

    private void PushFirst(Envelope envelope)
    {
        if (_count == _ring.Length) Grow();
        _head = (_head - 1) & (_ring.Length - 1);
        _ring[_head] = envelope;
        Volatile.Write(ref _count, _count + 1);
    }

    private bool TryTake(out Envelope envelope)
    {
        if (_count == 0)
        {
            envelope = default;
            return false;
        }
        envelope = _ring[_head];
        // Let go of the message at once: a queue that once grew keeps its ring.
        _ring[_head] = default;
        _head = (_head + 1) & (_ring.Length - 1);
        Volatile.Write(ref _count, _count - 1);
        return true;
    }

    /// <summary>Twice the slots, the envelopes in order from slot 0.</summary>
    private void Grow()
    {
        var grown = new Envelope[_ring.Length * 2];
        var firstPart = Math.Min(_count, _ring.Length - _head);
        Array.Copy(_ring, _head, grown, 0, firstPart);
        Array.Copy(_ring, 0, grown, firstPart, _count - firstPart);
        _ring = grown;
        _head = 0;
    }
}
