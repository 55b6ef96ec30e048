using Akka.Actor;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Locks;
using Emulator.Partitions.Memory;
using Emulator.Partitions.Processes;
using Emulator.Partitions.Rules;
using Emulator.Partitions.Xpc;
using Emulator.Protocol;
using Emulator.Protocol.Attachments;
using Emulator.Protocol.Faults;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Permits;
using Emulator.Protocol.Segments;

namespace Emulator.Partitions.Segments;

/// <summary>
/// A segment (the kernel's xpmem_segment) and its seg->sema, whose lock events its
/// <see cref="SegSema"/> emits. Faults are its readers (see <see cref="PinRequests"/>); recall
/// and remove take it for write: they wait for the pins on their way to be installed or given
/// back (new faults and attaches stash meanwhile; a remove marks the lookups in flight invalid),
/// zap every attacher, then go on. It keeps the pin table
/// of the owner's pages its attachers map, and its permits' references (links); it is freed when
/// it is removed and nothing refers to it any more.
/// Level: below its owner thread group, above the attachers' PTEs.
/// </summary>
public sealed class SegmentActor : EmulatorActor, IWithStash
{
    /// <summary>
    /// The page is pinned, for an attacher on this partition: the page itself (same bytes). Never
    /// crosses XPC; a remote attacher gets <see cref="Fault.Pinned"/>.
    /// </summary>
    public sealed record LocalPinned(RequestId RequestId, long PinId, Page Page) : IReply,
        INoSerializationVerificationNeeded;

    /// <summary>
    /// Self → self: the last reference is gone; stop once what is already in the mailbox (the
    /// requests a recall stashed, put back at its head) has been answered.
    /// </summary>
    private sealed record Free;

    /// <summary>
    /// A pinned page: which frame, for whom, from which source page. A value in the table, not an
    /// object of its own: a pin saves an object's header and the reference to it (24 bytes; the
    /// 18 x 512 run pins 147,456 pages).
    /// </summary>
    private readonly record struct PinEntry(Page Page, ulong SourcePage, TgId Attacher,
        long Attachment);

    /// <summary>A getter's reply address and its thread group, per permit link.</summary>
    private readonly record struct Getter(Endpoint Endpoint, TgId Id);

    private readonly XpcPort _port;
    private readonly SegId _id;
    private readonly Credentials _ownerCredentials;
    private readonly ulong _address;
    private readonly ulong _sizeBytes;
    private readonly ulong _mode;
    private readonly IActorRef _ownerActor;
    private readonly PinRequests _requests = new();
    private readonly SegSema _sema;
    private readonly Dictionary<long, PinEntry> _pins = [];
    private readonly SortedDictionary<long, Getter> _links = [];
    private long _nextPin;
    private long _nextLink;
    private int _stashed;
    private Zapping? _zapping;
    private bool _removed;
    private bool _freeing;

    public SegmentActor(MachineContext machine, XpcPort port, SegId id,
        Credentials ownerCredentials, ulong address, ulong sizeBytes, ulong mode,
        IActorRef ownerActor) : base(machine, port)
    {
        _port = port;
        _id = id;
        _ownerCredentials = ownerCredentials;
        _address = address;
        _sizeBytes = sizeBytes;
        _mode = mode;
        _ownerActor = ownerActor;
        _sema = new SegSema(LockId.Sema(id), LockEvents);
    }

    public IStash Stash { get; set; } = null!;

    /// <summary>The faults' pins stashed during the current recall or remove, in order.</summary>
    private readonly List<RequestId> _stashedPins = [];

    /// <summary>
    /// Stashed pins whose attacher's partition went down before they were served (found in
    /// explore --inject crash, race-remap-loop-during-loads seed 141: a pin stashed behind the
    /// owner's munmap recall was served after its peer was severed, and held the owner's mm for
    /// read for ever). Dropped when they come out of the stash.
    /// </summary>
    private readonly HashSet<RequestId> _deadPins = [];

