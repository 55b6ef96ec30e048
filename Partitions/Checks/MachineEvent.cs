using Emulator.Partitions.Locks;
using Emulator.Partitions.Tracing;
using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Checks;

/// <summary>
/// One thing that happened in the emulated machine, as the checkers (and the trace) see it. The
/// actors publish them through <see cref="MachineMonitor.Observe"/> at the moment they happen:
/// in <c>sim</c> that is the one seeded order of deliveries. Frames are pages by number
/// (<see cref="Memory.Page.Frame"/>), so an event holds no live object. An event an actor emits
/// is also a trace line (request bookkeeping is not: the deliveries show it).
/// </summary>
public abstract record MachineEvent : ITraceEvent;

/// <summary>
/// Thread group <paramref name="Tg"/>'s page table now maps <paramref name="Frame"/> at
/// <paramref name="PageAddress"/>: first touch (zero fill), a copy-on-write copy, or a page a fork
/// child inherits.
/// </summary>
public sealed record PageMapped(TgId Tg, ulong PageAddress, long Frame) : MachineEvent;

/// <summary><paramref name="Tg"/> no longer maps <paramref name="Frame"/> there.</summary>
public sealed record PageUnmapped(TgId Tg, ulong PageAddress, long Frame) : MachineEvent;

/// <summary>
/// xpmem_attach installed attachment <paramref name="Attachment"/> of
/// <paramref name="Attacher"/>: attacher [At, At+SizeBytes) onto owner source
/// [Source, Source+SizeBytes), through a permit got with <paramref name="PermitFlags"/>.
/// </summary>
public sealed record AttachmentMapped(TgId Attacher, long Attachment, ApId Permit, SegId Segment,
    int PermitFlags, ulong At, ulong SizeBytes, ulong Source) : MachineEvent;

/// <summary>
/// The attachment is gone (detach, release, an out-of-band munmap, teardown), once every load or
/// store in flight through it has ended: nothing may go through it any more.
/// </summary>
public sealed record AttachmentUnmapped(TgId Attacher, long Attachment) : MachineEvent;

/// <summary>
/// xpmem_remove has finished: every attacher's PTEs are zapped, nothing may go through the segment.
/// </summary>
public sealed record SegmentRemoved(SegId Segment) : MachineEvent;

/// <summary>
/// A load or store through an attachment touched <paramref name="Frame"/>, which it reached as
/// owner <paramref name="Owner"/>'s page at <paramref name="SourcePage"/>. Published where the
/// bytes move: in the attacher for a PTE holding the page, in the segment for a remote PTE.
/// </summary>
public sealed record Accessed(TgId Attacher, long Attachment, SegId Segment, TgId Owner,
    ulong SourcePage, long Frame, bool Write) : MachineEvent;

/// <summary>A fault started in <paramref name="Attacher"/> at <paramref name="Address"/>.</summary>
public sealed record FaultStarted(TgId Attacher, ulong Address) : MachineEvent;

/// <summary>
/// The segment pinned <paramref name="Frame"/> (its owner's page at <paramref name="SourcePage"/>)
/// under <paramref name="PinId"/> for an attachment of <paramref name="Attacher"/>, answering the
/// fault <paramref name="RequestId"/>.
/// </summary>
public sealed record Pinned(SegId Segment, long PinId, ulong SourcePage, long Frame,
    TgId Attacher, long Attachment, RequestId RequestId) : MachineEvent;

/// <summary>The segment let go of pin <paramref name="PinId"/>.</summary>
public sealed record Unpinned(SegId Segment, long PinId, long Frame) : MachineEvent;

public sealed record ThreadGroupStarted(TgId Tg) : MachineEvent;

public sealed record ThreadGroupStopped(TgId Tg) : MachineEvent;

public sealed record SegmentMade(SegId Segment) : MachineEvent;

public sealed record SegmentFreed(SegId Segment) : MachineEvent;

/// <summary>
/// A call or a request waiting for its reply: <paramref name="What"/> names it (a call or a
/// message type); <paramref name="At"/> is the partition where it waits (null: where the request
/// id was made, its origin).
/// </summary>
public sealed record RequestStarted(RequestId Request, string What, PartitionId? At = null)
    : MachineEvent;

public sealed record RequestEnded(RequestId Request) : MachineEvent;

/// <summary>
/// <paramref name="Attacher"/> sent a store through a remote PTE across XPC (one
/// <c>Frames.Write</c>, request <paramref name="Request"/>). Bookkeeping, like the two below: not
/// a trace line (the deliveries show it).
/// </summary>
public sealed record StoreSent(RequestId Request, TgId Attacher) : MachineEvent;

/// <summary>The owner's segment applied the store of request <paramref name="Request"/>.</summary>
public sealed record StoreApplied(RequestId Request) : MachineEvent;

/// <summary>
/// The attacher got its answer: <paramref name="Written"/> (the store landed), or a refusal, a
/// timeout or the owner's partition down (the store may have landed: the toucher faults again or
/// dies of SIGBUS).
/// </summary>
public sealed record StoreAnswered(RequestId Request, bool Written) : MachineEvent;

/// <summary>
/// Partition <paramref name="Partition"/> crashed: its processes, segments, pages, pins and the
/// requests waiting there are gone at once, without teardown (its peers learn it later, from its
/// silence).
/// </summary>
public sealed record PartitionCrashed(PartitionId Partition) : MachineEvent;

/// <summary>
/// Partition <paramref name="Partition"/> booted again, empty, as a new incarnation.
/// </summary>
public sealed record PartitionRestarted(PartitionId Partition, int Incarnation) : MachineEvent;

/// <summary>
/// Partition <paramref name="Partition"/> sees its peer <paramref name="Peer"/> change state:
/// GOINGDOWN when XPC gave up on it, DOWN once nothing of it is left here, UP when XPC hears it
/// again.
/// </summary>
public sealed record PeerStateChanged(PartitionId Partition, PartitionId Peer, PeerState State)
    : MachineEvent;

/// <summary>
/// Task <paramref name="Task"/> (a call: one thread of a process, named by its request) waits
/// for <paramref name="Lock"/> for <paramref name="Access"/>: it is parked until the lock is
/// granted (or it gives up: <see cref="LockReleased"/>).
/// </summary>
public sealed record LockWaiting(LockId Lock, LockTask Task, LockMode Access) : MachineEvent;

/// <summary>
/// <paramref name="Task"/> holds <paramref name="Lock"/> for <paramref name="Access"/>.
/// </summary>
public sealed record LockAcquired(LockId Lock, LockTask Task, LockMode Access) : MachineEvent;

/// <summary>
/// <paramref name="Task"/> let go of <paramref name="Lock"/>, or stopped waiting for it (its
/// process died, it dropped the wait to retake the locks in order).
/// </summary>
public sealed record LockReleased(LockId Lock, LockTask Task) : MachineEvent;
