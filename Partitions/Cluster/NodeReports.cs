using Akka.Actor;
using Emulator.Partitions.Tracing;
using Emulator.Partitions.Xpc;
using Emulator.Protocol;

namespace Emulator.Partitions.Cluster;

// What a cluster run's driver and its nodes tell each other besides the machine's own messages:
// the driver gathers every node's events and state in waves (ClusterMachine), and sets the link's
// faults on every node. All of it crosses nodes, through XpmemSerializer like the rest.

/// <summary>
/// Driver to a node's <see cref="NodeReporter"/>: report at the next quiet moment, to
/// <paramref name="ReplyTo"/>; wave numbers tell the reports of one round apart.
/// </summary>
public sealed record ReportRequest(long Wave, IActorRef ReplyTo) : IXpmemMessage;

/// <summary>
/// One event that happened on a node, at <paramref name="Actor"/> (a path without address),
/// numbered on that node from 0 (<paramref name="Sequence"/>) and stamped with the node's
/// <see cref="LogicalClock"/>.
/// </summary>
public sealed record StampedEvent(long Sequence, long Stamp, string Actor, ITraceEvent Event);

/// <summary>
/// A node's events, in the order they happened there, sent ahead of the report that counts them
/// (a report alone could outgrow a remoting frame).
/// </summary>
public sealed record EventChunk(string Node, IReadOnlyList<StampedEvent> Events) : IXpmemMessage;

/// <summary>
/// A node's state at one quiet moment (or at the bound, <paramref name="Quiet"/> false): how many
/// events it had emitted then (all sent before this report), what its XPC endpoints counted, how
/// many messages XPC carried and its actors were handed, and the actors that threw.
/// </summary>
public sealed record NodeReport(string Node, long Wave, bool Quiet, long Emitted,
    IReadOnlyList<LedgerMark> Ledger, long XpcCarried, long Deliveries,
    IReadOnlyList<string> Failures) : IXpmemMessage;

/// <summary>Driver to every node: a link fault from now on, on the node's own endpoints.</summary>
public sealed record LinkOrder(LinkFault Fault) : IXpmemMessage;
