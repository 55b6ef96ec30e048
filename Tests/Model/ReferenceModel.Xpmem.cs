using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Processes;

namespace Emulator.Tests.Model;

// The six XPMEM calls, each check in the order of spec section 2 (and the driver's source).
// Arithmetic on user-supplied addresses and sizes wraps, as the kernel's u64 arithmetic does.
public sealed partial class ReferenceModel
{
    private Outcome HandleMake(ModelProcess process, MakeCall call)
    {
        if (call.PermitType != Xpmem.PermitMode || (call.Mode & ~0x1FFUL) != 0
            || call.SizeBytes == 0)
        {
            return Outcome.Fail(Errno.EINVAL);
        }
        var group = process.ThreadGroup;
        if (group is null)
        {
            return Outcome.Fail(Errno.NOPROC);
        }
        var size = call.SizeBytes;
        if (unchecked(call.Address + size) > Xpmem.TaskSize)
        {
            if (size != Xpmem.MaxAddrSize)
            {
                return Outcome.Fail(Errno.EINVAL);
            }
            size = unchecked(Xpmem.TaskSize - call.Address);
        }
        if (!ModelRules.IsPageAligned(call.Address) || !ModelRules.IsPageAligned(size))
        {
            return Outcome.Fail(Errno.EINVAL);
        }
        if (group.LastSegmentUniq >= XpmemId.MaxUniq)
        {
            return Outcome.Fail(Errno.EBUSY);
        }
        var segId = IdOf(process, ++group.LastSegmentUniq);
        group.Segments.Add(segId, new ModelSegment(segId, call.Address, size, call.Mode, group));
        return Outcome.Ok((ulong)segId);
    }

    private Outcome HandleRemove(ModelProcess process, RemoveCall call)
    {
        if (!XpmemId.IsValid(call.SegId))
        {
            return Outcome.Fail(Errno.EINVAL);
        }
        var (owner, errno) = FindThreadGroup(call.SegId);
        if (owner is null)
        {
            return Outcome.Fail(errno);
        }
        if (owner.Process != process)
        {
            return Outcome.Fail(Errno.EACCES);
        }
        if (!owner.Segments.TryGetValue(call.SegId, out var segment))
        {
            return Outcome.Fail(Errno.ENOENT);
        }
        RemoveSegment(segment);
        return Outcome.Ok();
    }

    private Outcome HandleGet(ModelProcess process, GetCall call)
    {
        if (!XpmemId.IsValid(call.SegId) || !ModelRules.AreValidGetFlags(call.Flags)
            || call.PermitType != Xpmem.PermitMode)
        {
            return Outcome.Fail(Errno.EINVAL);
        }
        var (owner, errno) = FindThreadGroup(call.SegId);
        if (owner is null)
        {
            return Outcome.Fail(errno);
        }
        if (!owner.Segments.TryGetValue(call.SegId, out var segment))
        {
            return Outcome.Fail(Errno.ENOENT);
        }
        if (!ModelRules.MayGet(owner, segment.Mode, process, call.Flags))
        {
            return Outcome.Fail(Errno.EACCES);
        }
        // The caller's own thread group is looked up only now: after the permission check.
        var group = process.ThreadGroup;
        if (group is null)
        {
            return Outcome.Fail(Errno.NOPROC);
        }
        if (group.LastPermitUniq >= XpmemId.MaxUniq)
        {
            return Outcome.Fail(Errno.EBUSY);
        }
        var apId = IdOf(process, ++group.LastPermitUniq);
        var permit = new ModelPermit(apId, call.Flags, segment, group);
        group.Permits.Add(apId, permit);
        segment.Permits.Add(permit);
        return Outcome.Ok((ulong)apId);
    }

    private Outcome HandleRelease(ModelProcess process, ReleaseCall call)
    {
        if (!XpmemId.IsValid(call.ApId))
        {
            return Outcome.Fail(Errno.EINVAL);
        }
        var (holder, errno) = FindThreadGroup(call.ApId);
        if (holder is null)
        {
            return Outcome.Fail(errno);
        }
        if (holder.Process != process)
        {
            return Outcome.Fail(Errno.EACCES);
        }
        if (!holder.Permits.TryGetValue(call.ApId, out var permit))
        {
            return Outcome.Fail(Errno.ENOENT);
        }
        ReleasePermit(permit);
        return Outcome.Ok();
    }

    private Outcome HandleAttach(ModelProcess process, AttachCall call)
    {
        var at = call.At ?? 0;
        var offset = call.OffsetBytes;
        if (!XpmemId.IsValid(call.ApId))
        {
            return Outcome.Fail(Errno.EINVAL);
        }
        // The page containing the fixed address must end below TASK_SIZE.
        if (at != 0 && unchecked((at & Xpmem.PageMask) + Xpmem.PageSize) >= Xpmem.TaskSize)
        {
            return Outcome.Fail(Errno.EINVAL);
        }
        if (!ModelRules.IsPageAligned(at) || !ModelRules.IsPageAligned(offset))
        {
            return Outcome.Fail(Errno.EINVAL);
        }
        var size = call.SizeBytes;
        if (!ModelRules.IsPageAligned(size))
        {
            size = unchecked(size + Xpmem.PageSize - (size & (Xpmem.PageSize - 1)));
        }
        var (holder, errno) = FindThreadGroup(call.ApId);
        if (holder is null)
        {
            return Outcome.Fail(errno);
        }
        if (!holder.Permits.TryGetValue(call.ApId, out var permit))
        {
            return Outcome.Fail(Errno.ENOENT);
        }
        var segment = permit.Segment;
        if (segment.Removed || segment.Owner.TornDown)
        {
            return Outcome.Fail(Errno.ENOENT);
        }
        return HandleAttachValidated(process, permit, offset, size, at);
    }

