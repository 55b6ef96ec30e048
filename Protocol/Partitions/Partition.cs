using Emulator.Protocol.Ids;
using Emulator.Protocol.Processes;

namespace Emulator.Protocol.Partitions;

/// <summary>
/// Messages addressed to a partition (PartitionActor): process life and routing by id.
/// </summary>
public static class Partition
{
    /// <summary>
    /// Runner → partition: start a process calling XPMEM through <paramref name="Library"/>.
    /// Replies: <see cref="Spawned"/>.
    /// </summary>
    public sealed record Spawn(RequestId RequestId, Credentials Credentials, LibraryMode Library,
        Endpoint ReplyTo)
        : IRequest;

    /// <summary>The process runs under <paramref name="Pid"/>.</summary>
    public sealed record Spawned(RequestId RequestId, int Pid) : IReply;

    /// <summary>
    /// Anyone → any partition: deliver <paramref name="Request"/> to thread group
    /// <paramref name="Target"/>, across XPC if it lives elsewhere. No such process: the partition
    /// replies <see cref="Refused"/> (ENOENT) to the request's <c>ReplyTo</c>, as the kernel's tg
    /// lookup does.
    /// </summary>
    public sealed record Deliver(TgId Target, IRoutedRequest Request) : IXpmemMessage;

    /// <summary>
    /// The partition's XPC endpoint → its partition: nothing has come from <paramref name="Peer"/>
    /// for <c>missed-heartbeats-max</c> heartbeat intervals (a cut link, a dead partition, or a
    /// link slower than that). XPC stops resending to it until it is heard from again. No reply.
    /// </summary>
    public sealed record PeerUnreachable(PartitionId Peer) : IXpmemMessage;

    /// <summary>
    /// The partition's XPC endpoint → its partition: <paramref name="Peer"/>, unreachable until
    /// now, was heard from; XPC resends to it what it still owes. No reply.
    /// </summary>
    public sealed record PeerReachable(PartitionId Peer) : IXpmemMessage;
}

/// <summary>
/// A request that can be routed by thread group id; the partition may refuse it itself.
/// </summary>
public interface IRoutedRequest : IRequest
{
    Endpoint ReplyTo { get; }
}

/// <summary>Messages addressed to an emulated process (ThreadGroupActor).</summary>
public static class Process
{
    /// <summary>Runner → process: make one call. Replies: <see cref="Completed"/>.</summary>
    public sealed record Run(RequestId RequestId, Call Call, Endpoint ReplyTo) : IRoutedRequest;

    /// <summary>How the call ended.</summary>
    public sealed record Completed(RequestId RequestId, Outcome Outcome) : IReply;

    /// <summary>
    /// Another process → thread group: do you exist (and, with <paramref name="Permit"/>, do you
    /// hold that live permit on a live segment)? Answers whether a foreign id is ENOENT or EACCES
    /// for the caller. Replies: <see cref="Probed"/>; <see cref="Refused"/> (ENOENT) from the
    /// partition; for a held permit, the segment's own answer to a <c>Segment.Check</c> (Checked or
    /// Refused ENOENT).
    /// </summary>
    public sealed record Probe(RequestId RequestId, ApId? Permit, Endpoint ReplyTo)
        : IRoutedRequest;

    /// <summary>
    /// <paramref name="Found"/>: the thread group is live (and holds the permit, if one was named).
    /// </summary>
    public sealed record Probed(RequestId RequestId, bool Found) : IReply;
}
