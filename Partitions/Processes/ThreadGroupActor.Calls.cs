using Akka.Actor;
using Emulator.Partitions.Attachments;
using Emulator.Partitions.Memory;
using Emulator.Partitions.Permits;
using Emulator.Partitions.Rules;
using Emulator.Partitions.Segments;
using Emulator.Protocol;
using Emulator.Protocol.Faults;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Partitions;
using Emulator.Protocol.Permits;
using Emulator.Protocol.Processes;
using Emulator.Protocol.Segments;

namespace Emulator.Partitions.Processes;

/// <summary>The XPMEM calls, as the process makes them (xpmem-spec section 2).</summary>
public sealed partial class ThreadGroupActor
{
    private void Dispatch(Process.Run run)
    {
        switch (run.Call)
        {
            case MakeCall or RemoveCall or GetCall or ReleaseCall or AttachCall or DetachCall
                or VersionCall or OpenCall or CloseCall:
                // libxpmem opens /dev/xpmem on the first call of a process (which makes its tg).
                if (_library == LibraryMode.Libxpmem && !_deviceOpen) Open();
                DispatchXpmem(run, retried: false);
                break;
            case MmapCall mmap: HandleMmap(run, mmap); break;
            case MunmapCall munmap: HandleMunmap(run, munmap); break;
            case ReadCall or WriteCall or FillCall or CheckCall or Add32Call or Sum32Call
                or CopyCall:
                HandleAccess(run);
                break;
            case ForkCall: HandleFork(run); break;
            case ExitCall: Die(run, Signal.None); break;
            case KillCall kill: Die(run, kill.Signal); break;
            default: throw new InvalidOperationException($"unknown call {run.Call}");
        }
    }

    private void DispatchXpmem(Process.Run run, bool retried)
    {
        // libxpmem: a make or get answered NOPROC (a forked child with the parent's fd) reopens the
        // device, which makes the child's thread group, and retries once.
        Action<Outcome> done = outcome =>
        {
            if (outcome.Errno == Errno.NOPROC && !retried && _alive
                && _library == LibraryMode.Libxpmem)
            {
                _deviceOpen = false;
                Open();
                DispatchXpmem(run, retried: true);
            }
            else Complete(run, outcome);
        };
        switch (run.Call)
        {
            case MakeCall make: done(Make(make)); break;
            case RemoveCall remove: CallRemove(remove, done); break;
            case GetCall get: CallGet(get, done); break;
            case ReleaseCall release: CallRelease(release, done); break;
            case AttachCall attach: CallAttach(run, attach, done); break;
            case DetachCall detach: done(Detach(detach.Address)); break;
            case VersionCall: done(Outcome.Ok(Xpmem.Version)); break;
            case OpenCall: Open(); done(Outcome.Ok()); break;
            case CloseCall: Close(done); break;
        }
    }

    /// <summary>
    /// Opening the device makes the thread group if the process has none; a second open is a no-op.
    /// </summary>
    private void Open()
    {
        _deviceOpen = true;
        _tg ??= new ThreadGroup();
    }

    /// <summary>
    /// close: full teardown (permits, then segments), then the thread group is gone (xpmem-spec
    /// 3.6).
    /// </summary>
    private void Close(Action<Outcome> done)
    {
        _deviceOpen = false;
        Teardown(() =>
        {
            _tg = null;
            done(Outcome.Ok());
        });
    }

    private Outcome Make(MakeCall make)
    {
        var (errno, size) = CallRules.Make(make.Address, make.SizeBytes, make.PermitType, make.Mode,
            LiveTg is not null);
        if (errno != Errno.None) return Outcome.Fail(errno);
        var tg = LiveTg!;
        if (tg.NextSegmentUniq > XpmemId.MaxUniq) return Outcome.Fail(Errno.EBUSY);
        var segid = new SegId(XpmemId.Compose(_id.Partition, _id.Pid, tg.NextSegmentUniq++));
        var actor = Context.ActorOf(
            SegmentActor.Props(Machine, _port, segid, _id, _credentials, make.Address, size,
                make.Mode, Self),
            $"seg-{++_segmentsMade}");
        _segmentActors++;
        Machine.Monitor.SegmentMade();
        tg.Segments[segid.Value] = new SegmentEntry(segid, make.Address, size, actor);
        return Outcome.Ok((ulong)segid.Value);
    }

