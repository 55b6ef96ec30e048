using Akka.Actor;
using Emulator.Partitions.Attachments;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Locks;
using Emulator.Partitions.Faults;
using Emulator.Partitions.Memory;
using Emulator.Partitions.Rules;
using Emulator.Partitions.Segments;
using Emulator.Protocol;
using Emulator.Protocol.Faults;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Partitions;
using Emulator.Protocol.Processes;
using Emulator.Protocol.Segments;

namespace Emulator.Partitions.Processes;

/// <summary>
/// The process's memory: mmap and munmap (recall first, then the change, in one write hold),
/// loads and stores (a <see cref="RangeWalk"/> driven by <see cref="MemoryAccess"/>), the
/// attacher's side of a fault and of a remote page.
/// </summary>
public sealed partial class ThreadGroupActor
{
    /// <summary>
    /// Self → self: call <paramref name="RequestId"/>'s walk goes on with its next grain unit, in
    /// a delivery of its own, so anything else may run between two units. One per call, told
    /// again for every unit. It also keeps what the walk's one fault or remote chunk in flight
    /// needs when its reply comes, and the continuations that take those replies, made once: a
    /// walk that pages in 16 remote pages makes no closure per page.
    /// </summary>
    private sealed record NextUnit(RequestId RequestId)
    {
        public required Process.Run Run { get; init; }

        public required RangeWalk Walk { get; init; }

        /// <summary>The call's thread, as the mm's lock names it.</summary>
        public required LockTask Task { get; init; }

        /// <summary>The walk's next step, taken under the mm.</summary>
        public required Action Resume { get; init; }

        /// <summary>Takes the reply to the fault's pin request (<see cref="Fault"/>).</summary>
        public required Action<IReply> PinReplied { get; init; }

        /// <summary>Takes the owner's word that it let go of its mm (the fault's end).</summary>
        public required Action<IReply> OwnerReleased { get; init; }

        /// <summary>Takes the reply to the remote chunk (<see cref="Remote"/>).</summary>
        public required Action<IReply> RemoteReplied { get; init; }

        /// <summary>The fault in flight, from its pin request until the walk resumes.</summary>
        public PinRequest Fault { get; set; }

        /// <summary>The remote chunk in flight, until its reply comes.</summary>
        public RemoteChunk Remote { get; set; }
    }

    /// <summary>A fault's pin request: the page, how the owner's mm is taken, ours held.</summary>
    private readonly record struct PinRequest(RequestId Id, AttachmentState Attachment,
        ulong PageAddress, OwnerMm Mm, bool OwnHeld);

    /// <summary>A chunk the owner's segment moves: where the walk stopped, the request.</summary>
    private readonly record struct RemoteChunk(RequestId Id, AccessStop Stop);

    /// <summary>The range calls under way past a unit, a fault or a remote chunk, by request
    /// id.</summary>
    private readonly Dictionary<RequestId, NextUnit> _walking = [];

    private void Mmap(Process.Run run, MmapCall mmap, Action<Outcome> done)
    {
        var (errno, size) = CallRules.Mmap(mmap.Address, mmap.SizeBytes);
        if (errno != Errno.None)
        {
            done(Outcome.Fail(errno));
            return;
        }
        if (mmap.Address is not { } start)
        {
            if (_memory.ChooseAddress(size) is not { } chosen)
            {
                done(Outcome.Fail(Errno.ENOMEM));
                return;
            }
            _memory.Insert(new AnonymousVma(chosen, chosen + size));
            done(Outcome.Ok(chosen));
            return;
        }
        // MAP_FIXED replaces in one step: the old pages until the recall is over, then the new.
        UnmapRange(run, start, start + size, () =>
        {
            _memory.Insert(new AnonymousVma(start, start + size));
            return Outcome.Ok(start);
        }, done);
    }

    private void Munmap(Process.Run run, MunmapCall munmap, Action<Outcome> done)
    {
        var (errno, size) = CallRules.Munmap(munmap.Address, munmap.SizeBytes);
        if (errno != Errno.None) done(Outcome.Fail(errno));
        else UnmapRange(run, munmap.Address, munmap.Address + size, () => Outcome.Ok(), done);
    }