    public static Props Props(MachineContext machine, XpcPort port, SegId id,
        Credentials credentials, ulong address, ulong sizeBytes, ulong mode,
        IActorRef ownerActor) =>
        Produced.By(() => new SegmentActor(machine, port, id, credentials, address, sizeBytes,
            mode, ownerActor));

    private Endpoint Me => new(_port.Partition, Self);

    protected override bool Receive(object message) => Active(message);

    /// <summary>
    /// The sema is free or read-held: serves gets, attach checks and faults; a recall or remove
    /// takes it for write.
    /// </summary>
    private bool Active(object message)
    {
        switch (message)
        {
            case AccessPermit.Get get:
                HandleGet(get);
                return true;
            case Segment.Check check:
                _port.Send(check.ReplyTo, new Segment.Checked(check.RequestId));
                return true;
            case Fault.Pin pin:
                HandlePin(pin);
                return true;
            case Segment.Recall recall:
                StartWriting(new Zapping(recall.RequestId, recall.ReplyTo, recall.Start,
                    recall.End, Remove: false, OwnerTask(recall.Call)));
                return true;
            case Segment.Remove remove:
                StartWriting(new Zapping(remove.RequestId, remove.ReplyTo, 0, ulong.MaxValue,
                    Remove: true, OwnerTask(remove.Call)));
                return true;
            default:
                return Common(message);
        }
    }

    /// <summary>
    /// A recall or remove holds the sema for write: it waits for the holds, then for every
    /// attacher's Zapped. Stashes gets, attach checks, new or retried faults and further recalls
    /// or removes; serves the rest.
    /// </summary>
    private bool Writing(object message)
    {
        switch (message)
        {
            case AccessPermit.Get or Segment.Check:
                StashBounded();
                return true;
            case Fault.Pin pin:
                _stashedPins.Add(pin.RequestId);
                StashBounded(FaultTask(pin), LockMode.Read);
                return true;
            case Segment.Recall recall:
                StashBounded(OwnerTask(recall.Call), LockMode.Write);
                return true;
            case Segment.Remove remove:
                StashBounded(OwnerTask(remove.Call), LockMode.Write);
                return true;
            default:
                return Common(message);
        }
    }

    /// <summary>
    /// Removed: refuses gets, checks and faults (ENOENT); waits for its last references to go.
    /// </summary>
    private bool Removed(object message)
    {
        switch (message)
        {
            case AccessPermit.Get get:
                Refuse(get.ReplyTo, get.RequestId, Errno.ENOENT);
                return true;
            case Segment.Check check:
                Refuse(check.ReplyTo, check.RequestId, Errno.ENOENT);
                return true;
            case Fault.Pin pin:
                _sema.Unpark(FaultTask(pin));
                Refuse(pin.ReplyTo, pin.RequestId, Errno.ENOENT);
                return true;
            case Segment.Remove remove:
                _sema.Unpark(OwnerTask(remove.Call));
                _port.Send(remove.ReplyTo, new Segment.Removed(remove.RequestId, _id));
                return true;
            case Segment.Recall recall:
                _sema.Unpark(OwnerTask(recall.Call));
                _port.Send(recall.ReplyTo, new Segment.Recalled(recall.RequestId, _id));
                return true;
            case Free:
                HandleFree();
                return true;
            default:
                return Common(message);
        }
    }

