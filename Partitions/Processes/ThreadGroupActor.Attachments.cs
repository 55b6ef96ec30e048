using Emulator.Partitions.Attachments;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Locks;
using Emulator.Partitions.Memory;
using Emulator.Partitions.Permits;
using Emulator.Partitions.Rules;
using Emulator.Protocol;
using Emulator.Protocol.Faults;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Partitions;
using Emulator.Protocol.Processes;
using Emulator.Protocol.Segments;

namespace Emulator.Partitions.Processes;

/// <summary>
/// xpmem_attach and xpmem_detach, and an attachment's end: its VMA goes at once, its pins and its
/// place in the permit once the loads and stores in flight through it have ended.
/// </summary>
public sealed partial class ThreadGroupActor
{
    private void CallAttach(Process.Run run, AttachCall attach, Action<Outcome> done)
    {
        var at = attach.At is 0 ? null : attach.At;
        var (errno, size) = CallRules.AttachArguments(attach.ApId, attach.OffsetBytes,
            attach.SizeBytes, at);
        if (errno != Errno.None)
        {
            done(Outcome.Fail(errno));
            return;
        }
        var owner = XpmemId.OwnerOf(attach.ApId);
        if (owner != _id)
        {
            ProbeForeign(owner, new ApId(attach.ApId), done);
            return;
        }
        if (LiveTg?.Permits.Find(attach.ApId) is not { } permit)
        {
            done(Outcome.Fail(Errno.ENOENT));
            return;
        }
        if (permit.Severed)
        {
            // The segment's partition went down: its proxy is destroyed for good.
            done(Outcome.Fail(Errno.ENOLINK));
            return;
        }
        // seg_down_read: the segment must still be alive.
        var id = NextRequestId();
        var reachable = AwaitReply(permit.SegmentActor.Partition, id, "Segment.Check", reply =>
        {
            if (reply is Refused refused) done(Outcome.Fail(refused.Errno));
            else if (reply is TimedOut) done(Outcome.Fail(Errno.ENOLINK));
            else
            {
                PendingReplies.Expect<Segment.Checked>(reply);
                AttachChecked(run, attach.ApId, attach.OffsetBytes, size, at, done);
            }
        });
        if (reachable) _port.Send(permit.SegmentActor, new Segment.Check(id, Me));
    }

    private void AttachChecked(Process.Run run, long apid, ulong offset, ulong size, ulong? at,
        Action<Outcome> done)
    {
        // Re-validate after the wait: the permit may have been released meanwhile.
        if (LiveTg?.Permits.Find(apid) is not { } permit)
        {
            done(Outcome.Fail(Errno.ENOENT));
            return;
        }
        var source = permit.SegmentAddress + offset;
        var errno = CallRules.AttachAccess(permit.Flags, offset, size, permit.SegmentSizeBytes);
        if (errno == Errno.None)
        {
            var end = at is { } fixedAt && size <= ulong.MaxValue - fixedAt ? fixedAt + size
                : ulong.MaxValue;
            errno = CallRules.AttachPlacement(at, size, permit.SegmentOwner == _id, source,
                at is { } start && _memory.Overlapping(start, end).Any(v => v is AttachmentVma));
        }
        if (errno != Errno.None)
        {
            done(Outcome.Fail(errno));
            return;
        }
        if (at is null)
        {
            if (_memory.ChooseAddress(size) is not { } chosen) done(Outcome.Fail(Errno.ENOMEM));
            else done(Outcome.Ok(MapAttachment(permit, source, chosen, size)));
            return;
        }
        // MAP_FIXED replaces the anonymous memory there, with all that unmapping implies.
        UnmapRange(run, at.Value, at.Value + size, () =>
            LiveTg?.Permits.Find(apid) is { } still
                ? Outcome.Ok(MapAttachment(still, source, at.Value, size))
                : Outcome.Fail(Errno.ENOENT), done);
    }

    private ulong MapAttachment(PermitState permit, ulong source, ulong at, ulong size)
    {
        var attachment = new AttachmentState(++_nextAttachment, permit.Id, permit.Segment,
            permit.SegmentActor, source, at, size);
        permit.Attachments.Add(attachment);
        _memory.Insert(new AttachmentVma(attachment));
        Emit(new AttachmentMapped(_id, attachment.Id, permit.Id, permit.Segment, permit.Flags, at,
            size, source));
        return at;
    }

    /// <summary>
    /// xpmem_detach: 0 for an unmapped address, EINVAL for memory that is not an attachment.
    /// </summary>
    private void Detach(LockTask task, ulong address, Action<Outcome> done)
    {
        switch (_memory.Find(address))
        {
            case null:
                done(Outcome.Ok());
                break;
            case AttachmentVma vma:
                DetachAttachment(vma.Attachment, task, () => done(Outcome.Ok()));
                break;
            default:
                done(Outcome.Fail(Errno.EINVAL));
                break;
        }
    }

    /// <summary>
    /// Unmaps the whole attachment (new touches fault as unmapped at once); once the loads and
    /// stores in flight through it have ended, its pins go back and it leaves its permit, then
    /// <paramref name="then"/> runs. The permit stays valid.
    /// </summary>
    private void DetachAttachment(AttachmentState attachment, LockTask task, Action then)
    {
        _memory.RemoveAttachment(attachment);
        UnmapAttachment(attachment, task, then);
    }

    /// <summary>
    /// The attachment's VMA is gone: drain it, then, holding its mutex for
    /// <paramref name="task"/> (xpmem_detach's att->mutex), give its pins back and forget it.
    /// </summary>
    private void UnmapAttachment(AttachmentState attachment, LockTask task, Action then)
    {
        if (attachment.Unmapping)
        {
            attachment.WhenDrained(then);
            return;
        }
        attachment.Unmapping = true;
        attachment.WhenDrained(() =>
        {
            LockAttachment(attachment, task);
            var pins = attachment.ZapAll();
            if (pins.Count > 0) _port.Send(attachment.SegmentActor, new Frames.Unpin(pins));
            _tg?.Permits.Find(attachment.Permit.Value)?.Attachments
                .Remove(attachment);
            UnlockAttachment(attachment, task);
            Emit(new AttachmentUnmapped(_id, attachment.Id));
            then();
        });
    }

    /// <summary>
    /// att->mutex, taken for <paramref name="task"/>: the kernel's faults, detach and PTE clearing
    /// serialize on it; here they are steps of this thread group, one at a time, so it is held for
    /// the one step it guards and never waited for. Its events are what the checkers judge.
    /// </summary>
    private void LockAttachment(AttachmentState attachment, LockTask task) =>
        LockEvents.Acquired(LockId.Att(_id, attachment.Id), task, LockMode.Write);

    private void UnlockAttachment(AttachmentState attachment, LockTask task) =>
        LockEvents.Released(LockId.Att(_id, attachment.Id), task);
}