    /// <summary>
    /// Under the caller's write hold: recalls [start, end) from every attacher of our segments
    /// over it (the MMU notifier), and only then unmaps it and runs <paramref name="then"/>, in
    /// the same step, so an attacher sees the old page until it has let go and a lookup waiting for
    /// the mm sees the new state. An attachment of our own caught in the range is an out-of-band
    /// unmap: <paramref name="run"/> gets SIGKILL.
    /// </summary>
    private void UnmapRange(Process.Run run, ulong start, ulong end, Func<Outcome> then,
        Action<Outcome> done)
    {
        var recalls = new List<(RequestId Id, SegmentEntry Entry)>();
        foreach (var entry in LiveTg?.Segments.Values ?? Enumerable.Empty<SegmentEntry>())
        {
            if (entry.Address < end && start < entry.End) recalls.Add((NextRequestId(), entry));
        }
        _replies.AwaitAll(recalls.Select(r => r.Id).ToList(), "Segment.Recall", () =>
        {
            var attachments = _memory.Unmap(start, end);
            foreach (var vma in attachments)
                UnmapAttachment(vma.Attachment, TaskOf(run), () => { });
            if (attachments.Count == 0)
            {
                done(then());
                return;
            }
            // The process dies of it holding the mm: its exit goes on with this hold.
            Die(run, Signal.SIGKILL, Outcome.Signalled(Signal.SIGKILL));
        });
        foreach (var (id, entry) in recalls)
        {
            entry.Actor.Tell(new Segment.Recall(id, Math.Max(start, entry.Address),
                Math.Min(end, entry.End), Me, run.RequestId));
        }
    }

    /// <summary>
    /// Moves a walk's next chunk (one unit of the access grain); the one after it comes in a
    /// delivery of its own (<see cref="NextUnit"/>). A fault or a remote page parks the walk
    /// under a reply, after which it resumes here with the mm held for read again.
    /// </summary>
    private void Drive(Process.Run run, RangeWalk walk)
    {
        if (!_alive || !Running(run))
        {
            _walking.Remove(run.RequestId);
            return;
        }
        var stop = _access.Run(walk);
        switch (stop.Kind)
        {
            case AccessStopKind.UnitMoved:
                // A thread's loads and stores hold no lock between them (not even mmap_lock):
                // the next unit waits only for a writer of the mm, and a munmap that got in
                // between makes it SIGSEGV, as in the kernel.
                Self.Tell(NextUnitOf(run, walk));
                return;
            case AccessStopKind.Fault:
                StartFault(run, walk, stop.Attachment!, stop.PageAddress);
                return;
            case AccessStopKind.Remote:
                AccessRemote(run, walk, stop);
                return;
        }
        // The walk ends here: done, or its thread dies of what it met.
        _walking.Remove(run.RequestId);
        switch (stop.Kind)
        {
            case AccessStopKind.Done:
                Complete(run, walk.Outcome);
                break;
            case AccessStopKind.Unmapped:
                Die(run, Signal.SIGSEGV, Outcome.Signalled(Signal.SIGSEGV));
                break;
            case AccessStopKind.Misaligned:
                Die(run, Signal.SIGBUS, Outcome.Signalled(Signal.SIGBUS));
                break;
            case AccessStopKind.OutOfMemory:
                // Physical memory is exhausted: the OOM killer ends the process that asked.
                Die(run, Signal.SIGKILL, Outcome.Signalled(Signal.SIGKILL));
                break;
        }
    }

    /// <summary>
    /// The walk's <see cref="NextUnit"/>, made at its first unit (or first fault or remote chunk)
    /// and kept until it ends: its continuations go on with the walk, so a walk that pages in 16
    /// remote pages makes them once, not once per page.
    /// </summary>
    private NextUnit NextUnitOf(Process.Run run, RangeWalk walk) =>
        _walking.TryGetValue(run.RequestId, out var next) ? next : StartWalking(run, walk);

    /// <summary>
    /// A method of its own so that the closures it makes are made only here, not by every
    /// <see cref="NextUnitOf"/> that finds the walk's.
    /// </summary>
    private NextUnit StartWalking(Process.Run run, RangeWalk walk)
    {
        NextUnit next = null!;
        next = new NextUnit(run.RequestId)
        {
            Run = run,
            Walk = walk,
            Task = TaskOf(run),
            Resume = () => Drive(run, walk),
            PinReplied = reply => PinReplied(next, reply),
            OwnerReleased = _ => Resume(next, next.Fault.OwnHeld),
            RemoteReplied = reply => RemoteReplied(next, reply),
        };
        _walking.Add(run.RequestId, next);
        return next;
    }

    /// <summary>A walk's next unit, when the mm has no writer holding or waiting.</summary>
    private void HandleNextUnit(NextUnit next) => _mm.Read(next.Task, next.Resume);

