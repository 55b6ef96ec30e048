using Akka.Actor;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Locks;
using Emulator.Partitions.Memory;
using Emulator.Partitions.Permits;
using Emulator.Partitions.Xpc;
using Emulator.Protocol;
using Emulator.Protocol.Attachments;
using Emulator.Protocol.Faults;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Partitions;
using Emulator.Protocol.Permits;
using Emulator.Protocol.Processes;
using Emulator.Protocol.Segments;

namespace Emulator.Partitions.Processes;

/// <summary>
/// One emulated process and its XPMEM thread group (the kernel's xpmem_thread_group and its mm):
/// credentials, address space, segments (child SegmentActors), permits and attachments.
/// Level: top of the lock order (tg → seg → ap → att). It sends requests down and to other
/// processes, and never waits: a call that needs a reply parks a continuation in
/// <see cref="PendingReplies"/> and the actor goes on serving others (a fault on its own memory, a
/// zap). The mm's lock is <see cref="MmLock"/>: calls that change the mm hold it for write across
/// their whole work, recalls included; work that needs the mm meanwhile waits its turn. After every
/// reply a continuation re-validates what it relies on, as the kernel does after a lock drop.
/// It outlives the process while any of its segments is still referenced (the tg refcount).
/// The work is split by concept: the calls (Calls), memory and faults (Memory), what it serves
/// for others (Serving), fork, exit and teardown (Life).
/// </summary>
public sealed partial class ThreadGroupActor : EmulatorActor, IPageTableObserver,
    IReplyDeadlines, IRequestNotes
{
    /// <summary>Self → self: the deadline of a request that crossed XPC has passed.</summary>
    private sealed record ReplyDeadlinePassed(RequestId RequestId);

    private readonly XpcPort _port;
    private readonly TgId _id;
    private readonly Credentials _credentials;
    private readonly LibraryMode _library;
    private readonly AddressSpace _memory;
    private readonly MemoryAccess _access;
    private readonly MmLock _mm;
    private readonly PendingReplies _replies;
    private readonly Dictionary<RequestId, Process.Run> _calls = [];
    /// <summary>Peers not Up (GOINGDOWN or DOWN): requests to them fail at once.</summary>
    private readonly HashSet<PartitionId> _downPeers;
    private ThreadGroup? _tg;
    private bool _deviceOpen;
    private bool _alive = true;
    private int _segmentActors;
    private int _segmentActorsMade;
    private bool _reaping;
    private long _nextRequest;
    private long _nextAttachment;

    public ThreadGroupActor(MachineContext machine, XpcPort port, TgId id, ProcessImage image,
        bool hasTg, IEnumerable<PartitionId>? downPeers = null)
        : base(machine, port)
    {
        _port = port;
        _downPeers = [.. downPeers ?? []];
        _id = id;
        _credentials = image.Credentials;
        _library = image.Library;
        _memory = image.Memory;
        _memory.Observer = this;
        _access = new MemoryAccess(_memory, id, Emit);
        _replies = new PendingReplies(this, this);
        _mm = new MmLock(LockId.Mm(id), LockEvents);
        _deviceOpen = image.DeviceOpen;
        if (hasTg) _tg = new ThreadGroup();
    }

    /// <summary>
    /// A thread group that starts knowing <paramref name="downPeers"/> are not Up (its partition
    /// says which), so it sends them nothing.
    /// </summary>
    public static Props Props(MachineContext machine, XpcPort port, TgId id, ProcessImage image,
        bool hasTg, IEnumerable<PartitionId>? downPeers = null) =>
        Produced.By(() => new ThreadGroupActor(machine, port, id, image, hasTg, downPeers));

    private Endpoint Me => new(_port.Partition, Self);

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case Process.Run run:
                HandleRun(run);
                return true;
            case NextUnit next:
                HandleNextUnit(next);
                return true;
            case Process.Probe probe:
                HandleProbe(probe);
                return true;
            case AccessPermit.Get get:
                HandleGet(get);
                return true;
            case FindPage find:
                HandleFindPage(find);
                return true;
            case LookupDone done:
                HandleLookupDone(done);
                return true;
            case Attachment.Zap zap:
                HandleZap(zap);
                return true;
            case Segment.Freed freed:
                HandleFreed(freed);
                return true;
            case IReply reply:
                HandleReply(reply);
                return true;
            case ReplyDeadlinePassed passed:
                HandleReply(new TimedOut(passed.RequestId));
                return true;
            case PartitionActor.PeerDown down:
                HandlePeerDown(down);
                return true;
            case PartitionActor.PeerUp up:
                // A peer not known down leaves the news unhandled, as it always has.
                return _downPeers.Remove(up.Peer);
            case PartitionActor.Reap:
                Context.Stop(Self);
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// A live thread group: the process opened the device and is not tearing it down.
    /// </summary>
    private ThreadGroup? LiveTg => _tg is { Destroying: false } tg ? tg : null;

    protected override void PreStart()
    {
        Emit(new ThreadGroupStarted(_id));
        // A fork child's inherited pages are mapped from its first moment.
        _memory.AnnouncePages();
    }

    /// <summary>
    /// Stopped for good: after teardown, or at a restart of a crashed partition, where nothing is
    /// said (the checkers forgot the process at the crash).
    /// </summary>
    protected override void PostStop()
    {
        if (Alive) Emit(new ThreadGroupStopped(_id));
    }

    void IPageTableObserver.Mapped(ulong pageAddress, Page page) =>
        Emit(new PageMapped(_id, pageAddress, page.Frame));

    void IPageTableObserver.Unmapped(ulong pageAddress, Page page) =>
        Emit(new PageUnmapped(_id, pageAddress, page.Frame));

    private void HandleRun(Process.Run run)
    {
        if (!_alive)
        {
            _port.Send(run.ReplyTo, new Process.Completed(run.RequestId, Outcome.Dead()));
            return;
        }
        NoteStarted(run.RequestId, run.Call.GetType().Name, _id.Partition);
        _calls[run.RequestId] = run;
        Dispatch(run);
    }

    /// <summary>
    /// Ends a call with its one outcome (a call already ended by the process's death is dropped).
    /// </summary>
    private void Complete(Process.Run run, Outcome outcome)
    {
        if (!_calls.Remove(run.RequestId)) return;
        NoteEnded(run.RequestId);
        if (Machine.Trace.Enabled)
            Machine.Trace.Event(TracePath, new Tracing.CallEnded(run.RequestId, run.Call, outcome));
        _port.Send(run.ReplyTo, new Process.Completed(run.RequestId, outcome));
    }

    /// <summary>True while the call has not ended (a process's death ends them all).</summary>
    private bool Running(Process.Run run) => _calls.ContainsKey(run.RequestId);

    /// <summary>The call as a holder of locks: one thread of this process.</summary>
    private LockTask TaskOf(Process.Run run) => new(_id, run.RequestId);

    private RequestId NextRequestId()
        => new(_port.Partition, ((long)_id.Pid << 32) | ++_nextRequest);

    private void HandleReply(IReply reply)
    {
        if (_replies.Resume(reply))
        {
            StopIfUnreferenced();
            return;
        }
        // A reply nobody waits for is stale: its call ended with the process, or its deadline
        // passed. A permit granted that late must not keep the segment referenced.
        if (reply is AccessPermit.Granted late)
            _port.Send(late.Segment, new AccessPermit.Unlink(late.LinkId));
    }

    /// <summary>
    /// Waits for the reply to <paramref name="id"/>, to be sent to partition <paramref name="to"/>:
    /// a request that crosses XPC gets a deadline, past which <paramref name="continuation"/> gets
    /// <see cref="TimedOut"/>. False when that partition is known to be down: the request must
    /// not be sent, and fails at once (ENOLINK), nothing changed.
    /// </summary>
    private bool AwaitReply(PartitionId to, RequestId id, string what,
        Action<IReply> continuation)
    {
        if (to == _port.Partition)
        {
            _replies.Await(id, what, continuation);
            return true;
        }
        _replies.AwaitWithDeadline(id, what, to, continuation);
        if (!_downPeers.Contains(to)) return true;
        Self.Tell(new Refused(id, Errno.ENOLINK));
        return false;
    }

    void IRequestNotes.Started(RequestId id, string what) => NoteStarted(id, what);

    void IRequestNotes.Ended(RequestId id) => NoteEnded(id);

    /// <summary>The deadline's timer is keyed by the request id, boxed once.</summary>
    object IReplyDeadlines.Arm(RequestId id)
    {
        object key = id;
        Timers.StartSingleTimer(key, new ReplyDeadlinePassed(id), Machine.Settings.RequestTimeout);
        return key;
    }

    void IReplyDeadlines.Disarm(object deadline) => Timers.Cancel(deadline);

    private void HandleFreed(Segment.Freed freed)
    {
        _segmentActors--;
        Invariant.Holds(_segmentActors >= 0, $"{_id}: more segments freed than made");
        Emit(new SegmentFreed(freed.Segment));
        StopIfUnreferenced();
    }

    /// <summary>
    /// A dead process whose segments are all freed has nothing left: its tg refcount is zero.
    /// </summary>
    private void StopIfUnreferenced()
    {
        if (_alive || _segmentActors > 0 || _replies.Count > 0 || _reaping) return;
        _reaping = true;
        Context.Parent.Tell(new PartitionActor.Unreferenced(_id.Pid));
    }

    /// <summary>
    /// The thread group's own state (the kernel's xpmem_thread_group, less its mm).
    /// </summary>
    private sealed class ThreadGroup
    {
        public int NextSegmentUniq = 1;
        public int NextPermitUniq = 1;
        public bool Destroying;
        public readonly Dictionary<long, SegmentEntry> Segments = [];
        public readonly PermitTable Permits = new();
    }

    /// <summary>A live segment of this thread group, as its seg_list holds it.</summary>
    private sealed record SegmentEntry(SegId Id, ulong Address, ulong SizeBytes, IActorRef Actor)
    {
        /// <summary>
        /// The end of the range, saturated: a clamped or wrapped size must not wrap here.
        /// </summary>
        public ulong End
            => SizeBytes > ulong.MaxValue - Address ? ulong.MaxValue : Address + SizeBytes;
    }

    /// <summary>
    /// SegmentActor → its owner thread group: get_user_pages for a fault of call
    /// <paramref name="Task"/>; the page found is pinned here, under the owner's mm (taken as
    /// <paramref name="Mm"/> says, and kept for the task until <see cref="LookupDone"/>), so no
    /// fork, munmap or remap can slip between the lookup and the pin. Replies:
    /// <see cref="PageFound"/> or <see cref="Refused"/> (EAGAIN: the trylock failed).
    /// </summary>
    internal sealed record FindPage(RequestId RequestId, ulong SourceAddress, IActorRef ReplyTo,
        LockTask Task, OwnerMm Mm);

    /// <summary>
    /// SegmentActor → its owner thread group: the fault <paramref name="RequestId"/> of
    /// <paramref name="Task"/> is over; the read its lookup took of the mm ends, and
    /// <paramref name="ReplyTo"/> (if set) hears so.
    /// </summary>
    internal sealed record LookupDone(LockTask Task, RequestId RequestId, Endpoint? ReplyTo);

    /// <summary>
    /// The owner's current page at the source address, copy-on-write already broken, pinned.
    /// </summary>
    internal sealed record PageFound(RequestId RequestId, Page Page) : IReply,
        INoSerializationVerificationNeeded;
}
