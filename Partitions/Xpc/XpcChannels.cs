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

    /// <summary>
    /// Numbers <paramref name="message"/> (in session <paramref name="epoch"/>) and keeps it
    /// until it is acknowledged.
    /// </summary>
    public XpcActor.Sequenced Accept(PartitionId from, long epoch, Endpoint to, object message,
        long acknowledged)
    {
        var packet = new XpcActor.Sequenced(from, epoch, ++Sent, acknowledged, to, message);
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

    /// <summary>
    /// The session with the peer ended (it was declared down): what it was owed is dropped (the
    /// requests it carried have failed already) and numbering starts over at 1.
    /// </summary>
    public void Reset()
    {
        _unacknowledged.Clear();
        Sent = 0;
        Backoff = settings.RetransmitInterval;
    }

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
    private readonly List<XpcActor.Sequenced> _ready = [];

    /// <summary>
    /// The highest sequence number handed over with every one before it: the cumulative ack.
    /// </summary>
    public long Delivered { get; private set; }

    /// <summary>Messages that came before one sent earlier, waiting for it.</summary>
    public int EarlyCount => _early.Count;

    /// <summary>
    /// Takes <paramref name="packet"/>; returns what can be handed over now, in order: nothing
    /// for a duplicate or a message that came early, else it and the early ones it was holding up.
    /// The list is the channel's own, good until the next call: one per packet was most of what
    /// receiving cost.
    /// </summary>
    public List<XpcActor.Sequenced> Receive(XpcActor.Sequenced packet)
    {
        _ready.Clear();
        if (packet.Sequence != Delivered + 1)
        {
            if (packet.Sequence > Delivered) _early.TryAdd(packet.Sequence, packet);
            return _ready;
        }
        _ready.Add(packet);
        Delivered = packet.Sequence;
        while (_early.Remove(Delivered + 1, out var next))
        {
            _ready.Add(next);
            Delivered = next.Sequence;
        }
        return _ready;
    }

    /// <summary>The session ended: numbering starts over, and what came early is dropped.</summary>
    public void Reset()
    {
        _early.Clear();
        Delivered = 0;
    }
}

/// <summary>What a packet from a peer is, given the session it carries.</summary>
internal enum Hearing
{
    /// <summary>Of the current session: handle it.</summary>
    Current,

    /// <summary>Of a session that ended, or of one we cannot join yet: drop it.</summary>
    Stale,

    /// <summary>Of a newer session than ours: the peer started over (it declared us down, or it
    /// restarted), so ours must end now; the packet is dropped.</summary>
    Superseded,

    /// <summary>It ends a disconnection: the session it carries is ours from now on.</summary>
    Reconnected,
}

/// <summary>
/// The connection to one peer (SGI's XPC channel state): the session (epoch) both sides number
/// their packets in, and whether it is connected. Missing <c>missedMax</c> beat intervals in a
/// row disconnects it, and so does a packet of a newer session; a new session starts one above
/// the last. Disconnected, it connects again on the first packet of a session at least its own,
/// once the partition has torn down everything of the last one (so nothing of the old session
/// ever meets the new one). Plain state, no Akka: the endpoint owns one per peer.
/// </summary>
internal sealed class PeerConnection(int missedMax)
{
    private bool _heard;
    private int _missed;
    private bool _tornDown;

    /// <summary>The session packets are numbered in; 1 at boot.</summary>
    public long Epoch { get; private set; } = 1;

    public bool Connected { get; private set; } = true;

    /// <summary>A heartbeat interval ended. True when the peer just went silent too long:
    /// the connection ended (the next session is one above).</summary>
    public bool Tick()
    {
        _missed = _heard ? 0 : _missed + 1;
        _heard = false;
        if (!Connected || _missed < missedMax) return false;
        Disconnect(Epoch + 1);
        return true;
    }

    /// <summary>
    /// Membership says the peer is gone: the connection ends as if it had gone silent. True when
    /// it was connected (it just ended).
    /// </summary>
    public bool Lose()
    {
        if (!Connected) return false;
        Disconnect(Epoch + 1);
        return true;
    }

    /// <summary>The partition has nothing of the last session left: it may connect again.</summary>
    public void TornDown() => _tornDown = true;

    /// <summary>
    /// A restart: the connection ends without anything to tear down (the partition is empty);
    /// the next session is one above.
    /// </summary>
    public void Restart()
    {
        Disconnect(Epoch + 1);
        _tornDown = true;
    }

    /// <summary>A packet of session <paramref name="epoch"/> came from the peer.</summary>
    public Hearing Hear(long epoch)
    {
        if (epoch < Epoch) return Hearing.Stale;
        if (Connected)
        {
            if (epoch > Epoch)
            {
                Disconnect(epoch);
                return Hearing.Superseded;
            }
            _heard = true;
            _missed = 0;
            return Hearing.Current;
        }
        // Its session is at least ours: we take it, and join once nothing of the last is left.
        Epoch = epoch;
        if (!_tornDown) return Hearing.Stale;
        Connected = true;
        _heard = true;
        _missed = 0;
        return Hearing.Reconnected;
    }

    private void Disconnect(long epoch)
    {
        Connected = false;
        _tornDown = false;
        _missed = 0;
        _heard = false;
        Epoch = epoch;
    }
}
