using Akka.Actor;
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
/// A segment (the kernel's xpmem_segment) and its seg->sema. Faults hold it for read from the pin
/// request until the attacher says <see cref="Fault.Done"/>; recall and remove take it for write:
/// they wait for the readers to drain (new faults and attaches stash meanwhile), zap every
/// attacher, then go on. It keeps the pin table of the owner's pages its attachers map, and its
/// permits' references (links); it is freed when it is removed and both are empty.
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

    private readonly XpcPort _port;
    private readonly SegId _id;
    private readonly TgId _owner;
    private readonly Credentials _ownerCredentials;
    private readonly ulong _address;
    private readonly ulong _sizeBytes;
    private readonly ulong _mode;
    private readonly IActorRef _ownerActor;
    private readonly Dictionary<RequestId, Fault.Pin> _finding = [];
    private readonly HashSet<RequestId> _holding = [];
    private readonly Dictionary<long, (Page Page, TgId Attacher)> _pins = [];
    private readonly SortedDictionary<long, Endpoint> _links = [];
    private long _nextPin;
    private long _nextLink;
    private int _stashed;
    private Zapping? _zapping;
    private bool _removed;
    private bool _freed;

    public SegmentActor(MachineContext machine, XpcPort port, SegId id, TgId owner,
        Credentials ownerCredentials, ulong address, ulong sizeBytes, ulong mode,
        IActorRef ownerActor) : base(machine)
    {
        _port = port;
        _id = id;
        _owner = owner;
        _ownerCredentials = ownerCredentials;
        _address = address;
        _sizeBytes = sizeBytes;
        _mode = mode;
        _ownerActor = ownerActor;
        Active();
    }

    public IStash Stash { get; set; } = null!;

    public static Props Props(MachineContext machine, XpcPort port, SegId id, TgId owner,
        Credentials credentials,
        ulong address, ulong sizeBytes, ulong mode, IActorRef ownerActor) =>
        Akka.Actor.Props.Create(() => new SegmentActor(machine, port, id, owner, credentials,
            address, sizeBytes, mode, ownerActor));

    private int Readers => _finding.Count + _holding.Count;

    /// <summary>
    /// Handles gets, attach checks, faults, recall and remove; the sema is free or read-held.
    /// </summary>
    private void Active()
    {
        Receive<AccessPermit.Get>(HandleGet);
        Receive<Segment.Check>(check => _port.Send(check.ReplyTo,
            new Segment.Checked(check.RequestId)));
        Receive<Fault.Pin>(HandlePin);
        Receive<Segment.Recall>(recall => StartWriting(new Zapping(recall.RequestId, recall.ReplyTo,
            recall.Start, recall.End, Remove: false)));
        Receive<Segment.Remove>(remove => StartWriting(new Zapping(remove.RequestId, remove.ReplyTo,
            0, ulong.MaxValue, Remove: true)));
        Common();
    }

    /// <summary>
    /// A recall holds the sema for write: it waits for readers, then for every attacher's Zapped.
    /// Stashes gets, attach checks, new faults and further recalls or removes; serves the rest.
    /// </summary>
    private void Writing()
    {
        Receive<AccessPermit.Get>(_ => StashBounded());
        Receive<Segment.Check>(_ => StashBounded());
        Receive<Fault.Pin>(_ => StashBounded());
        Receive<Segment.Recall>(_ => StashBounded());
        Receive<Segment.Remove>(_ => StashBounded());
        Receive<Attachment.Zapped>(HandleZapped);
        Common();
    }

    /// <summary>
    /// Removed: refuses gets, checks and faults (ENOENT); waits for its last references to go.
    /// </summary>
    private void Removed()
    {
        Receive<AccessPermit.Get>(get => _port.Send(get.ReplyTo,
            new Refused(get.RequestId, Errno.ENOENT)));
        Receive<Segment.Check>(check => _port.Send(check.ReplyTo,
            new Refused(check.RequestId, Errno.ENOENT)));
        Receive<Fault.Pin>(pin => _port.Send(pin.ReplyTo,
            new Refused(pin.RequestId, Errno.ENOENT)));
        Receive<Segment.Remove>(remove => _port.Send(remove.ReplyTo,
            new Segment.Removed(remove.RequestId, _id)));
        Receive<Segment.Recall>(recall => _port.Send(recall.ReplyTo,
            new Segment.Recalled(recall.RequestId, _id)));
        Common();
    }

    /// <summary>
    /// What every state serves: the owner's page answers, fault ends, unpins, remote access,
    /// unlinks.
    /// </summary>
    private void Common()
    {
        Receive<ThreadGroupActor.PageFound>(HandlePageFound);
        Receive<Refused>(HandlePageRefused);
        Receive<Fault.Done>(done =>
        {
            _holding.Remove(done.RequestId);
            ReadersChanged();
        });
        Receive<Frames.Unpin>(unpin => Unpin(unpin.PinIds));
        Receive<Frames.Read>(HandleRead);
        Receive<Frames.Write>(HandleWrite);
        Receive<AccessPermit.Unlink>(unlink =>
        {
            _links.Remove(unlink.LinkId);
            FreeIfUnreferenced();
        });
        Receive<Terminated>(HandleGetterStopped);
    }

    private void HandleGet(AccessPermit.Get get)
    {
        if (!CallRules.PermitAllows(_ownerCredentials, get.Caller, _mode, get.Flags))
        {
            _port.Send(get.ReplyTo, new Refused(get.RequestId, Errno.EACCES));
            return;
        }
        if (!get.CallerHasTg)
        {
            _port.Send(get.ReplyTo, new Refused(get.RequestId, Errno.NOPROC));
            return;
        }
        var link = ++_nextLink;
        _links[link] = get.ReplyTo;
        // A getter that ends without a word (its process stopped) must not hold a recall forever.
        Context.Watch(get.ReplyTo.Ref);
        _port.Send(get.ReplyTo,
            new AccessPermit.Granted(get.RequestId, new Endpoint(_port.Partition, Self),
            _address, _sizeBytes, _owner, link));
    }

    private void HandlePin(Fault.Pin pin)
    {
        _finding[pin.RequestId] = pin;
        _ownerActor.Tell(new ThreadGroupActor.FindPage(pin.RequestId, pin.SourceAddress, Self));
    }

    private void HandlePageFound(ThreadGroupActor.PageFound found)
    {
        if (!_finding.Remove(found.RequestId, out var pin)) return;
        var pinId = ++_nextPin;
        found.Page.Pin();
        _pins[pinId] = (found.Page, pin.Attacher);
        Machine.Monitor.Pinned(_owner);
        if (Machine.Trace.Enabled) Machine.Trace.Event(TracePath,
            new Tracing.PagePinned(pin.RequestId, pinId, pin.SourceAddress, pin.Attacher));
        _holding.Add(pin.RequestId);
        _port.Send(pin.ReplyTo, pin.ReplyTo.Partition == _port.Partition
            ? new LocalPinned(pin.RequestId, pinId, found.Page)
            : new Fault.Pinned(pin.RequestId, pinId));
    }

    private void HandlePageRefused(Refused refused)
    {
        if (!_finding.Remove(refused.RequestId, out var pin)) return;
        _port.Send(pin.ReplyTo, new Refused(pin.RequestId, refused.Errno));
        ReadersChanged();
    }

    private void HandleRead(Frames.Read read)
    {
        if (!_pins.TryGetValue(read.PinId, out var pin))
        {
            _port.Send(read.ReplyTo, new Refused(read.RequestId, Errno.ENOENT));
            return;
        }
        _port.Send(read.ReplyTo,
            new Frames.Data(read.RequestId,
                pin.Page.Bytes.AsSpan(read.OffsetBytes, read.LengthBytes).ToArray()));
    }

    private void HandleWrite(Frames.Write write)
    {
        if (!_pins.TryGetValue(write.PinId, out var pin))
        {
            _port.Send(write.ReplyTo, new Refused(write.RequestId, Errno.ENOENT));
            return;
        }
        write.Bytes.CopyTo(pin.Page.Bytes, write.OffsetBytes);
        _port.Send(write.ReplyTo, new Frames.Written(write.RequestId));
    }

    private void Unpin(IEnumerable<long> pinIds)
    {
        foreach (var pinId in pinIds)
        {
            if (!_pins.Remove(pinId, out var pin)) continue;
            pin.Page.Unpin();
            Machine.Monitor.Unpinned(_owner);
        }
        FreeIfUnreferenced();
    }

    /// <summary>
    /// A recall or remove in progress: who asked, which source range, which attachers still owe a
    /// Zapped.
    /// </summary>
    private sealed record Zapping(RequestId RequestId, Endpoint ReplyTo, ulong Start, ulong End,
        bool Remove)
    {
        /// <summary>Null until the readers have drained and the zaps went out.</summary>
        public List<IActorRef>? Waiting { get; set; }
    }

    private void StartWriting(Zapping zapping)
    {
        // Remove makes the segment invisible at once: later gets and faults fail (ENOENT).
        if (zapping.Remove) _removed = true;
        _zapping = zapping;
        Become(Writing);
        ReadersChanged();
    }

    /// <summary>
    /// When the last reader leaves a waiting writer, the writer zaps every attacher.
    /// </summary>
    private void ReadersChanged()
    {
        if (_zapping is not { Waiting: null } zapping || Readers > 0) return;
        var attachers = _links.Values.Distinct().ToList();
        zapping.Waiting = attachers.Select(a => a.Ref).ToList();
        foreach (var attacher in attachers)
        {
            _port.Send(attacher,
                new Attachment.Zap(zapping.RequestId, _id, zapping.Start, zapping.End,
                    new Endpoint(_port.Partition, Self)));
        }
        if (zapping.Waiting.Count == 0) EndWriting();
    }

    private void HandleZapped(Attachment.Zapped zapped)
    {
        if (_zapping is not { Waiting: { } waiting } zapping
            || zapped.RequestId != zapping.RequestId) return;
        Unpin(zapped.PinIds);
        waiting.Remove(zapped.Attacher.Ref);
        if (waiting.Count == 0) EndWriting();
    }

    /// <summary>
    /// A getter's process is gone: its permits went with it, and it owes no Zapped any more.
    /// </summary>
    private void HandleGetterStopped(Terminated stopped)
    {
        foreach (var (link, _) in _links.Where(l => l.Value.Ref.Equals(stopped.ActorRef)).ToList())
            _links.Remove(link);
        if (_zapping is { Waiting: { } waiting } && waiting.Remove(stopped.ActorRef)
            && waiting.Count == 0) EndWriting();
        FreeIfUnreferenced();
    }

    private void EndWriting()
    {
        var zapping = _zapping!;
        _zapping = null;
        _port.Send(zapping.ReplyTo, zapping.Remove
            ? new Segment.Removed(zapping.RequestId, _id)
            : new Segment.Recalled(zapping.RequestId, _id));
        _stashed = 0;
        Stash.UnstashAll();
        Become(_removed ? Removed : Active);
        FreeIfUnreferenced();
    }

    private void StashBounded()
    {
        if (++_stashed > Machine.Settings.StashCapacityMax)
        {
            throw new InvalidOperationException(
                $"segment {_id}: more than {Machine.Settings.StashCapacityMax} requests stashed "
                + "during a recall");
        }
        Stash.Stash();
    }

    /// <summary>
    /// The last reference gone (removed, no permits, no pins): the segment is freed.
    /// </summary>
    private void FreeIfUnreferenced()
    {
        if (_freed || !_removed || _zapping is not null || _links.Count > 0 || _pins.Count > 0
            || Readers > 0) return;
        _freed = true;
        _ownerActor.Tell(new Segment.Freed(_id));
        Context.Stop(Self);
    }
}