    private void CallRemove(RemoveCall remove, Action<Outcome> done)
    {
        if (remove.SegId <= 0)
        {
            done(Outcome.Fail(Errno.EINVAL));
            return;
        }
        var owner = XpmemId.OwnerOf(remove.SegId);
        if (owner != _id)
        {
            // Only the maker may remove: EACCES if the owner exists, ENOENT if not.
            ProbeForeign(owner, permit: null, done);
            return;
        }
        if (LiveTg is not { } tg || !tg.Segments.Remove(remove.SegId, out var entry))
        {
            done(Outcome.Fail(Errno.ENOENT));
            return;
        }
        RemoveSegment(entry, () => done(Outcome.Ok()));
    }

    /// <summary>
    /// The segment is invisible at once; it waits for in-flight faults and zaps every attacher.
    /// </summary>
    private void RemoveSegment(SegmentEntry entry, Action then)
    {
        var id = NextRequestId();
        Await(id, _ => then());
        entry.Actor.Tell(new Segment.Remove(id, Me));
    }

    /// <summary>
    /// A call naming another process's id: ENOENT if that process (or permit) is gone, else EACCES.
    /// </summary>
    private void ProbeForeign(TgId owner, ApId? permit, Action<Outcome> done)
    {
        var id = NextRequestId();
        Await(id, reply => done(Outcome.Fail(reply switch
        {
            Process.Probed { Found: true } or Segment.Checked => Errno.EACCES,
            Refused { Errno: Errno.EINVAL } => Errno.EINVAL,
            _ => Errno.ENOENT,
        })));
        _port.Route(owner, new Process.Probe(id, permit, Me));
    }

    private void CallGet(GetCall get, Action<Outcome> done)
    {
        var errno = CallRules.Get(get.SegId, get.Flags, get.PermitType);
        if (errno != Errno.None)
        {
            done(Outcome.Fail(errno));
            return;
        }
        var id = NextRequestId();
        var flags = (int)get.Flags;
        Await(id, reply =>
        {
            if (reply is not AccessPermit.Granted granted)
            {
                done(Outcome.Fail(((Refused)reply).Errno));
                return;
            }
            if (!_alive || LiveTg is not { } tg || tg.NextPermitUniq > XpmemId.MaxUniq)
            {
                // No permit after all (the process died, the device closed meanwhile, or uniq is
                // exhausted): drop the segment's reference.
                _port.Send(granted.Segment, new AccessPermit.Unlink(granted.LinkId));
                done(!_alive ? Outcome.Dead()
                    : Outcome.Fail(LiveTg is null ? Errno.NOPROC : Errno.EBUSY));
                return;
            }
            var apid = new ApId(XpmemId.Compose(_id.Partition, _id.Pid, tg.NextPermitUniq++));
            tg.Permits[apid.Value] = new PermitState(apid, new SegId(get.SegId), flags,
                granted.Segment, granted.SegmentAddress, granted.SegmentSizeBytes,
                granted.SegmentOwner, granted.LinkId);
            done(Outcome.Ok((ulong)apid.Value));
        });
        var segid = new SegId(get.SegId);
        _port.Route(segid.Owner,
            new AccessPermit.Get(id, segid, flags, _credentials, LiveTg is not null, _id, Me));
    }

    private void CallRelease(ReleaseCall release, Action<Outcome> done)
    {
        if (release.ApId <= 0)
        {
            done(Outcome.Fail(Errno.EINVAL));
            return;
        }
        var owner = XpmemId.OwnerOf(release.ApId);
        if (owner != _id)
        {
            ProbeForeign(owner, permit: null, done);
            return;
        }
        if (LiveTg is not { } tg || !tg.Permits.Remove(release.ApId, out var permit))
        {
            done(Outcome.Fail(Errno.ENOENT));
            return;
        }
        ReleasePermit(permit);
        done(Outcome.Ok());
    }