    /// <summary>
    /// A chunk through a remote PTE: one message to the owner's segment, which moves the bytes
    /// (or runs the fetchop) while its pin holds the page. The attachment counts it in flight, so
    /// it is not gone before the reply (the TLB shootdown).
    /// </summary>
    private void AccessRemote(Process.Run run, RangeWalk walk, AccessStop stop)
    {
        var attachment = stop.Attachment!;
        var chunk = stop.Chunk;
        var offset = (int)(chunk.Address & (Xpmem.PageSize - 1));
        var id = NextRequestId();
        var fetchop = walk.Fetchop;
        var next = NextUnitOf(run, walk);
        next.Remote = new RemoteChunk(id, stop);
        attachment.RemoteStarted();
        var reachable = AwaitReply(attachment.SegmentActor.Partition, id,
            fetchop is not null ? "Frames.Fetchop" : chunk.Write ? "Frames.Write" : "Frames.Read",
            next.RemoteReplied);
        if (!reachable) return;
        if (fetchop is not null)
        {
            Note(new StoreSent(id, _id));
            _port.Send(attachment.SegmentActor,
                new Frames.Fetchop(id, stop.Frame.PinId, offset, fetchop, Me));
        }
        else if (chunk.Write)
        {
            var bytes = walk.StoreBytes(chunk.LengthBytes);
            Note(new StoreSent(id, _id));
            _port.Send(attachment.SegmentActor,
                new Frames.Write(id, stop.Frame.PinId, offset, bytes, Me));
        }
        else
        {
            _port.Send(attachment.SegmentActor,
                new Frames.Read(id, stop.Frame.PinId, offset, chunk.LengthBytes, Me));
        }
    }

    /// <summary>The owner's segment answered the walk's remote chunk.</summary>
    private void RemoteReplied(NextUnit next, IReply reply)
    {
        var (id, stop) = next.Remote;
        var (run, walk) = (next.Run, next.Walk);
        var attachment = stop.Attachment!;
        var chunk = stop.Chunk;
        switch (reply)
        {
            case Frames.Data data:
                // The walk may change the array and send it back as the store.
                if (Machine.ReusesCarriedBytes) walk.Received(data.Bytes);
                else walk.Loaded(data.Bytes);
                break;
            case Frames.Written:
                Note(new StoreAnswered(id, Written: true));
                walk.Stored();
                break;
            case Frames.Fetched fetched:
                Note(new StoreAnswered(id, Written: true));
                walk.Fetched(fetched.Value);
                break;
            case TimedOut or Refused { Errno: Errno.ENOLINK }:
                // The owner's partition did not answer, or is down: whether a store landed
                // is unknown, so the access ends the way a failed fault does.
                if (chunk.Write) Note(new StoreAnswered(id, Written: false));
                attachment.RemoteEnded();
                Die(run, Signal.SIGBUS, Outcome.Signalled(Signal.SIGBUS));
                return;
            default:
                // A recall dropped the pin after we read the PTE: forget it; the chunk
                // refaults.
                PendingReplies.Expect<Refused>(reply);
                if (chunk.Write) Note(new StoreAnswered(id, Written: false));
                if (attachment.Ptes.TryGetValue(stop.PageAddress, out var current)
                    && current == stop.Frame) attachment.Ptes.Remove(stop.PageAddress);
                break;
        }
        attachment.RemoteEnded();
        _mm.Read(next.Task, next.Resume);
    }

    /// <summary>
    /// The attacher's side of a page fault: it keeps the mm the access runs under for the whole
    /// chain (the kernel enters its fault handler holding it), and a FaultActor child runs the
    /// chain to the owner's segment, which takes the owner's mm as the lock order says (see
    /// <see cref="OwnerMmFor"/>). When it answers, the PTE is installed (or the pin given back),
    /// the mm is let go, and the walk resumes from the same chunk, which either finds the new PTE
    /// or faults again.
    /// </summary>
    private void StartFault(Process.Run run, RangeWalk walk, AttachmentState attachment,
        ulong pageAddress)
    {
        if (attachment.Severed)
        {
            // The owner's partition went down: nothing can bring the page in any more.
            Die(run, Signal.SIGBUS, Outcome.Signalled(Signal.SIGBUS));
            return;
        }
        Emit(new FaultStarted(_id, pageAddress));
        var next = NextUnitOf(run, walk);
        _mm.HoldRead(next.Task);
        RequestPin(next, attachment, pageAddress, OwnerMmFor(attachment.Owner), ownHeld: true);
    }