    /// <summary>
    /// What every state serves: the owner's lookup answers, fault ends and abandons, zap answers,
    /// unpins, remote loads, stores and fetchops, unlinks. False for anything else (unhandled).
    /// </summary>
    private bool Common(object message)
    {
        switch (message)
        {
            case ThreadGroupActor.PageFound found:
                HandlePageFound(found);
                return true;
            case Refused refused:
                HandlePageRefused(refused);
                return true;
            case Fault.Done done:
                HandleFaultDone(done);
                return true;
            case Fault.Abandon abandon:
                HandleAbandon(abandon);
                return true;
            case Attachment.Zapped zapped:
                HandleZapped(zapped);
                return true;
            case Frames.Unpin unpin:
                Unpin(unpin.PinIds);
                return true;
            case Frames.Read read:
                HandleRead(read);
                return true;
            case Frames.Write write:
                HandleWrite(write);
                return true;
            case Frames.Fetchop fetchop:
                HandleFetchop(fetchop);
                return true;
            case AccessPermit.Unlink unlink:
                _links.Remove(unlink.LinkId);
                FreeIfUnreferenced();
                return true;
            case Terminated stopped:
                HandleGetterStopped(stopped);
                return true;
            case PartitionActor.PeerDown down:
                HandlePeerDown(down);
                return true;
            default:
                return false;
        }
    }

    private void HandleFaultDone(Fault.Done done)
    {
        if (_requests.EndHold(done.RequestId) is { } held)
        {
            _sema.EndRead(FaultTask(held.Pin));
            OwnerMmDone(held.Pin, done.ReplyTo);
        }
        ReadersChanged();
    }

    private void HandleGet(AccessPermit.Get get)
    {
        if (!CallRules.PermitAllows(_ownerCredentials, get.Caller, _mode, get.Flags))
        {
            Refuse(get.ReplyTo, get.RequestId, Errno.EACCES);
            return;
        }
        if (!get.CallerHasTg)
        {
            Refuse(get.ReplyTo, get.RequestId, Errno.NOPROC);
            return;
        }
        var link = ++_nextLink;
        _links[link] = new Getter(get.ReplyTo, get.Getter);
        // A getter that ends without a word (its process stopped) must not hold a recall forever.
        Context.Watch(get.ReplyTo.Ref);
        _port.Send(get.ReplyTo, new AccessPermit.Granted(get.RequestId, Me, _address, _sizeBytes,
            _id.Owner, link));
    }

    /// <summary>get_user_pages, asked of the owner's mm (which pins the page it finds).</summary>
    private void HandlePin(Fault.Pin pin)
    {
        // A fault parked behind a recall goes on to its lookup, which holds nothing here.
        _sema.Unpark(FaultTask(pin));
        // Its partition went down while it waited in the stash: nobody waits for it, and a
        // lookup now would hold the owner's mm for a fault that never ends.
        if (_deadPins.Remove(pin.RequestId)) return;
        _requests.StartLookup(pin);
        _ownerActor.Tell(new ThreadGroupActor.FindPage(pin.RequestId, pin.SourceAddress, Self,
            FaultTask(pin), pin.Mm));
    }

    /// <summary>
    /// The fault is over here (the attacher is done, or nobody takes the page): the owner's mm,
    /// which the lookup took for it, is let go (xpmem-spec 3.3 step 13), and the owner tells
    /// <paramref name="replyTo"/> when it has.
    /// </summary>
    private void OwnerMmDone(Fault.Pin pin, Endpoint? replyTo = null)
    {
        if (pin.Mm == OwnerMm.Same) return;
        _ownerActor.Tell(new ThreadGroupActor.LookupDone(FaultTask(pin), pin.RequestId,
            replyTo));
    }

    private void HandlePageFound(ThreadGroupActor.PageFound found)
    {
        var lookup = _requests.EndLookup(found.RequestId);
        if (lookup.Abandoned || lookup.Invalid)
        {
            // The owner pinned the page for us; nobody may map it now.
            found.Page.Unpin();
            OwnerMmDone(lookup.Pin);
            Overtaken(lookup);
            return;
        }
        var pin = lookup.Pin;
        var pinId = ++_nextPin;
        var sourcePage = pin.SourceAddress & Xpmem.PageMask;
        _pins[pinId] = new PinEntry(found.Page, sourcePage, pin.Attacher, pin.Attachment);
        Emit(new Pinned(_id, pinId, sourcePage, found.Page.Frame, pin.Attacher, pin.Attachment,
            pin.RequestId));
        _requests.Hold(pin, pinId);
        _sema.Read(FaultTask(pin));
        _port.Send(pin.ReplyTo, pin.ReplyTo.Partition == _port.Partition
            ? new LocalPinned(pin.RequestId, pinId, found.Page)
            : new Fault.Pinned(pin.RequestId, pinId));
    }