    /// <summary>
    /// Release: every attachment made through the permit is detached, then the segment reference
    /// goes.
    /// </summary>
    private void ReleasePermit(PermitState permit)
    {
        foreach (var attachment in permit.Attachments.ToList()) DetachAttachment(attachment);
        _port.Send(permit.SegmentActor, new AccessPermit.Unlink(permit.LinkId));
    }

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
        if (LiveTg?.Permits.GetValueOrDefault(attach.ApId) is not { } permit)
        {
            done(Outcome.Fail(Errno.ENOENT));
            return;
        }
        // seg_down_read: the segment must still be alive.
        var id = NextRequestId();
        Await(id, reply =>
        {
            if (reply is Refused refused) done(Outcome.Fail(refused.Errno));
            else AttachChecked(run, attach.ApId, attach.OffsetBytes, size, at, done);
        });
        _port.Send(permit.SegmentActor, new Segment.Check(id, Me));
    }

    private void AttachChecked(Process.Run run, long apid, ulong offset, ulong size, ulong? at,
        Action<Outcome> done)
    {
        // Re-validate after the wait: the permit may have been released meanwhile.
        if (LiveTg?.Permits.GetValueOrDefault(apid) is not { } permit)
        {
            done(Outcome.Fail(Errno.ENOENT));
            return;
        }
        var errno = CallRules.AttachAccess(permit.Flags, offset, size, permit.SegmentSizeBytes);
        var source = permit.SegmentAddress + offset;
        if (errno == Errno.None && at is { } self && permit.SegmentOwner == _id
            && CallRules.SelfAttachOverlaps(self, source, size)) errno = Errno.EINVAL;
        if (errno == Errno.None && at is { } fixedAt
            && _memory.Overlapping(fixedAt, fixedAt + size).Any(v => v is AttachmentVma))
            errno = Errno.EINVAL;
        // vm_mmap's own refusal: a fixed range past the end of user space.
        if (errno == Errno.None && at is { } mapAt
            && (size > Xpmem.TaskSize || mapAt > Xpmem.TaskSize - size)) errno = Errno.ENOMEM;
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
        {
            if (LiveTg?.Permits.GetValueOrDefault(apid) is not { } still)
                done(Outcome.Fail(Errno.ENOENT));
            else done(Outcome.Ok(MapAttachment(still, source, at.Value, size)));
        });
    }

    private ulong MapAttachment(PermitState permit, ulong source, ulong at, ulong size)
    {
        var attachment = new AttachmentState(permit.Id, permit.Segment, permit.SegmentActor, source,
            at, size);
        permit.Attachments.Add(attachment);
        _memory.Insert(new AttachmentVma(attachment));
        return at;
    }

    /// <summary>
    /// xpmem_detach: 0 for an unmapped address, EINVAL for memory that is not an attachment.
    /// </summary>
    private Outcome Detach(ulong address)
    {
        return _memory.Find(address) switch
        {
            null => Outcome.Ok(),
            AttachmentVma vma => DetachVma(vma),
            _ => Outcome.Fail(Errno.EINVAL),
        };

        Outcome DetachVma(AttachmentVma vma)
        {
            DetachAttachment(vma.Attachment);
            return Outcome.Ok();
        }
    }

    /// <summary>Unmaps the whole attachment and drops its pins; the permit stays valid.</summary>
    private void DetachAttachment(AttachmentState attachment)
    {
        var vma = _memory.Vmas.OfType<AttachmentVma>()
            .FirstOrDefault(v => v.Attachment == attachment);
        if (vma is not null) _memory.RemoveAttachment(vma);
        DropAttachment(attachment);
    }

    /// <summary>
    /// Forgets an attachment whose VMA is already gone: pins back to the segment, off the permit.
    /// </summary>
    private void DropAttachment(AttachmentState attachment)
    {
        var pins = attachment.ZapAll();
        if (pins.Count > 0) _port.Send(attachment.SegmentActor, new Frames.Unpin(pins));
        _tg?.Permits.GetValueOrDefault(attachment.Permit.Value)?.Attachments.Remove(attachment);
    }
}