    /// <summary>
    /// How this fault takes the owner's mm (xpmem-spec 3.3 step 5). Kernel order: the lower-ranked
    /// mm first, so a fault holding the lower one waits for the owner's, and one holding the higher
    /// only tries it. Naive order: always waits, holding its own.
    /// </summary>
    private OwnerMm OwnerMmFor(TgId owner)
    {
        if (owner == _id) return OwnerMm.Same;
        if (Machine.Settings.LockOrder == LockOrder.Naive) return OwnerMm.Wait;
        return LockId.Rank(_id, owner) < 0 ? OwnerMm.Wait : OwnerMm.Try;
    }

    /// <summary>
    /// One try at the pin, holding our own mm or not. A failed trylock (EAGAIN) is
    /// avoid_deadlock_2: drop our mm, wait for the owner's, and take ours back at the install,
    /// which re-verifies the VMA in the same step (it is never parked: a recall may be waiting for
    /// this very hold). The fault ends once the owner has let go of its mm too (step 13), so the
    /// access that resumes holds nothing of the owner's.
    /// </summary>
    private void RequestPin(NextUnit next, AttachmentState attachment, ulong pageAddress,
        OwnerMm mm, bool ownHeld)
    {
        var id = NextRequestId();
        next.Fault = new PinRequest(id, attachment, pageAddress, mm, ownHeld);
        _replies.Await(id, "Fault.Pin", next.PinReplied);
        Context.ActorOf(FaultActor.Props(Machine, _port, id, attachment.SegmentActor,
            attachment.SourceOf(pageAddress), _id, attachment.Id, next.RequestId, mm),
            $"fault-{id.Sequence & 0xFFFFFFFF}");
    }

    /// <summary>The fault's chain answered its pin request (<see cref="RequestPin"/>).</summary>
    private void PinReplied(NextUnit next, IReply reply)
    {
        var (id, attachment, pageAddress, mm, ownHeld) = next.Fault;
        var run = next.Run;
        if (reply is Refused { Errno: Errno.EAGAIN } && mm == OwnerMm.Try)
        {
            _mm.ReleaseRead(next.Task);
            RequestPin(next, attachment, pageAddress, OwnerMm.Wait, ownHeld: false);
            return;
        }
        Frame? frame = reply switch
        {
            Fault.Pinned pinned => new Frame(pinned.PinId, null),
            SegmentActor.LocalPinned local => new Frame(local.PinId, local.Page),
            _ => null,
        };
        if (frame is not { } pin)
        {
            // The segment is gone, the source is a hole or an attachment, no frame was left,
            // or nobody answered: SIGBUS, for the toucher only.
            if (ownHeld) _mm.ReleaseRead(next.Task);
            Die(run, Signal.SIGBUS, Outcome.Signalled(Signal.SIGBUS));
            return;
        }
        var ownerHeld = mm != OwnerMm.Same;
        Install(attachment, pageAddress, pin, id, ownerHeld, next.Task);
        if (ownerHeld)
        {
            AwaitReply(attachment.SegmentActor.Partition, id, "Fault.Released",
                next.OwnerReleased);
        }
        else Resume(next, ownHeld);
    }

    /// <summary>
    /// The fault is over: our mm is let go, and the access goes on from the same chunk when the mm
    /// lets it (the process may have died meanwhile: then it does nothing).
    /// </summary>
    private void Resume(NextUnit next, bool ownHeld)
    {
        if (ownHeld) _mm.ReleaseRead(next.Task);
        _mm.Read(next.Task, next.Resume);
    }

    /// <summary>
    /// Installs a PTE if the attachment still maps that page and has none; else gives the pin back.
    /// Then ends the fault's hold on the segment, asking the owner to say when it has let go of its
    /// mm if <paramref name="ownerHeld"/>. Not parked behind a write hold: a recall may be waiting
    /// for exactly this hold to end. The attachment's mutex is held for <paramref name="task"/>
    /// across the install, as the kernel's fault holds att->mutex from step 7 to 13.
    /// </summary>
    private void Install(AttachmentState attachment, ulong pageAddress, Frame frame,
        RequestId fault, bool ownerHeld, LockTask task)
    {
        var current = (_memory.Find(pageAddress) as AttachmentVma)?.Attachment;
        LockAttachment(attachment, task);
        var installed = _alive && current == attachment && !attachment.Unmapping
            && attachment.Ptes.TryAdd(pageAddress, frame);
        UnlockAttachment(attachment, task);
        if (!installed) _port.Send(attachment.SegmentActor, new Frames.Unpin([frame.PinId]));
        _port.Send(attachment.SegmentActor, new Fault.Done(fault, ownerHeld ? Me : null));
    }
}
