using Akka.Actor;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Locks;
using Emulator.Partitions.Memory;
using Emulator.Partitions.Permits;
using Emulator.Partitions.Rules;
using Emulator.Partitions.Segments;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Partitions;
using Emulator.Protocol.Permits;
using Emulator.Protocol.Processes;
using Emulator.Protocol.Segments;

namespace Emulator.Partitions.Processes;

/// <summary>
/// The calls a process makes (XPMEM's make, get, remove, release, open, close; the memory calls
/// go on in Memory, attach and detach in Attachments), each under the mm lock in the mode the
/// kernel takes it: calls that change the mm (mmap, munmap, attach, detach, release, close, fork)
/// for write, the others for read.
/// </summary>
public sealed partial class ThreadGroupActor
{
    private void Dispatch(Process.Run run)
    {
        switch (run.Call)
        {
            case ExitCall:
                Die(run, Signal.None);
                return;
            case KillCall kill:
                Die(run, kill.Signal);
                return;
        }
        if (RangeWalk.For(run.Call, Machine.Settings.AccessGrain) is { } walk)
        {
            _mm.Read(TaskOf(run), () => Drive(run, walk));
            return;
        }
        // libxpmem opens /dev/xpmem on the first call of a process (which makes its tg).
        if (run.Call is MakeCall or RemoveCall or GetCall or ReleaseCall or AttachCall
            or DetachCall or VersionCall or OpenCall or CloseCall
            && _library == LibraryMode.Libxpmem && !_deviceOpen) Open();
        switch (run.Call)
        {
            case MmapCall mmap: Locked(run, write: true, done => Mmap(run, mmap, done)); break;
            case MunmapCall munmap: Locked(run, write: true, done => Munmap(run, munmap, done));
                break;
            case ForkCall: Locked(run, write: true, done => Fork(done)); break;
            case MakeCall make:
                Locked(run, write: false, done => Libxpmem(call => call(Make(make)), done));
                break;
            case GetCall get:
                Locked(run, write: false, done => Libxpmem(call => CallGet(get, call), done));
                break;
            case RemoveCall remove:
                Locked(run, write: false, done => CallRemove(run, remove, done));
                break;
            case ReleaseCall release:
                Locked(run, write: true, done => CallRelease(run, release, done));
                break;
            case AttachCall attach: Locked(run, write: true, done => CallAttach(run, attach, done));
                break;
            case DetachCall detach:
                Locked(run, write: true, done => Detach(TaskOf(run), detach.Address, done));
                break;
            case VersionCall: Complete(run, Outcome.Ok(Xpmem.Version)); break;
            case OpenCall:
                Open();
                Complete(run, Outcome.Ok());
                break;
            case CloseCall: Locked(run, write: true, done => Close(run, done)); break;
            default:
                throw new InvariantException($"{_id}: no handler for call {run.Call}");
        }
    }

    /// <summary>
    /// Runs a call's body holding the mm for read or write (now, or when it is its turn); the
    /// body ends by calling <c>done</c> once, which lets go of a write hold and ends the call. A
    /// body whose call ended meanwhile (the process died while it waited) does nothing.
    /// </summary>
    private void Locked(Process.Run run, bool write, Action<Action<Outcome>> body)
    {
        // The call ends before the work it held back runs (a death among it would end it as
        // Dead otherwise, though it was done).
        Action<Outcome> done = write
            ? outcome =>
            {
                Complete(run, outcome);
                _mm.ReleaseWrite();
            }
            : outcome => Complete(run, outcome);
        Action start = () =>
        {
            if (Running(run)) body(done);
            else if (write) _mm.ReleaseWrite();
        };
        if (write) _mm.Write(TaskOf(run), start);
        else _mm.Read(TaskOf(run), start);
    }