    private void HandlePageRefused(Refused refused)
    {
        var lookup = _requests.EndLookup(refused.RequestId);
        if (lookup.Abandoned || lookup.Invalid) Overtaken(lookup);
        else Refuse(lookup.Pin.ReplyTo, lookup.Pin.RequestId, refused.Errno);
    }

    /// <summary>
    /// An answer that must not be used: an abandoned fault ends here (nobody waits); one a remove
    /// overtook is refused, as a fault on a segment being destroyed is (the toucher gets SIGBUS).
    /// </summary>
    private void Overtaken(PinRequests.Lookup lookup)
    {
        if (!lookup.Abandoned) Refuse(lookup.Pin.ReplyTo, lookup.Pin.RequestId, Errno.ENOENT);
        ReadersChanged();
    }

    private void HandleAbandon(Fault.Abandon abandon)
    {
        if (_requests.Abandon(abandon.RequestId) is { } held)
        {
            _sema.EndRead(FaultTask(held.Pin));
            Unpin([held.PinId]);
            OwnerMmDone(held.Pin);
        }
        ReadersChanged();
    }

    private void HandleRead(Frames.Read read)
    {
        if (Access(read.PinId, read.ReplyTo, read.RequestId, write: false) is not { } pin) return;
        _port.Send(read.ReplyTo, new Frames.Data(read.RequestId,
            pin.Page.Read(read.OffsetBytes, read.LengthBytes)));
    }

    private void HandleWrite(Frames.Write write)
    {
        if (Access(write.PinId, write.ReplyTo, write.RequestId, write: true) is not { } pin) return;
        pin.Page.Write(write.OffsetBytes, write.Bytes);
        if (Machine.ReusesCarriedBytes) pin.Page.Recycle(write.Bytes);
        Note(new StoreApplied(write.RequestId));
        _port.Send(write.ReplyTo, new Frames.Written(write.RequestId));
    }

    /// <summary>
    /// A remote attacher's fetchop, run here under the pin in one step (the page's gate holds
    /// the load and the store together); counted as a store, since it changes the word once.
    /// </summary>
    private void HandleFetchop(Frames.Fetchop fetchop)
    {
        if (Access(fetchop.PinId, fetchop.ReplyTo, fetchop.RequestId, write: true) is not { } pin)
            return;
        var old = pin.Page.Fetchop(fetchop.OffsetBytes, fetchop.Call);
        Note(new StoreApplied(fetchop.RequestId));
        _port.Send(fetchop.ReplyTo, new Frames.Fetched(fetchop.RequestId, old));
    }

    /// <summary>
    /// The pin a remote load or store goes through, its access recorded; null, and the access
    /// refused (ENOENT), when the pin is gone (the page was unpinned under it).
    /// </summary>
    private PinEntry? Access(long pinId, Endpoint replyTo, RequestId requestId, bool write)
    {
        if (!_pins.TryGetValue(pinId, out var pin))
        {
            Refuse(replyTo, requestId, Errno.ENOENT);
            return null;
        }
        Emit(new Accessed(pin.Attacher, pin.Attachment, _id, _id.Owner, pin.SourcePage,
            pin.Page.Frame, write));
        return pin;
    }

    /// <summary>Drops the permit links of the getters that match; returns them.</summary>
    private List<Getter> Unlink(Func<Getter, bool> matches)
    {
        var gone = _links.Where(link => matches(link.Value)).ToList();
        foreach (var (link, _) in gone) _links.Remove(link);
        return gone.ConvertAll(link => link.Value);
    }

