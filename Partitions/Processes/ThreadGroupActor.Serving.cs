using Akka.Actor;
using Emulator.Partitions.Locks;
using Emulator.Partitions.Memory;
using Emulator.Protocol;
using Emulator.Protocol.Attachments;
using Emulator.Protocol.Faults;
using Emulator.Protocol.Partitions;
using Emulator.Protocol.Permits;
using Emulator.Protocol.Segments;

namespace Emulator.Partitions.Processes;

/// <summary>
/// What a thread group does for others: lookups by id, the owner's side of a fault, zaps.
/// </summary>
public sealed partial class ThreadGroupActor
{
    /// <summary>
    /// Another process names one of our ids. For a permit, the kernel's attach looks the segment up
    /// (seg_down_read) before it checks who is asking, so a live permit of a removed segment is
    /// ENOENT: the segment itself answers the asker (Checked, or Refused ENOENT).
    /// </summary>
    private void HandleProbe(Process.Probe probe)
    {
        if (probe.Permit is { } permitId
            && LiveTg?.Permits.Find(permitId.Value) is { } permit)
        {
            _port.Send(permit.SegmentActor, new Segment.Check(probe.RequestId, probe.ReplyTo));
            return;
        }
        var found = LiveTg is not null && probe.Permit is null;
        _port.Send(probe.ReplyTo, new Process.Probed(probe.RequestId, found));
    }

    /// <summary>
    /// xpmem_get, owner side: a dying or absent tg and an absent segment are ENOENT.
    /// </summary>
    private void HandleGet(AccessPermit.Get get)
    {
        if (LiveTg?.Segments.GetValueOrDefault(get.Segment.Value) is not { } entry)
        {
            _port.Send(get.ReplyTo, new Refused(get.RequestId, Errno.ENOENT));
            return;
        }
        entry.Actor.Tell(get);
    }

    /// <summary>
    /// The owner's mm during a fault (get_user_pages), for read, taken for the attacher's call
    /// as the fault says: waited for (behind any writer: it sees the mm before or after an mmap,
    /// munmap, fork or exit, never halfway), tried (EAGAIN if a writer holds or waits), or not at
    /// all when the attacher is this very process (its fault holds the mm already). A read taken
    /// is kept until the fault is over (<see cref="LookupDone"/>), as the kernel holds it until the
    /// PTE is in.
    /// </summary>
    private void HandleFindPage(FindPage find)
    {
        switch (find.Mm)
        {
            case OwnerMm.Same:
                FindPageUnderMm(find, held: false);
                break;
            case OwnerMm.Try when !_mm.TryAcquireRead(find.Task):
                find.ReplyTo.Tell(new Refused(find.RequestId, Errno.EAGAIN));
                break;
            case OwnerMm.Try:
                FindPageUnderMm(find, held: true);
                break;
            // Taken at once when free, as AcquireRead would: no closure for the common case.
            case OwnerMm.Wait when _mm.TryAcquireRead(find.Task):
                FindPageUnderMm(find, held: true);
                break;
            default:
                AwaitMmForLookup(find);
                break;
        }
    }

    /// <summary>
    /// The lookup waits its turn for the owner's mm. A method of its own: a lambda's closure is
    /// made where the parameter it captures comes into scope, and in <see cref="HandleFindPage"/>
    /// that was every lookup (4.5 MB of closures and 8.6 MB of delegates in the Altix run).
    /// </summary>
    private void AwaitMmForLookup(FindPage find) =>
        _mm.AcquireRead(find.Task, () => FindPageUnderMm(find, held: true));

    /// <summary>
    /// A fault that took our mm for its lookup is over: the read ends, and the attacher, if it
    /// waits to hear it, does (its fault ends only then).
    /// </summary>
    private void HandleLookupDone(LookupDone done)
    {
        _mm.ReleaseRead(done.Task);
        if (done.ReplyTo is { } attacher) _port.Send(attacher, new Fault.Released(done.RequestId));
    }

    /// <summary>
    /// The source must lie in an ordinary mapping (a hole, or an attachment re-exported, is ENOENT
    /// and the attacher gets SIGBUS). An untouched page is zero-filled; a copy-on-write page is
    /// copied first, since the pin is for writing. The page is pinned here, under the mm, so a fork
    /// that comes next copies it for the child and the owner keeps the frame its attachers map.
    /// A refusal lets go of the read at once.
    /// </summary>
    private void FindPageUnderMm(FindPage find, bool held)
    {
        if (!_alive || _memory.Find(find.SourceAddress) is not AnonymousVma)
        {
            Refuse(Errno.ENOENT);
        }
        else if (!_memory.TryPageForWrite(find.SourceAddress, out var page))
        {
            // No frame left to fault the page in: the toucher gets SIGBUS (VM_FAULT_OOM).
            Refuse(Errno.ENOMEM);
        }
        else
        {
            page.Pin();
            find.ReplyTo.Tell(new PageFound(find.RequestId, page));
        }

        void Refuse(Errno errno)
        {
            if (held) _mm.ReleaseRead(find.Task);
            find.ReplyTo.Tell(new Refused(find.RequestId, errno));
        }
    }

    /// <summary>
    /// A segment recalls its pages: clear the PTEs of our attachments of it in that source range.
    /// Like the kernel's notifier path it does not wait for the mm (an mmap of ours may be the
    /// very change being recalled). Each attachment's PTEs are cleared under its mutex, taken for
    /// this process's part of the recall (the recall's request, here: the zaps of one recall run
    /// at once in several attachers, which the kernel's recaller does one by one).
    /// </summary>
    private void HandleZap(Attachment.Zap zap)
    {
        var pins = new List<long>();
        var recaller = new LockTask(_id, zap.RequestId);
        foreach (var permit in _tg?.Permits.Of(zap.Segment) ?? [])
        {
            foreach (var attachment in permit.Attachments)
            {
                LockAttachment(attachment, recaller);
                pins.AddRange(attachment.Zap(zap.Start, zap.End));
                UnlockAttachment(attachment, recaller);
            }
        }
        _port.Send(zap.ReplyTo, new Attachment.Zapped(zap.RequestId, Me, pins));
    }

    /// <summary>
    /// Partition <paramref name="down"/>'s Peer is unreachable (SGI's GOINGDOWN): what we wait
    /// for from it ends now (ENOLINK or SIGBUS), our permits on its segments are severed for good
    /// (their PTEs held pins that died with it), and our segments and faults drop what concerns
    /// it without waiting for its answer. The partition hears when we are done (it is DOWN when
    /// every process is): what it then lets in from the peer's next session comes after this, so
    /// it never meets what was severed here.
    /// </summary>
    private void HandlePeerDown(PartitionActor.PeerDown down)
    {
        Sever(down);
        Context.Parent.Tell(new PartitionActor.PeerSevered(_id.Pid, down.Peer));
    }

    private void Sever(PartitionActor.PeerDown down)
    {
        if (!_downPeers.Add(down.Peer)) return;
        foreach (var permit in _tg?.Permits.All ?? [])
        {
            if (permit.SegmentOwner.Partition != down.Peer || permit.Severed) continue;
            permit.Severed = true;
            foreach (var attachment in permit.Attachments)
            {
                attachment.Severed = true;
                attachment.Ptes.Clear();
            }
        }
        var children = Context.GetChildren().OrderBy(c => c.Path.Name, StringComparer.Ordinal);
        foreach (var child in children) child.Tell(down);
        _replies.FailTo(down.Peer);
        StopIfUnreferenced();
    }
}