    /// <summary>
    /// libxpmem: a make or get answered NOPROC (a forked child with the parent's fd) reopens the
    /// device, which makes the child's thread group, and retries once.
    /// </summary>
    private void Libxpmem(Action<Action<Outcome>> call, Action<Outcome> done) => call(outcome =>
    {
        if (outcome.Errno != Errno.NOPROC || _library != LibraryMode.Libxpmem || !_alive)
        {
            done(outcome);
            return;
        }
        _deviceOpen = false;
        Open();
        call(done);
    });

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
    private void Close(Process.Run run, Action<Outcome> done)
    {
        _deviceOpen = false;
        Teardown(TaskOf(run), () =>
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
            SegmentActor.Props(Machine, _port, segid, _credentials, make.Address, size, make.Mode,
                Self),
            $"seg-{++_segmentActorsMade}");
        _segmentActors++;
        Emit(new SegmentMade(segid));
        tg.Segments[segid.Value] = new SegmentEntry(segid, make.Address, size, actor);
        return Outcome.Ok((ulong)segid.Value);
    }

    private void CallRemove(Process.Run run, RemoveCall remove, Action<Outcome> done)
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
        RemoveSegment(entry, TaskOf(run), () => done(Outcome.Ok()));
    }

    /// <summary>
    /// The segment is invisible at once; it waits for in-flight faults and zaps every attacher,
    /// holding its sema for <paramref name="task"/>.
    /// </summary>
    private void RemoveSegment(SegmentEntry entry, LockTask task, Action then)
    {
        var id = NextRequestId();
        _replies.Await(id, "Segment.Remove", reply =>
        {
            PendingReplies.Expect<Segment.Removed>(reply);
            then();
        });
        entry.Actor.Tell(new Segment.Remove(id, Me, task.Call));
    }

    /// <summary>
    /// A call naming another process's id: ENOENT if that process (or permit) is gone, else EACCES.
    /// </summary>
    private void ProbeForeign(TgId owner, ApId? permit, Action<Outcome> done)
    {
        var id = NextRequestId();
        Action<IReply> answered = reply => done(
            Outcome.Fail(reply switch
            {
                Process.Probed { Found: true } or Segment.Checked => Errno.EACCES,
                Refused { Errno: Errno.EINVAL } => Errno.EINVAL,
                TimedOut or Refused { Errno: Errno.ENOLINK } => Errno.ENOLINK,
                _ => Errno.ENOENT,
            }));
        // A permit's holder hands the probe on to its segment, whose answer may cross XPC from
        // another partition even when the holder is here: only a deadline bounds that (a crash
        // there left an attach waiting for ever; CrashInterleavingSpec, seed 26).
        var local = owner.Partition == _port.Partition;
        if (local && permit is not null)
            _replies.AwaitWithDeadline(id, "Process.Probe", owner.Partition, answered);
        else if (!AwaitReply(owner.Partition, id, "Process.Probe", answered)) return;
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
        var segid = new SegId(get.SegId);
        var reachable = AwaitReply(segid.Owner.Partition, id, "AccessPermit.Get", reply =>
        {
            if (reply is not AccessPermit.Granted granted)
            {
                done(Outcome.Fail(reply is TimedOut ? Errno.ENOLINK
                    : PendingReplies.Expect<Refused>(reply).Errno));
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
            tg.Permits.Add(new PermitState(apid, new SegId(get.SegId), flags, granted.Segment,
                granted.SegmentAddress, granted.SegmentSizeBytes, granted.SegmentOwner,
                granted.LinkId));
            done(Outcome.Ok((ulong)apid.Value));
        });
        if (!reachable) return;
        _port.Route(segid.Owner,
            new AccessPermit.Get(id, segid, flags, _credentials, LiveTg is not null, _id, Me));
    }

    private void CallRelease(Process.Run run, ReleaseCall release, Action<Outcome> done)
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
        ReleasePermit(permit, TaskOf(run), () => done(Outcome.Ok()));
    }

    /// <summary>
    /// Release: every attachment made through the permit is detached, then the segment reference
    /// goes; <paramref name="then"/> runs once every load or store in flight through them ended.
    /// </summary>
    private void ReleasePermit(PermitState permit, LockTask task, Action then)
    {
        var one = Join.After(permit.Attachments.Count + 1, then);
        foreach (var attachment in permit.Attachments.ToList())
            DetachAttachment(attachment, task, one);
        _port.Send(permit.SegmentActor, new AccessPermit.Unlink(permit.LinkId));
        one();
    }
}