    /// <summary>Gives back, in pin order, every pin held for an attacher that matches.</summary>
    private void UnpinAttachers(Func<TgId, bool> matches) =>
        Unpin(_pins.Where(p => matches(p.Value.Attacher)).Select(p => p.Key).Order().ToList());

    private void Unpin(IEnumerable<long> pinIds)
    {
        foreach (var pinId in pinIds)
        {
            if (!_pins.Remove(pinId, out var pin)) continue;
            pin.Page.Unpin();
            Emit(new Unpinned(_id, pinId, pin.Page.Frame));
        }
        FreeIfUnreferenced();
    }

    /// <summary>
    /// A recall or remove in progress: who asked, which source range, which attachers still owe a
    /// Zapped.
    /// </summary>
    private sealed record Zapping(RequestId RequestId, Endpoint ReplyTo, ulong Start, ulong End,
        bool Remove, LockTask Task)
    {
        /// <summary>Null until the holds have drained and the zaps went out.</summary>
        public List<Endpoint>? Waiting { get; set; }

        /// <summary>
        /// It waits for the faults in flight (false only for a remove under
        /// <c>remove-waits-for-faults = false</c>, the variant that lets a PTE in after the
        /// remove).
        /// </summary>
        public bool WaitsForFaults { get; init; } = true;
    }

    private void StartWriting(Zapping zapping)
    {
        // Remove makes the segment invisible at once: later gets and faults fail (ENOENT), and so
        // do the lookups it overtakes. A recall need not mark them: the owner answers a lookup in
        // order with its own writes and parks it while it writes, so an answer still to come
        // cannot predate the change being recalled (and the kernel's fault, which waits for the
        // mmap_lock likewise, never fails for it).
        if (zapping.Remove)
        {
            _removed = true;
            if (Machine.Settings.RemoveWaitsForFaults)
                _requests.Invalidate(zapping.Start, zapping.End);
            else zapping = zapping with { WaitsForFaults = false };
        }
        _zapping = zapping;
        _sema.Write(zapping.Task, now: !zapping.WaitsForFaults || _requests.Holds == 0);
        Become(Writing);
        ReadersChanged();
    }

    /// <summary>
    /// When the last hold leaves a waiting writer, the writer zaps every attacher.
    /// </summary>
    private void ReadersChanged()
    {
        if (_zapping is not { Waiting: null } zapping
            || (zapping.WaitsForFaults && _requests.Holds > 0))
        {
            FreeIfUnreferenced();
            return;
        }
        if (!_sema.WriteHeld) _sema.Granted();
        var attachers = _links.Values.Select(getter => getter.Endpoint).Distinct().ToList();
        zapping.Waiting = attachers;
        foreach (var attacher in attachers)
        {
            _port.Send(attacher, new Attachment.Zap(zapping.RequestId, _id, zapping.Start,
                zapping.End, Me));
        }
        if (zapping.Waiting.Count == 0) EndWriting();
    }

    /// <summary>
    /// An attacher let go of the range: its pins go in any state (a Zapped may come after the
    /// attacher's Terminated has already ended the wait); it counts for the zapping it answers.
    /// </summary>
    private void HandleZapped(Attachment.Zapped zapped)
    {
        Unpin(zapped.PinIds);
        if (_zapping is not { Waiting: { } waiting } zapping
            || zapped.RequestId != zapping.RequestId) return;
        if (waiting.RemoveAll(getter => getter.Ref.Equals(zapped.Attacher.Ref)) > 0
            && waiting.Count == 0) EndWriting();
    }

    /// <summary>
    /// A getter's process is gone: its permits went with it, and it owes no Zapped any more.
    /// </summary>
    private void HandleGetterStopped(Terminated stopped)
    {
        var gone = Unlink(getter => getter.Endpoint.Ref.Equals(stopped.ActorRef));
        // Its exit unpinned what it held, but the Unpin or Zapped saying so may still be on its
        // way (or lost with a link): the pins go now, so a store it sent before it died cannot
        // land on a page the owner has since unmapped.
        var ids = gone.Select(getter => getter.Id).ToHashSet();
        if (ids.Count > 0) UnpinAttachers(ids.Contains);
        if (_zapping is { Waiting: { } waiting }
            && waiting.RemoveAll(getter => getter.Ref.Equals(stopped.ActorRef)) > 0
            && waiting.Count == 0) EndWriting();
        FreeIfUnreferenced();
    }

