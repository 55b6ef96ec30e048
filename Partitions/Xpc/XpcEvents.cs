using Emulator.Partitions.Tracing;
using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Xpc;

// What the link did to a packet, traced by the sending endpoint (the packet's deliveries show
// the rest). Packet is the packet's type (Sequenced, Ack, Heartbeat); Sequence is a Sequenced
// packet's number, null for the others.

/// <summary>Why the link lost a packet.</summary>
public enum LossCause
{
    /// <summary>The link's drop rate (<c>drop RATE</c>).</summary>
    Loss = 1,

    /// <summary>The link is cut (<c>cut P Q</c>).</summary>
    Cut,

    /// <summary>A loss aimed at this packet (<c>explore --inject reply-drop</c>).</summary>
    Injected,
}

/// <summary>The link lost a copy of a packet (kind <c>packet_dropped</c>).</summary>
public sealed record PacketDropped(PartitionId From, PartitionId To, string Packet,
    long? Sequence, LossCause Cause) : ITraceEvent;

/// <summary>The link carries a packet twice (kind <c>packet_duplicated</c>).</summary>
public sealed record PacketDuplicated(PartitionId From, PartitionId To, string Packet,
    long? Sequence) : ITraceEvent;

/// <summary>A copy of a packet arrives <paramref name="Delay"/> late (kind
/// <c>packet_delayed</c>).</summary>
public sealed record PacketDelayed(PartitionId From, PartitionId To, string Packet,
    long? Sequence, TimeSpan Delay) : ITraceEvent;

/// <summary>
/// The endpoint refused to carry a message to <paramref name="To"/>: the connection is down
/// (kind <c>carry_refused</c>). <paramref name="Message"/> is the message's type.
/// </summary>
public sealed record CarryRefused(PartitionId From, PartitionId To, string Message, long Epoch)
    : ITraceEvent;

/// <summary>
/// <paramref name="Partition"/>'s endpoint ended its session with <paramref name="Peer"/> (kind
/// <c>xpc_disconnected</c>): the peer was silent too long or started a new session;
/// <paramref name="Dropped"/> messages it was owed are dropped, and the next session is
/// <paramref name="Epoch"/>.
/// </summary>
public sealed record XpcDisconnected(PartitionId Partition, PartitionId Peer, long Epoch,
    int Dropped) : ITraceEvent;

/// <summary>
/// <paramref name="Partition"/>'s endpoint is connected to <paramref name="Peer"/> again, in
/// session <paramref name="Epoch"/> (kind <c>xpc_connected</c>).
/// </summary>
public sealed record XpcConnected(PartitionId Partition, PartitionId Peer, long Epoch)
    : ITraceEvent;
