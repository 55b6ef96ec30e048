using System.Runtime.CompilerServices;
using Akka.Actor;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Partitions;

namespace Emulator.Partitions.Xpc;

/// <summary>
/// A partition's XPC endpoint, as SGI's cross-partition channels: one per partition, a child of
/// the machine beside its partition. Everything that leaves the partition goes through it, over
/// one channel per peer on a link that may lose, delay, duplicate and so reorder packets
/// (<see cref="XpcLink"/>). It numbers each message per peer, lets acks ride back on whatever goes
/// the other way (alone after <c>ack-delay</c>), sends what stays unacknowledged again with
/// bounded exponential backoff, hands each message to its receiver once and in the order it was
/// sent, and beats to every peer to notice one that falls silent.
/// A peer silent for <c>missed-heartbeats-max</c> beats is disconnected: the session with it ends
/// (what it was owed is dropped: the requests it carried fail by their deadlines or by the
/// partition's GOINGDOWN), the partition is told, and until it reports the peer torn down (DOWN)
/// and the peer is heard again, nothing is carried to it. Every packet names its session (epoch),
/// so a packet of an ended session is never taken for one of the next, and a peer that started a
/// new session (it declared us down, or restarted) ends ours as soon as we hear it.
/// While its partition is crashed the endpoint handles nothing; a restart starts new sessions.
/// Level: below every actor of its partition, which tell it through their <see cref="XpcPort"/>;
/// it talks only to its peers, its partition and the receivers it hands messages to, never waits.
/// </summary>
public sealed class XpcActor : EmulatorActor
{
    /// <summary>
    /// An actor's <see cref="XpcPort"/> → its partition's XPC: deliver <paramref name="Message"/>
    /// to <paramref name="To"/>, on another partition. No reply.
    /// </summary>
    public sealed record Carry(PartitionId From, Endpoint To, object Message);

    /// <summary>
    /// XPC → a peer's XPC, over the link: message <paramref name="Sequence"/> (1, 2, ...) of the
    /// channel <paramref name="From"/> → peer in session <paramref name="Epoch"/>, for
    /// <paramref name="To"/>; <paramref name="Acknowledged"/> acks the channel the other way
    /// (cumulative). No reply: the peer's ack rides back on a later packet.
    /// </summary>
    public sealed record Sequenced(PartitionId From, long Epoch, long Sequence,
        long Acknowledged, Endpoint To, object Message) : IXpmemMessage;

    /// <summary>
    /// XPC → a peer's XPC: every message of session <paramref name="Epoch"/> up to
    /// <paramref name="Acknowledged"/> arrived. Sent alone only when nothing went back within
    /// <c>ack-delay</c>.
    /// </summary>
    public sealed record Ack(PartitionId From, long Epoch, long Acknowledged) : IXpmemMessage;

    /// <summary>
    /// XPC → each peer's XPC, every <c>heartbeat-interval</c>, connected or not: alive, in session
    /// <paramref name="Epoch"/> (with the current ack).
    /// </summary>
    public sealed record Heartbeat(PartitionId From, long Epoch, long Acknowledged)
        : IXpmemMessage;

    /// <summary>
    /// The partition → its XPC: nothing of <paramref name="Peer"/>'s last session is left here
    /// (DOWN); connect again when it is heard. No reply.
    /// </summary>
    public sealed record PeerTornDown(PartitionId Peer);

    /// <summary>
    /// A cluster node's membership watch → each of its partitions' XPC: the node hosting
    /// <paramref name="Peer"/> is unreachable. The session with it ends as on missed heartbeats
    /// (the partition goes GOINGDOWN, and the peer, when heard again, sees a newer session and
    /// ends its side too); an ended session stays ended. No reply.
    /// </summary>
    public sealed record PeerLost(PartitionId Peer);

    /// <summary>
    /// The partition → its XPC: it booted again, empty; every session starts over.
    /// </summary>
    public sealed record Restart;

    // A peer's ticks are made once and are their timers' keys, looked up several times a packet:
    // each is compared as itself, not field by field as a record would be.

    /// <summary>Timer: no ack from <paramref name="Peer"/> within the backoff.</summary>
    private sealed record RetransmitTick(PartitionId Peer)
    {
        public bool Equals(RetransmitTick? other) => ReferenceEquals(this, other);

        public override int GetHashCode() => RuntimeHelpers.GetHashCode(this);
    }