    /// <summary>
    /// A partition went down: its getters' references go, the pins held for its attachers are
    /// given back, faults of its attachers end here (their Done will never come), and a recall
    /// stops waiting for its Zapped: its mappings died with it, without an answer.
    /// </summary>
    private void HandlePeerDown(PartitionActor.PeerDown down)
    {
        Unlink(getter => getter.Endpoint.Partition == down.Peer);
        UnpinAttachers(attacher => attacher.Partition == down.Peer);
        foreach (var stashed in _stashedPins.Where(id => id.Origin == down.Peer))
            _deadPins.Add(stashed);
        foreach (var held in _requests.AbandonFrom(down.Peer))
        {
            _sema.EndRead(FaultTask(held.Pin));
            Unpin([held.PinId]);
            OwnerMmDone(held.Pin);
        }
        if (_zapping is { Waiting: { } waiting })
        {
            if (waiting.RemoveAll(getter => getter.Partition == down.Peer) > 0
                && waiting.Count == 0) EndWriting();
        }
        ReadersChanged();
    }

    private void EndWriting()
    {
        Invariant.Holds(_zapping is not null, $"segment {_id}: a zapping ended that never began");
        var zapping = _zapping!;
        _zapping = null;
        _sema.EndWrite();
        if (zapping.Remove) Emit(new SegmentRemoved(_id));
        _port.Send(zapping.ReplyTo, zapping.Remove
            ? new Segment.Removed(zapping.RequestId, _id)
            : new Segment.Recalled(zapping.RequestId, _id));
        _stashed = 0;
        _stashedPins.Clear();
        Stash.UnstashAll();
        Become(_removed ? Removed : Active);
        FreeIfUnreferenced();
    }

    /// <summary>
    /// A request meets the writer: it is stashed, and <paramref name="task"/>, if it takes the
    /// sema, waits for it (a get or an attach check takes no lock: null).
    /// </summary>
    private void StashBounded(LockTask? task = null, LockMode mode = LockMode.Read)
    {
        if (task is { } waiter) _sema.Park(waiter, mode);
        Invariant.Holds(++_stashed <= Machine.Settings.StashCapacityMax,
            $"segment {_id}: more than {Machine.Settings.StashCapacityMax} requests stashed "
            + "during a recall");
        Stash.Stash();
    }

    /// <summary>The attacher's call a fault works for, as the locks name it.</summary>
    private static LockTask FaultTask(Fault.Pin pin) => new(pin.Attacher, pin.Task);

    /// <summary>The owner's call a recall or remove works for.</summary>
    private LockTask OwnerTask(RequestId call) => new(_id.Owner, call);

    private void Refuse(Endpoint to, RequestId id, Errno errno) =>
        _port.Send(to, new Refused(id, errno));

    /// <summary>
    /// The last reference gone (removed, no permits, no pins, no fault served): the segment is
    /// freed, after the messages already queued for it (stashed requests put back by the last
    /// recall or remove: each must still get its answer, or its sender would wait for ever).
    /// </summary>
    private void FreeIfUnreferenced()
    {
        if (_freeing || !Unreferenced) return;
        _freeing = true;
        Self.Tell(new Free());
    }

    private bool Unreferenced => _removed && _zapping is null && _links.Count == 0
        && _pins.Count == 0 && _requests.Idle;

    private void HandleFree()
    {
        // Removed, nothing can take a new reference: no get, attach or fault is served any more.
        Invariant.Holds(Unreferenced, $"segment {_id} gained a reference while being freed");
        _ownerActor.Tell(new Segment.Freed(_id));
        Context.Stop(Self);
    }
}