    /// <summary>attach from xpmem_validate_access on: the permit and segment are live.</summary>
    private Outcome HandleAttachValidated(
        ModelProcess process, ModelPermit permit, ulong offset, ulong size, ulong at)
    {
        var segment = permit.Segment;
        if (permit.Holder.Process != process || permit.Flags == Xpmem.RdOnly)
        {
            return Outcome.Fail(Errno.EACCES);
        }
        if ((long)offset < 0 || size == 0 || unchecked(offset + size) > segment.SizeBytes)
        {
            return Outcome.Fail(Errno.EINVAL);
        }
        var source = unchecked(segment.Address + offset);
        var self = segment.Owner.Process == process;
        if (self && at != 0 && ModelRules.Overlap(at, size, source, size))
        {
            return Outcome.Fail(Errno.EINVAL);
        }
        if (at != 0)
        {
            // A wrapped end intersects nothing (find_vma_intersection) and then fails in mmap.
            var end = unchecked(at + size);
            var overAttachment = process.Memory.Overlapping(at, end)
                .Any(vma => vma.Attachment is not null);
            if (end > at && overAttachment)
            {
                return Outcome.Fail(Errno.EINVAL);
            }
            if (size > Xpmem.TaskSize || at > Xpmem.TaskSize - size)
            {
                return Outcome.Fail(Errno.ENOMEM);
            }
            var hitAttachment = UnmapRange(process, at, end);
            ModelInvariant.Holds(!hitAttachment, "a fixed attach replaced an attachment");
        }
        else
        {
            var chosen = process.Memory.FindFree(size);
            if (chosen is null)
            {
                return Outcome.Fail(Errno.ENOMEM);
            }
            at = chosen.Value;
        }
        var attachment = new ModelAttachment(permit, at, size, source);
        permit.Attachments.Add(attachment);
        process.Memory.Insert(new ModelVma(at, at + size, attachment));
        return Outcome.Ok(at);
    }

    private Outcome HandleDetach(ModelProcess process, DetachCall call)
    {
        var vma = process.Memory.Find(call.Address);
        if (vma is null)
        {
            return Outcome.Ok();
        }
        if (vma.Attachment is null)
        {
            return Outcome.Fail(Errno.EINVAL);
        }
        if (vma.Attachment.Permit.Holder.Process != process)
        {
            return Outcome.Fail(Errno.EACCES);
        }
        DetachAttachment(vma.Attachment);
        return Outcome.Ok();
    }

    /// <summary>
    /// The id's owner thread group: decode the partition (EINVAL beyond the machine), then the
    /// pid on that partition (ENOENT if no live thread group). Remote ids behave as local ones.
    /// </summary>
    private (ModelThreadGroup? Group, Errno Errno) FindThreadGroup(long id)
    {
        var partition = XpmemId.PartitionOf(id).Value;
        if (partition >= _partitions.Count)
        {
            return (null, Errno.EINVAL);
        }
        var group = FindProcess(partition, XpmemId.PidOf(id))?.ThreadGroup;
        return group is null ? (null, Errno.ENOENT) : (group, Errno.None);
    }

    private static long IdOf(ModelProcess process, int uniq) =>
        XpmemId.Compose(new PartitionId(process.Partition), process.Pid, uniq);

    /// <summary>
    /// xpmem_remove_seg: invisible at once, every attacher zapped; attacher VMAs stay.
    /// </summary>
    private void RemoveSegment(ModelSegment segment)
    {
        segment.Removed = true;
        foreach (var attachment in segment.Permits.SelectMany(permit => permit.Attachments))
        {
            ZapAll(attachment);
        }
        segment.Owner.Segments.Remove(segment.SegId);
    }

    /// <summary>
    /// xpmem_release_ap: detach (unmap) every attachment, then unlink the permit.
    /// </summary>
    private void ReleasePermit(ModelPermit permit)
    {
        foreach (var attachment in permit.Attachments.ToList())
        {
            DetachAttachment(attachment);
        }
        permit.Holder.Permits.Remove(permit.ApId);
        permit.Segment.Permits.Remove(permit);
    }

    /// <summary>Unpin the attachment's pages and unmap its whole VMA.</summary>
    private void DetachAttachment(ModelAttachment attachment)
    {
        ZapAll(attachment);
        attachment.Attacher.Memory.RemoveAttachment(attachment);
        attachment.Permit.Attachments.Remove(attachment);
    }
}
