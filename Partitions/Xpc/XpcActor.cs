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
/// sent, and beats to every peer to notice one that falls silent (it tells its partition).
/// Level: below every actor of its partition, which tell it through their <see cref="XpcPort"/>;
/// it talks only to its peers, its partition and the receivers it hands messages to, never waits.
/// </summary>
public sealed class XpcActor : EmulatorActor, IWithTimers
{
    /// <summary>
    /// An actor's <see cref="XpcPort"/> → its partition's XPC: deliver <paramref name="Message"/>
    /// to <paramref name="To"/>, on another partition. No reply.
    /// </summary>
    public sealed record Carry(PartitionId From, Endpoint To, object Message);

    /// <summary>
    /// XPC → a peer's XPC, over the link: message <paramref name="Sequence"/> (1, 2, ...) of the
    /// channel <paramref name="From"/> → peer, for <paramref name="To"/>;
    /// <paramref name="Acknowledged"/> acks the channel the other way (cumulative). No reply: the
    /// peer's ack rides back on a later packet.
    /// </summary>
    public sealed record Sequenced(PartitionId From, long Sequence, long Acknowledged,
        Endpoint To, object Message) : IXpmemMessage;

    /// <summary>
    /// XPC → a peer's XPC: every message up to <paramref name="Acknowledged"/> arrived. Sent alone
    /// only when nothing went back within <c>ack-delay</c>.
    /// </summary>
    public sealed record Ack(PartitionId From, long Acknowledged) : IXpmemMessage;

    /// <summary>
    /// XPC → each peer's XPC, every <c>heartbeat-interval</c>: alive (with the current ack).
    /// </summary>
    public sealed record Heartbeat(PartitionId From, long Acknowledged) : IXpmemMessage;

    /// <summary>Timer: no ack from <paramref name="Peer"/> within the backoff.</summary>
    private sealed record RetransmitTick(PartitionId Peer);

    /// <summary>Timer: an ack for <paramref name="Peer"/> found no ride in ack-delay.</summary>
    private sealed record AckTick(PartitionId Peer);

    /// <summary>Timer: a heartbeat interval ended.</summary>
    private sealed record HeartbeatTick;

    private static readonly HeartbeatTick Beat = new();

    private readonly PartitionId _partition;
    private readonly MachineWiring _wiring;
    private readonly XpcSettings _settings;
    private readonly OutboundChannel[] _outbound;
    private readonly InboundChannel[] _inbound;
    private readonly PeerWatch[] _peers;

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
            .Select(_ => new PeerWatch(_settings.MissedHeartbeatsMax))];
        Receive<Carry>(HandleCarry);
        Receive<Sequenced>(HandleSequenced);
        Receive<Ack>(ack => HandleHeard(ack.From, ack.Acknowledged));
        Receive<Heartbeat>(beat => HandleHeard(beat.From, beat.Acknowledged));
        Receive<RetransmitTick>(HandleRetransmitTick);
        Receive<AckTick>(tick => Transmit(tick.Peer,
            new Ack(_partition, _inbound[tick.Peer.Value].Delivered), sequence: null));
        Receive<HeartbeatTick>(HandleHeartbeatTick);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(MachineContext machine, PartitionId partition, int partitions,
        MachineWiring wiring) =>
        Produced.By(() => new XpcActor(machine, partition, partitions, wiring));

    /// <summary>True for what crosses the link between two endpoints (a delivery that crosses
    /// partitions).</summary>
    public static bool IsPacket(object message) => message is Sequenced or Ack or Heartbeat;

    protected override void PreStart()
    {
        // Alone on its machine, a partition has nobody to beat to.
        if (_outbound.Length > 1)
            Timers.StartSingleTimer(Beat, Beat, _settings.HeartbeatInterval);
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
        Machine.Monitor.XpcCarried();
        var channel = _outbound[peer.Value];
        var packet = channel.Accept(_partition, carry.To, carry.Message,
            _inbound[peer.Value].Delivered);
        _wiring.Link.Accepted(new LinkDirection(_partition, peer));
        Transmit(peer, packet, packet.Sequence);
        if (_peers[peer.Value].Reachable && !Timers.IsTimerActive(new RetransmitTick(peer)))
            ArmRetransmit(peer, channel.Backoff);
    }

    private void HandleSequenced(Sequenced packet)
    {
        var peer = packet.From;
        HandleHeard(peer, packet.Acknowledged);
        var link = new LinkDirection(peer, _partition);
        foreach (var ready in _inbound[peer.Value].Receive(packet))
        {
            _wiring.Link.Delivered(link);
            ready.To.Ref.Tell(ready.Message, ActorRefs.NoSender);
        }
        // A duplicate is acked too: its sender may have missed the ack.
        var ack = new AckTick(peer);
        if (!Timers.IsTimerActive(ack)) Timers.StartSingleTimer(ack, ack, _settings.AckDelay);
    }

    /// <summary>
    /// Any packet from <paramref name="peer"/>: it is alive, and it has everything up to
    /// <paramref name="acknowledged"/>.
    /// </summary>
    private void HandleHeard(PartitionId peer, long acknowledged)
    {
        var channel = _outbound[peer.Value];
        var progressed = channel.Acknowledge(acknowledged);
        if (_peers[peer.Value].Heard())
        {
            PartitionOf(_partition).Tell(new Partition.PeerReachable(peer));
            // Back after a silence: what it is owed goes at once, and the backoff starts over.
            channel.StartOver();
            Resend(peer);
            progressed = true;
        }
        if (!progressed) return;
        if (channel.HasUnacknowledged) ArmRetransmit(peer, channel.Backoff);
        else Timers.Cancel(new RetransmitTick(peer));
    }

    private void HandleRetransmitTick(RetransmitTick tick)
    {
        var peer = tick.Peer;
        var channel = _outbound[peer.Value];
        // An unreachable peer is sent nothing but beats until it is heard from again.
        if (!channel.HasUnacknowledged || !_peers[peer.Value].Reachable) return;
        Resend(peer);
        ArmRetransmit(peer, channel.BackOff());
    }

    private void HandleHeartbeatTick(HeartbeatTick tick)
    {
        for (var index = 0; index < _peers.Length; index++)
        {
            if (index == _partition.Value) continue;
            var peer = new PartitionId(index);
            if (_peers[index].Tick())
                PartitionOf(_partition).Tell(new Partition.PeerUnreachable(peer));
            Transmit(peer, new Heartbeat(_partition, _inbound[index].Delivered), sequence: null);
        }
        Timers.StartSingleTimer(Beat, tick, _settings.HeartbeatInterval);
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
        var tick = new RetransmitTick(peer);
        Timers.StartSingleTimer(tick, tick, after);
    }

    /// <summary>
    /// The one place packets leave: the link decides what becomes of each. Every packet carries
    /// the latest ack for <paramref name="peer"/>, so none is owed any more.
    /// </summary>
    private void Transmit(PartitionId peer, object packet, long? sequence)
    {
        Timers.Cancel(new AckTick(peer));
        var link = new LinkDirection(_partition, peer);
        var fate = _wiring.Link.Decide(link);
        if (!ReferenceEquals(fate, PacketFate.Delivered) && Machine.Trace.Enabled)
            TraceFate(link, packet, sequence, fate);
        var receiver = _wiring.XpcOf(peer);
        foreach (var delay in fate.Arrivals)
        {
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
        var cause = fate.Cut ? LossCause.Cut : LossCause.Loss;
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
