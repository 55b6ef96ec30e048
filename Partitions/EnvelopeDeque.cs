using Akka.Actor;

namespace Emulator.Partitions;

/// <summary>
/// A mailbox's user messages: a ring of envelopes under one gate (a <see cref="SpinGate"/>: a
/// delivery takes it two or three times), pushed at the back (a tell) or the front (Stash's
/// unstash), taken from the front. Akka's unbounded deque starts every queue with a 32-slot
/// segment (~800 bytes), and the machine makes an actor per page fault that receives one or two
/// messages; this ring starts at four slots and doubles when full. Any thread may tell; one
/// takes (the mailbox's run).
/// </summary>
public sealed class EnvelopeDeque
{
    private const int InitialCapacity = 4;

    private SpinGate _gate;
    private Envelope[] _ring = new Envelope[InitialCapacity];
    private int _head;
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Enqueue(Envelope envelope)
    {
        using (_gate.Enter())
        {
            if (_count == _ring.Length) Grow();
            _ring[(_head + _count) & (_ring.Length - 1)] = envelope;
            Volatile.Write(ref _count, _count + 1);
        }
    }

    public void EnqueueFirst(Envelope envelope)
    {
        using (_gate.Enter())
        {
            if (_count == _ring.Length) Grow();
            _head = (_head - 1) & (_ring.Length - 1);
            _ring[_head] = envelope;
            Volatile.Write(ref _count, _count + 1);
        }
    }

    public bool TryDequeue(out Envelope envelope)
    {
        using (_gate.Enter())
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
    }

    /// <summary>Twice the slots, the envelopes in order from slot 0 (the caller holds the
    /// lock).</summary>
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