    /// <summary>Timer: an ack for <paramref name="Peer"/> found no ride in ack-delay.</summary>
    private sealed record AckTick(PartitionId Peer)
    {
        public bool Equals(AckTick? other) => ReferenceEquals(this, other);

        public override int GetHashCode() => RuntimeHelpers.GetHashCode(this);
    }

    /// <summary>Timer: a heartbeat interval ended.</summary>
    private sealed record HeartbeatTick;

    private static readonly HeartbeatTick Beat = new();

    private readonly PartitionId _partition;
    private readonly MachineWiring _wiring;
    private readonly XpcSettings _settings;
    private readonly OutboundChannel[] _outbound;
    private readonly InboundChannel[] _inbound;
    private readonly PeerConnection[] _peers;
    // Per peer, the session in which the link was last told we heard it: once per session.
    private readonly long[] _heardIn;
    // Per peer, its timers' keys and messages: made once, as they are set on most packets.
    private readonly RetransmitTick[] _retransmitTicks;
    private readonly AckTick[] _ackTicks;

    public XpcActor(MachineContext machine, PartitionId partition, int partitions,
        MachineWiring wiring)
        : base(machine)
    {
        _partition = partition;
        _wiring = wiring;
        _settings = machine.Settings.Xpc;
        _outbound = [.. Enumerable.Range(0, partitions)
            .Select(_ => new OutboundChannel(_settings))];
        _inbound = [.. Enumerable.Range(0, partitions).Select(_ => new InboundChannel())];
        _peers = [.. Enumerable.Range(0, partitions)
            .Select(_ => new PeerConnection(_settings.MissedHeartbeatsMax))];
        _heardIn = [.. Enumerable.Repeat(-1L, partitions)];
        _retransmitTicks = [.. Enumerable.Range(0, partitions)
            .Select(peer => new RetransmitTick(new PartitionId(peer)))];
        _ackTicks = [.. Enumerable.Range(0, partitions)
            .Select(peer => new AckTick(new PartitionId(peer)))];
    }

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case Carry carry:
                HandleCarry(carry);
                return true;
            case Sequenced sequenced:
                HandleSequenced(sequenced);
                return true;
            // A dropped one (stale or superseded) is unhandled, as it was under ReceiveActor.
            case Ack ack:
                return HandleHeard(ack.From, ack.Epoch, ack.Acknowledged);
            case Heartbeat beat:
                return HandleHeard(beat.From, beat.Epoch, beat.Acknowledged);
            case RetransmitTick retransmit:
                HandleRetransmitTick(retransmit);
                return true;
            case AckTick tick:
                Transmit(tick.Peer, new Ack(_partition, _peers[tick.Peer.Value].Epoch,
                    _inbound[tick.Peer.Value].Delivered), sequence: null);
                return true;
            case HeartbeatTick heartbeat:
                HandleHeartbeatTick(heartbeat);
                return true;
            case PeerTornDown down:
                _peers[down.Peer.Value].TornDown();
                return true;
            case PeerLost lost:
                HandlePeerLost(lost);
                return true;
            case Restart:
                HandleRestart();
                return true;
            default:
                return false;
        }
    }

    public static Props Props(MachineContext machine, PartitionId partition, int partitions,
        MachineWiring wiring) =>
        Produced.By(() => new XpcActor(machine, partition, partitions, wiring));

    /// <summary>True for what crosses the link between two endpoints (a delivery that crosses
    /// partitions).</summary>
    public static bool IsPacket(object message) => message is Sequenced or Ack or Heartbeat;

    /// <summary>
    /// Beats from the start; an endpoint that boots for a later incarnation of its partition (a
    /// cluster node started again for it) starts as a restarted one does, in a new session with
    /// every peer.
    /// </summary>
    protected override void PreStart()
    {
        if (Machine.Lives.Incarnation(_partition) > 1) HandleRestart();
        else StartBeating();
    }

    /// <summary>
    /// A crashed partition's endpoint is silent: it handles nothing, timers included (a timer
    /// swallowed here still looks active to the actor's timers: a restart starts them all over).
    /// </summary>
    protected override bool AroundReceive(Receive receive, object message) =>
        Machine.Lives.Crashed(_partition) || base.AroundReceive(receive, message);

    private void StartBeating()
    {
        // Alone on its machine, a partition has nobody to beat to.
        if (_outbound.Length > 1) Timers.StartSingleTimer(Beat, Beat, _settings.HeartbeatInterval);
    }

    private void HandleCarry(Carry carry)
    {
        Invariant.Holds(carry.From == _partition,
            $"{_partition}'s XPC got a carry from {carry.From}");
        var peer = carry.To.Partition;
        if (peer == _partition)
        {
            carry.To.Ref.Tell(carry.Message, ActorRefs.NoSender);
            return;
        }
        var connection = _peers[peer.Value];
        if (!connection.Connected)
        {
            // As SGI's xpc_send on a disconnected channel: refused, and its sender's request
            // fails by its deadline or by the partition's GOINGDOWN.
            if (Machine.Trace.Enabled)
            {
                Machine.Trace.Event(TracePath, new CarryRefused(_partition, peer,
                    carry.Message.GetType().Name, connection.Epoch));
            }
            return;
        }
        Machine.Monitor.XpcCarried();
        var channel = _outbound[peer.Value];
        var packet = channel.Accept(_partition, connection.Epoch, carry.To, carry.Message,
            _inbound[peer.Value].Delivered);
        _wiring.Link.Sent(new LinkDirection(_partition, peer), connection.Epoch, channel.Sent);
        Transmit(peer, packet, packet.Sequence);
        if (!Timers.IsTimerActive(_retransmitTicks[peer.Value]))
            ArmRetransmit(peer, channel.Backoff);
    }

    private void HandleSequenced(Sequenced packet)
    {
        var peer = packet.From;
        if (!HandleHeard(peer, packet.Epoch, packet.Acknowledged)) return;
        var link = new LinkDirection(peer, _partition);
        var inbound = _inbound[peer.Value];
        foreach (var ready in inbound.Receive(packet))
        {
            _wiring.Link.Handed(link, packet.Epoch, ready.Sequence);
            ready.To.Ref.Tell(ready.Message, ActorRefs.NoSender);
        }
        // A duplicate is acked too: its sender may have missed the ack.
        var ack = _ackTicks[peer.Value];
        if (!Timers.IsTimerActive(ack)) Timers.StartSingleTimer(ack, ack, _settings.AckDelay);
    }

    /// <summary>
    /// Any packet from <paramref name="peer"/>, of session <paramref name="epoch"/>: if it is of
    /// the current session (or starts it), the peer is alive and has everything up to
    /// <paramref name="acknowledged"/>; false when the packet is to be dropped.
    /// </summary>
    private bool HandleHeard(PartitionId peer, long epoch, long acknowledged)
    {
        switch (_peers[peer.Value].Hear(epoch))
        {
            case Hearing.Stale:
                return false;
            case Hearing.Superseded:
                EndSession(peer);
                return false;
            case Hearing.Reconnected:
                StartSession(peer);
                break;
        }
        var session = _peers[peer.Value].Epoch;
        if (_heardIn[peer.Value] != session)
        {
            _heardIn[peer.Value] = session;
            _wiring.Link.Heard(new LinkDirection(peer, _partition), session);
        }
        var channel = _outbound[peer.Value];
        if (!channel.Acknowledge(acknowledged)) return true;
        if (channel.HasUnacknowledged) ArmRetransmit(peer, channel.Backoff);
        else Timers.Cancel(_retransmitTicks[peer.Value]);
        return true;
    }

    private void HandlePeerLost(PeerLost lost)
    {
        if (lost.Peer != _partition && _peers[lost.Peer.Value].Lose()) EndSession(lost.Peer);
    }

    private void HandleRetransmitTick(RetransmitTick tick)
    {
        var peer = tick.Peer;
        var channel = _outbound[peer.Value];
        if (!channel.HasUnacknowledged || !_peers[peer.Value].Connected) return;
        Resend(peer);
        ArmRetransmit(peer, channel.BackOff());
    }

    private void HandleHeartbeatTick(HeartbeatTick tick)
    {
        for (var index = 0; index < _peers.Length; index++)
        {
            if (index == _partition.Value) continue;
            var peer = new PartitionId(index);
            // A cluster node wires a peer once it found it on its node: until then the peer
            // cannot hear us nor we it, and its silence says nothing.
            if (!_wiring.IsWired(peer)) continue;
            if (_peers[index].Tick()) EndSession(peer);
            Transmit(peer, new Heartbeat(_partition, _peers[index].Epoch,
                _inbound[index].Delivered), sequence: null);
        }
        Timers.StartSingleTimer(Beat, tick, _settings.HeartbeatInterval);
    }

    /// <summary>
    /// The session with <paramref name="peer"/> ended (its connection is down, already one
    /// session on): what it was owed and what came early from it is dropped, and the partition
    /// hears it is unreachable (GOINGDOWN).
    /// </summary>
    private void EndSession(PartitionId peer)
    {
        var dropped = _outbound[peer.Value].Unacknowledged.Count();
        Forget(peer);
        if (Machine.Trace.Enabled)
        {
            Machine.Trace.Event(TracePath,
                new XpcDisconnected(_partition, peer, _peers[peer.Value].Epoch, dropped));
        }
        PartitionOf(_partition).Tell(new Partition.PeerUnreachable(peer));
    }

    /// <summary>Connected to <paramref name="peer"/> again, in a new session.</summary>
    private void StartSession(PartitionId peer)
    {
        Forget(peer);
        if (Machine.Trace.Enabled)
        {
            Machine.Trace.Event(TracePath,
                new XpcConnected(_partition, peer, _peers[peer.Value].Epoch));
        }
        PartitionOf(_partition).Tell(new Partition.PeerReachable(peer));
    }

    /// <summary>
    /// Both channels with <paramref name="peer"/> start over, in its current session.
    /// </summary>
    private void Forget(PartitionId peer)
    {
        _outbound[peer.Value].Reset();
        _inbound[peer.Value].Reset();
        Timers.Cancel(_retransmitTicks[peer.Value]);
        Timers.Cancel(_ackTicks[peer.Value]);
        var epoch = _peers[peer.Value].Epoch;
        _wiring.Link.Sent(new LinkDirection(_partition, peer), epoch, 0);
        _wiring.Link.Handed(new LinkDirection(peer, _partition), epoch, 0);
    }

    /// <summary>
    /// The partition booted again: every session ends (there is nothing of them to tear down),
    /// every timer starts over (one that fired while crashed was swallowed), the beats start
    /// again, and each peer is connected once it is heard in the new session.
    /// </summary>
    private void HandleRestart()
    {
        Timers.CancelAll();
        for (var index = 0; index < _peers.Length; index++)
        {
            if (index == _partition.Value) continue;
            _peers[index].Restart();
            Forget(new PartitionId(index));
        }
        StartBeating();
    }

    private void Resend(PartitionId peer)
    {
        var acknowledged = _inbound[peer.Value].Delivered;
        foreach (var packet in _outbound[peer.Value].Unacknowledged)
        {
            Transmit(peer, packet with { Acknowledged = acknowledged }, packet.Sequence);
        }
    }

    private void ArmRetransmit(PartitionId peer, TimeSpan after)
    {
        var tick = _retransmitTicks[peer.Value];
        Timers.StartSingleTimer(tick, tick, after);
    }

    /// <summary>
    /// The one place packets leave: the link decides what becomes of each. Every packet carries
    /// the latest ack for <paramref name="peer"/>, so none is owed any more.
    /// </summary>
    private void Transmit(PartitionId peer, object packet, long? sequence)
    {
        Timers.Cancel(_ackTicks[peer.Value]);
        var link = new LinkDirection(_partition, peer);
        var fate = _wiring.Link.Decide(link, packet);
        if (!ReferenceEquals(fate, PacketFate.Delivered) && Machine.Trace.Enabled)
            TraceFate(link, packet, sequence, fate);
        var receiver = _wiring.XpcOf(peer);
        for (var arrival = 0; arrival < fate.Arrivals.Count; arrival++)
        {
            var delay = fate.Arrivals[arrival];
            if (delay == TimeSpan.Zero) receiver.Tell(packet, Self);
            else Context.System.Scheduler.ScheduleTellOnce(delay, receiver, packet, Self);
        }
    }

    private void TraceFate(LinkDirection link, object packet, long? sequence, PacketFate fate)
    {
        var type = packet.GetType().Name;
        if (fate.Duplicated)
        {
            Machine.Trace.Event(TracePath,
                new PacketDuplicated(link.From, link.To, type, sequence));
        }
        var cause = fate.Cut ? LossCause.Cut
            : fate.Aimed ? LossCause.Injected : LossCause.Loss;
        for (var copy = 0; copy < fate.Lost; copy++)
        {
            Machine.Trace.Event(TracePath,
                new PacketDropped(link.From, link.To, type, sequence, cause));
        }
        foreach (var delay in fate.Arrivals.Where(delay => delay > TimeSpan.Zero))
        {
            Machine.Trace.Event(TracePath,
                new PacketDelayed(link.From, link.To, type, sequence, delay));
        }
    }

    private IActorRef PartitionOf(PartitionId partition) => _wiring.Partitions[partition.Value];
}
