using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Xpc;

/// <summary>
/// The sender's half of one channel (one endpoint to one peer): numbers what it sends, keeps it
/// until the peer acknowledges it, and says how long to wait before sending it again (bounded
/// exponential backoff). Plain state, no Akka: the endpoint owns one per peer.
/// </summary>
internal sealed class OutboundChannel(XpcSettings settings)
{
    private readonly Queue<XpcActor.Sequenced> _unacknowledged = new();

    /// <summary>The highest sequence number given out; the first message is 1.</summary>
    public long Sent { get; private set; }

    /// <summary>How long the next wait for an ack lasts.</summary>
    public TimeSpan Backoff { get; private set; } = settings.RetransmitInterval;

    public bool HasUnacknowledged => _unacknowledged.Count > 0;

    /// <summary>What the peer has not acknowledged yet, oldest first.</summary>
    public IEnumerable<XpcActor.Sequenced> Unacknowledged => _unacknowledged;

    /// <summary>Numbers <paramref name="message"/> and keeps it until it is acknowledged.</summary>
    public XpcActor.Sequenced Accept(PartitionId from, Endpoint to, object message,
        long acknowledged)
    {
        var packet = new XpcActor.Sequenced(from, ++Sent, acknowledged, to, message);
        _unacknowledged.Enqueue(packet);
        return packet;
    }

    /// <summary>
    /// The peer has everything up to <paramref name="upTo"/> (acks are cumulative): forgets it.
    /// True when that was something new; the backoff then starts over.
    /// </summary>
    public bool Acknowledge(long upTo)
    {
        Invariant.Holds(upTo <= Sent, $"an ack for {upTo} of {Sent} messages sent");
        var progressed = false;
        while (_unacknowledged.Count > 0 && _unacknowledged.Peek().Sequence <= upTo)
        {
            _unacknowledged.Dequeue();
            progressed = true;
        }
        if (progressed) Backoff = settings.RetransmitInterval;
        return progressed;
    }

    /// <summary>The peer is back after a silence: the next wait is the first one again.</summary>
    public void StartOver() => Backoff = settings.RetransmitInterval;

    /// <summary>
    /// A wait ended without an ack: the next one is twice as long, at most
    /// <see cref="XpcSettings.RetransmitIntervalMax"/>. Returns it.
    /// </summary>
    public TimeSpan BackOff()
    {
        var doubled = Backoff * 2;
        Backoff = doubled < settings.RetransmitIntervalMax
            ? doubled : settings.RetransmitIntervalMax;
        return Backoff;
    }
}

/// <summary>
/// The receiver's half of one channel (one peer to this endpoint): hands over each message once,
/// in the order it was sent, whatever order and however many times the link brings it.
/// </summary>
internal sealed class InboundChannel
{
    private readonly SortedDictionary<long, XpcActor.Sequenced> _early = [];

    /// <summary>
    /// The highest sequence number handed over with every one before it: the cumulative ack.
    /// </summary>
    public long Delivered { get; private set; }

    /// <summary>Messages that came before one sent earlier, waiting for it.</summary>
    public int EarlyCount => _early.Count;

    /// <summary>
    /// Takes <paramref name="packet"/>; returns what can be handed over now, in order: nothing
    /// for a duplicate or a message that came early, else it and the early ones it was holding up.
    /// </summary>
    public IReadOnlyList<XpcActor.Sequenced> Receive(XpcActor.Sequenced packet)
    {
        if (packet.Sequence != Delivered + 1)
        {
            if (packet.Sequence > Delivered) _early.TryAdd(packet.Sequence, packet);
            return [];
        }
        var ready = new List<XpcActor.Sequenced> { packet };
        Delivered = packet.Sequence;
        while (_early.Remove(Delivered + 1, out var next))
        {
            ready.Add(next);
            Delivered = next.Sequence;
        }
        return ready;
    }
}

/// <summary>
/// Whether one peer is alive, by its heartbeats: any packet from it counts as a beat. Missing
/// <c>missedMax</c> beat intervals in a row makes it unreachable; one word from it, reachable.
/// </summary>
internal sealed class PeerWatch(int missedMax)
{
    private bool _heard;
    private int _missed;

    public bool Reachable { get; private set; } = true;

    /// <summary>A heartbeat interval ended. True when the peer just turned unreachable.</summary>
    public bool Tick()
    {
        _missed = _heard ? 0 : _missed + 1;
        _heard = false;
        if (!Reachable || _missed < missedMax) return false;
        Reachable = false;
        return true;
    }

    /// <summary>A packet came from the peer. True when it was unreachable until now.</summary>
    public bool Heard()
    {
        _heard = true;
        _missed = 0;
        if (Reachable) return false;
        Reachable = true;
        return true;
    }
}
