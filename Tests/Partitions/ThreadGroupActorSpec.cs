// Proves the ThreadGroupActor makes XPMEM calls as the kernel answers them (xpmem-spec sections 2
// and 3): the ids it hands out, the errnos of make, get, remove and attach in the kernel's order,
// the attacher's fault path (a local page, a remote pin, a refusal), zaps, the owner's recall on
// munmap, and the teardown on exit and on SIGBUS.
// How: the actor runs alone as pid 100 on partition p0 of a two-partition wiring whose partitions
// and interconnect are probes. A request routed to another process arrives at the p0 probe as
// Partition.Deliver (or at the interconnect probe as XpcActor.Carry when it goes to p1), and the
// test answers as that process, its partition or its segment would. The process's own segments
// are real SegmentActor children; a getter probe holding a permit on one sees what the segment
// does (its zaps) and keeps it referenced. Time is virtual: a fault times out only when the test
// advances the TestScheduler. A thread group that throws is stopped and its exception kept.
using System.Buffers.Binary;
using System.Collections.Concurrent;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Emulator.Partitions;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Memory;
using Emulator.Partitions.Processes;
using Emulator.Partitions.Segments;
using Emulator.Partitions.Xpc;
using Emulator.Protocol;
using Emulator.Protocol.Attachments;
using Emulator.Protocol.Faults;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Partitions;
using Emulator.Protocol.Permits;
using Emulator.Protocol.Processes;
using Emulator.Protocol.Segments;
using Xunit;
using static Emulator.Tests.Partitions.ActorSpecSupport;
using static Emulator.Tests.Partitions.WiredSpecSupport;

namespace Emulator.Tests.Partitions;

public sealed class ThreadGroupActorSpec : TestKit
{
    private const ulong SegmentAddress = 0x10000;
    private const ulong SegmentSize = 0x4000;
    private const ulong Mode0666 = 0x1B6;
    private const int PermitMode = Xpmem.PermitMode;
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);
    private static readonly TgId Me = new(P0, 100);
    private static readonly TgId Owner = new(P0, 200);
    private static readonly TgId RemoteOwner = new(P1, 300);
    private static readonly TgId Getter = new(P0, 400);
    private static readonly Credentials User = new(1000, 100);

    private readonly MachineMonitor _monitor = new();
    private readonly ConcurrentQueue<Exception> _failures = new();
    private readonly TestProbe _xpc;
    private readonly TestProbe _p0;
    private readonly TestProbe _p1;
    private readonly TestProbe _runner;
    private long _request;

    public ThreadGroupActorSpec() : base(VirtualTime)
    {
        _xpc = CreateTestProbe("xpc");
        _p0 = CreateTestProbe("p0");
        _p1 = CreateTestProbe("p1");
        _runner = CreateTestProbe("runner");
    }

    // ---- make ----

    [Fact]
    public void ThreadGroupActor_must_make_the_kernels_ids_with_uniq_counting_from_one()
    {
        var tg = Spawn();
        Assert.Equal(Outcome.Ok((1UL << 32) | 100), Call(tg, Make(0x10000)));
        Assert.Equal(Outcome.Ok((2UL << 32) | 100), Call(tg, Make(0x20000)));
        Assert.Equal(2, _monitor.Refcounts.SegmentsAlive);
    }

    [Fact]
    public void ThreadGroupActor_must_answer_the_make_argument_errnos_before_noproc()
    {
        var tg = Spawn(LibraryMode.Raw, hasTg: false);
        var einval = Outcome.Fail(Errno.EINVAL);
        var noproc = Outcome.Fail(Errno.NOPROC);
        Assert.Equal(einval, Call(tg, new MakeCall(0x10000, 0x1000, 2, Mode0666)));
        Assert.Equal(einval, Call(tg, new MakeCall(0x10000, 0x1000, PermitMode, 0x200)));
        Assert.Equal(einval, Call(tg, new MakeCall(0x10000, 0, PermitMode, Mode0666)));
        Assert.Equal(noproc, Call(tg, Make(0x10000)));
        // Alignment is checked after the thread group lookup (step 4 after step 2).
        Assert.Equal(noproc, Call(tg, new MakeCall(0x10001, 0x1000, PermitMode, Mode0666)));
        Assert.Equal(0, _monitor.Refcounts.SegmentsAlive);
        _p0.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void ThreadGroupActor_must_open_the_device_on_the_first_libxpmem_call()
    {
        var tg = Spawn(LibraryMode.Libxpmem, hasTg: false, deviceOpen: false);
        Assert.Equal(Outcome.Ok((1UL << 32) | 100), Call(tg, Make(0x10000)));
    }

    [Fact]
    public void ThreadGroupActor_must_answer_noproc_to_a_raw_get_without_a_tg_and_not_retry()
    {
        var tg = Spawn(LibraryMode.Raw, hasTg: false);
        var id = Start(tg, new GetCall(SegIdOf(Owner), Xpmem.RdWr, PermitMode));
        var get = _p0.ExpectDelivered<AccessPermit.Get>(Owner);
        Assert.False(get.CallerHasTg);
        get.ReplyTo.Ref.Tell(new Refused(get.RequestId, Errno.NOPROC));
        Assert.Equal(Outcome.Fail(Errno.NOPROC), Completion(id));
        _p0.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void ThreadGroupActor_must_reopen_and_retry_once_after_noproc_in_libxpmem_mode()
    {
        // A forked child: the fd is inherited (open), the thread group is not.
        var tg = Spawn(LibraryMode.Libxpmem, hasTg: false, deviceOpen: true);
        var id = Start(tg, new GetCall(SegIdOf(Owner), Xpmem.RdWr, PermitMode));
        var first = _p0.ExpectDelivered<AccessPermit.Get>(Owner);
        Assert.False(first.CallerHasTg);
        first.ReplyTo.Ref.Tell(new Refused(first.RequestId, Errno.NOPROC));
        var retry = _p0.ExpectDelivered<AccessPermit.Get>(Owner);
        Assert.True(retry.CallerHasTg);
        Assert.NotEqual(first.RequestId, retry.RequestId);
        var segment = CreateTestProbe();
        retry.ReplyTo.Ref.Tell(Granted(retry.RequestId, segment.Ref.At(), Owner, link: 1));
        Assert.Equal(Outcome.Ok((1UL << 32) | 100), Completion(id));
        _p0.ExpectNoMsg(Quiet);
    }

    // ---- get, remove ----

    [Fact]
    public void ThreadGroupActor_must_route_a_get_to_the_segids_owner_and_make_an_apid_of_its_own()
    {
        var tg = Spawn();
        var segment = CreateTestProbe();
        var segid = SegIdOf(Owner);
        var id = Start(tg, new GetCall(segid, Xpmem.RdWr, PermitMode));
        var get = _p0.ExpectDelivered<AccessPermit.Get>(Owner);
        Assert.Equal(new SegId(segid), get.Segment);
        Assert.Equal(Xpmem.RdWr, get.Flags);
        Assert.Equal(User, get.Caller);
        Assert.True(get.CallerHasTg);
        Assert.Equal(Me, get.Getter);
        Assert.Equal(tg.At(), get.ReplyTo);
        get.ReplyTo.Ref.Tell(Granted(get.RequestId, segment.Ref.At(), Owner, link: 1));
        Assert.Equal(Outcome.Ok((1UL << 32) | 100), Completion(id));

        // A segid of another partition goes out through the interconnect; apids keep counting.
        id = Start(tg, new GetCall(SegIdOf(RemoteOwner), Xpmem.RdOnly, PermitMode));
        var remote = _xpc.ExpectCarried<Partition.Deliver>(P0, _p1.Ref.On(P1));
        Assert.Equal(RemoteOwner, remote.Target);
        var remoteGet = Assert.IsType<AccessPermit.Get>(remote.Request);
        var granted = Granted(remoteGet.RequestId, segment.Ref.On(P1), RemoteOwner, link: 1);
        remoteGet.ReplyTo.Ref.Tell(granted);
        Assert.Equal(Outcome.Ok((2UL << 32) | 100), Completion(id));

        // Segids have their own counter.
        Assert.Equal(Outcome.Ok((1UL << 32) | 100), Call(tg, Make(0x10000)));
        segment.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void ThreadGroupActor_must_answer_eacces_or_enoent_to_a_foreign_remove()
    {
        var tg = Spawn();
        var segid = SegIdOf(Owner);

        var id = Start(tg, new RemoveCall(segid));
        var probe = _p0.ExpectDelivered<Process.Probe>(Owner);
        Assert.Null(probe.Permit);
        probe.ReplyTo.Ref.Tell(new Process.Probed(probe.RequestId, Found: true));
        Assert.Equal(Outcome.Fail(Errno.EACCES), Completion(id));

        id = Start(tg, new RemoveCall(segid));
        probe = _p0.ExpectDelivered<Process.Probe>(Owner);
        probe.ReplyTo.Ref.Tell(new Refused(probe.RequestId, Errno.ENOENT));
        Assert.Equal(Outcome.Fail(Errno.ENOENT), Completion(id));

        // A partition the machine does not have: EINVAL, and nothing leaves.
        var nowhere = XpmemId.Compose(new PartitionId(5), 200, 1);
        Assert.Equal(Outcome.Fail(Errno.EINVAL), Call(tg, new RemoveCall(nowhere)));
        _p0.ExpectNoMsg(Quiet);
        _xpc.ExpectNoMsg(TimeSpan.Zero);
    }

    // ---- attach, faults ----

    [Fact]
    public void ThreadGroupActor_must_ask_the_segment_on_attach_and_refuse_a_rdonly_permit()
    {
        var tg = Spawn();
        var segment = CreateTestProbe();
        var rdonly = GetPermit(tg, segment.Ref.At(), Owner, Xpmem.RdOnly, link: 1);
        var rdwr = GetPermit(tg, segment.Ref.At(), Owner, Xpmem.RdWr, link: 2);

        var id = Start(tg, new AttachCall(rdonly, 0, SegmentSize, null));
        var check = segment.ExpectMsg<Segment.Check>();
        Assert.Equal(tg.At(), check.ReplyTo);
        check.ReplyTo.Ref.Tell(new Segment.Checked(check.RequestId));
        Assert.Equal(Outcome.Fail(Errno.EACCES), Completion(id));

        id = Start(tg, new AttachCall(rdwr, 0, SegmentSize, null));
        check = segment.ExpectMsg<Segment.Check>();
        check.ReplyTo.Ref.Tell(new Refused(check.RequestId, Errno.ENOENT));
        Assert.Equal(Outcome.Fail(Errno.ENOENT), Completion(id));

        id = Start(tg, new AttachCall(rdwr, 0, SegmentSize, null));
        check = segment.ExpectMsg<Segment.Check>();
        check.ReplyTo.Ref.Tell(new Segment.Checked(check.RequestId));
        Assert.Equal(Outcome.Ok(AddressSpace.MmapBase), Completion(id));
        segment.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void ThreadGroupActor_must_fault_a_page_in_through_a_fault_actor_and_load_its_bytes()
    {
        var tg = Spawn();
        var segment = CreateTestProbe();
        var at = AttachLocal(tg, segment, link: 1);
        var page = new Page(1);
        BinaryPrimitives.WriteUInt64LittleEndian(page.Bytes[0x10..], 0x1122334455667788);

        var id = Start(tg, new ReadCall(at + 0x1010, 8));
        var pin = segment.ExpectMsg<Fault.Pin>();
        Assert.Equal(SegmentAddress + 0x1000, pin.SourceAddress);
        Assert.Equal(Me, pin.Attacher);
        Assert.Equal(tg.Path, pin.ReplyTo.Ref.Path.Parent);   // a child of the thread group asks
        Assert.Equal(1, _monitor.Faults);
        pin.ReplyTo.Ref.Tell(new SegmentActor.LocalPinned(pin.RequestId, 7, page));
        Assert.Equal(pin.RequestId, Released(segment.ExpectMsg<Fault.Done>()).RequestId);
        Assert.Equal(Outcome.Ok(0x1122334455667788), Completion(id));

        // The PTE stays: loads and stores reach the owner's page itself, without a message.
        Assert.Equal(Outcome.Ok(), Call(tg, new WriteCall(at + 0x1018, 4, 0xCAFEBABE)));
        Assert.Equal(0xCAFEBABEu, BinaryPrimitives.ReadUInt32LittleEndian(page.Bytes[0x18..]));
        Assert.Equal(Outcome.Ok(0x1122334455667788), Call(tg, new ReadCall(at + 0x1010, 8)));
        segment.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void ThreadGroupActor_must_die_of_sigbus_when_a_fault_is_refused_and_answer_dead_after()
    {
        var tg = Spawn();
        // An own segment that a getter references keeps the actor alive after the process dies.
        var own = Ok(Call(tg, Make(0x20000)));
        var getter = CreateTestProbe();
        var granted = GrantTo(getter, tg, own);
        var segment = CreateTestProbe();
        var at = AttachLocal(tg, segment, link: 5);

        var id = Start(tg, new ReadCall(at, 4));
        var pin = segment.ExpectMsg<Fault.Pin>();
        pin.ReplyTo.Ref.Tell(new Refused(pin.RequestId, Errno.ENOENT));

        // Teardown: permits are released first, then the own segment is removed.
        Assert.Equal(5, segment.ExpectMsg<AccessPermit.Unlink>().LinkId);
        var zap = getter.ExpectMsg<Attachment.Zap>();
        Assert.Equal(new SegId((long)own), zap.Segment);
        _runner.ExpectNoMsg(Quiet);   // the call ends once the removal is through
        zap.ReplyTo.Ref.Tell(new Attachment.Zapped(zap.RequestId, getter.Ref.At(), []));
        Assert.Equal(Outcome.Signalled(Signal.SIGBUS), Completion(id));

        Assert.Equal(Outcome.Dead(), Call(tg, new ReadCall(at, 4)));
        Assert.Equal(Outcome.Dead(), Call(tg, Make(0x30000)));
        segment.ExpectNoMsg(Quiet);

        Watch(tg);
        granted.Segment.Ref.Tell(new AccessPermit.Unlink(granted.LinkId));
        // Unreferenced: the partition forgets the pid, then reaps the thread group.
        Assert.Equal(Me.Pid, ExpectMsg<PartitionActor.Unreferenced>().Pid);
        tg.Tell(new PartitionActor.Reap());
        ExpectTerminated(tg);
        Assert.Equal(0, _monitor.Refcounts.SegmentsAlive);
        Assert.Equal(0, _monitor.Refcounts.ThreadGroupsAlive);
        Assert.Equal(0, _monitor.InFlight.Count);
    }

    [Fact]
    public void ThreadGroupActor_must_die_of_sigbus_when_a_fault_gets_no_answer_in_time()
    {
        var tg = Spawn();
        var segment = CreateTestProbe();
        var at = AttachLocal(tg, segment, link: 1);

        var id = Start(tg, new ReadCall(at, 1));
        segment.ExpectMsg<Fault.Pin>();
        _runner.ExpectNoMsg(Quiet);
        // The fault actor starts its timer just after it sends the pin: advance until it has fired.
        AwaitAssert(() =>
        {
            ((TestScheduler)Sys.Scheduler).Advance(EmulatorSettings.Default.RequestTimeout);
            var unlink = segment.ExpectMsg<AccessPermit.Unlink>(TimeSpan.FromMilliseconds(100));
            Assert.Equal(1, unlink.LinkId);
        });
        Assert.Equal(Outcome.Signalled(Signal.SIGBUS), Completion(id));
    }

    [Fact]
    public void ThreadGroupActor_must_fail_a_remote_get_with_enolink_past_its_deadline_and_unlink_a_late_grant()
    {
        var tg = Spawn();
        var segment = CreateTestProbe();
        var id = Start(tg, new GetCall(SegIdOf(RemoteOwner), Xpmem.RdWr, PermitMode));
        var remote = _xpc.ExpectCarried<Partition.Deliver>(P0, _p1.Ref.On(P1));
        var get = Assert.IsType<AccessPermit.Get>(remote.Request);
        _runner.ExpectNoMsg(Quiet);
        ((TestScheduler)Sys.Scheduler).Advance(EmulatorSettings.Default.RequestTimeout);
        Assert.Equal(Outcome.Fail(Errno.ENOLINK), Completion(id));

        // The grant comes after all: the permit was never made, so its reference goes back.
        get.ReplyTo.Ref.Tell(Granted(get.RequestId, segment.Ref.On(P1), RemoteOwner, link: 4));
        var unlink = _xpc.ExpectCarried<AccessPermit.Unlink>(P0, segment.Ref.On(P1));
        Assert.Equal(4, unlink.LinkId);
    }

    [Fact]
    public void ThreadGroupActor_must_sever_what_it_holds_of_a_partition_that_went_down()
    {
        var tg = Spawn();
        var segment = CreateTestProbe();
        var remote = segment.Ref.On(P1);
        var apid = GetPermit(tg, remote, RemoteOwner, Xpmem.RdWr, 1);
        var at = Attach(tg, apid, remote, segment);
        // A get to the partition is in flight when it goes down: it ends at once, ENOLINK.
        var get = Start(tg, new GetCall(SegIdOf(RemoteOwner), Xpmem.RdWr, PermitMode));
        _xpc.ExpectCarried<Partition.Deliver>(P0, _p1.Ref.On(P1));

        tg.Tell(new PartitionActor.PeerDown(P1));
        Assert.Equal(Outcome.Fail(Errno.ENOLINK), Completion(get));
        // Its proxy is destroyed for good: a touch is SIGBUS, an attach ENOLINK, nothing is sent.
        Assert.Equal(Outcome.Fail(Errno.ENOLINK),
            Call(tg, new AttachCall(apid, 0, SegmentSize, null)));
        Assert.Equal(Outcome.Signalled(Signal.SIGBUS), Call(tg, new ReadCall(at, 4)));
        // The SIGBUS tore the process down: its release sends the permit's Unlink, nothing else.
        Assert.Equal(1, _xpc.ExpectCarried<AccessPermit.Unlink>(P0, remote).LinkId);
        _xpc.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void ThreadGroupActor_must_fail_at_once_a_request_to_a_partition_known_down()
    {
        var tg = Spawn();
        tg.Tell(new PartitionActor.PeerDown(P1));
        var id = Start(tg, new GetCall(SegIdOf(RemoteOwner), Xpmem.RdWr, PermitMode));
        Assert.Equal(Outcome.Fail(Errno.ENOLINK), Completion(id));
        tg.Tell(new PartitionActor.PeerUp(P1));
        id = Start(tg, new GetCall(SegIdOf(RemoteOwner), Xpmem.RdWr, PermitMode));
        var get = Assert.IsType<AccessPermit.Get>(
            _xpc.ExpectCarried<Partition.Deliver>(P0, _p1.Ref.On(P1)).Request);
        get.ReplyTo.Ref.Tell(new Refused(get.RequestId, Errno.ENOENT));
        Assert.Equal(Outcome.Fail(Errno.ENOENT), Completion(id));
    }

    [Fact]
    public void ThreadGroupActor_must_load_a_remotely_pinned_page_through_frame_messages()
    {
        var tg = Spawn();
        var segment = CreateTestProbe();
        var remote = segment.Ref.On(P1);
        var at = Attach(tg, GetPermit(tg, remote, RemoteOwner, Xpmem.RdWr, 1), remote, segment);

        var id = Start(tg, new ReadCall(at + 0x2008, 8));
        var pin = _xpc.ExpectCarried<Fault.Pin>(P0, remote);
        Assert.Equal(SegmentAddress + 0x2000, pin.SourceAddress);
        pin.ReplyTo.Ref.Tell(new Fault.Pinned(pin.RequestId, 9));
        Assert.Equal(pin.RequestId,
            Released(_xpc.ExpectCarried<Fault.Done>(P0, remote)).RequestId);
        var read = _xpc.ExpectCarried<Frames.Read>(P0, remote);
        Assert.Equal((9L, 8, 8), (read.PinId, read.OffsetBytes, read.LengthBytes));
        Assert.Equal(tg.At(), read.ReplyTo);
        var bytes = BitConverter.GetBytes(0x0102030405060708UL);
        read.ReplyTo.Ref.Tell(new Frames.Data(read.RequestId, bytes));
        Assert.Equal(Outcome.Ok(0x0102030405060708), Completion(id));

        id = Start(tg, new WriteCall(at + 0x2010, 2, 0xBEEF));
        var write = _xpc.ExpectCarried<Frames.Write>(P0, remote);
        Assert.Equal((9L, 0x10), (write.PinId, write.OffsetBytes));
        Assert.Equal(new byte[] { 0xEF, 0xBE }, write.Bytes);
        write.ReplyTo.Ref.Tell(new Frames.Written(write.RequestId));
        Assert.Equal(Outcome.Ok(), Completion(id));
        _xpc.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void ThreadGroupActor_must_clear_the_ptes_a_zap_names_and_hand_back_their_pins()
    {
        var tg = Spawn();
        var segment = CreateTestProbe();
        var at = AttachLocal(tg, segment, link: 1);
        FaultIn(tg, segment, at + 0x1000, pinId: 7);
        var segid = new SegId(SegIdOf(Owner));
        var zapper = CreateTestProbe();
        var to = zapper.Ref.At();

        tg.Tell(new Attachment.Zap(NextId(), segid, SegmentAddress, SegmentAddress + 0x1000, to));
        Assert.Empty(zapper.ExpectMsg<Attachment.Zapped>().PinIds);   // the PTE maps source 0x11000
        var other = new SegId(SegIdOf(Owner, uniq: 2));
        tg.Tell(new Attachment.Zap(NextId(), other, 0, ulong.MaxValue, to));
        Assert.Empty(zapper.ExpectMsg<Attachment.Zapped>().PinIds);   // another segment
        var zapId = NextId();
        var page1 = SegmentAddress + 0x1000;
        tg.Tell(new Attachment.Zap(zapId, segid, page1, page1 + 0x1000, to));
        var zapped = zapper.ExpectMsg<Attachment.Zapped>();
        Assert.Equal(zapId, zapped.RequestId);
        Assert.Equal(new[] { 7L }, zapped.PinIds);

        // The next touch faults again.
        var id = Start(tg, new ReadCall(at + 0x1000, 1));
        var pin = segment.ExpectMsg<Fault.Pin>();
        Assert.Equal(SegmentAddress + 0x1000, pin.SourceAddress);
        pin.ReplyTo.Ref.Tell(new SegmentActor.LocalPinned(pin.RequestId, 8, new Page(1)));
        Released(segment.ExpectMsg<Fault.Done>());
        Assert.Equal(Outcome.Ok(0), Completion(id));
        segment.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void ThreadGroupActor_must_detach_a_whole_attachment_and_give_its_pins_back()
    {
        var tg = Spawn();
        var segment = CreateTestProbe();
        var apid = GetPermit(tg, segment.Ref.At(), Owner, Xpmem.RdWr, link: 1);
        var at = Attach(tg, apid, segment.Ref.At(), segment);
        FaultIn(tg, segment, at + 0x1000, pinId: 7);
        Assert.Equal(Outcome.Ok(0x40000), Call(tg, new MmapCall(0x40000, 0x1000)));

        Assert.Equal(Outcome.Ok(), Call(tg, new DetachCall(0x80000)));   // unmapped: 0
        Assert.Equal(Outcome.Fail(Errno.EINVAL), Call(tg, new DetachCall(0x40000)));   // not XPMEM
        Assert.Equal(Outcome.Ok(), Call(tg, new DetachCall(at + 0x3000)));   // any address inside
        Assert.Equal(new[] { 7L }, segment.ExpectMsg<Frames.Unpin>().PinIds);
        Assert.Equal(Outcome.Ok(), Call(tg, new DetachCall(at)));   // twice: 0

        // The permit stays valid: it attaches again.
        Assert.Equal(at, Attach(tg, apid, segment.Ref.At(), segment));
        segment.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void ThreadGroupActor_must_release_a_permit_by_unmapping_its_attachments_then_unlinking()
    {
        var tg = Spawn();
        var segment = CreateTestProbe();
        var apid = GetPermit(tg, segment.Ref.At(), Owner, Xpmem.RdWr, link: 3);
        var at = Attach(tg, apid, segment.Ref.At(), segment);
        FaultIn(tg, segment, at, pinId: 7);

        Assert.Equal(Outcome.Ok(), Call(tg, new ReleaseCall(apid)));
        Assert.Equal(new[] { 7L }, segment.ExpectMsg<Frames.Unpin>().PinIds);
        Assert.Equal(3, segment.ExpectMsg<AccessPermit.Unlink>().LinkId);
        Assert.Equal(Outcome.Fail(Errno.ENOENT), Call(tg, new ReleaseCall(apid)));
        // The attachment's addresses are gone: a touch is SIGSEGV, not SIGBUS.
        Assert.Equal(Outcome.Signalled(Signal.SIGSEGV), Call(tg, new ReadCall(at, 1)));
        segment.ExpectNoMsg(Quiet);
    }

    // ---- the owner's side: recall, exit ----

    [Fact]
    public void ThreadGroupActor_must_recall_a_munmapped_segment_range_before_munmap_returns()
    {
        var tg = Spawn();
        var mapped = Call(tg, new MmapCall(SegmentAddress, SegmentSize));
        Assert.Equal(Outcome.Ok(SegmentAddress), mapped);
        var segid = Ok(Call(tg, new MakeCall(SegmentAddress, SegmentSize, PermitMode, Mode0666)));
        var getter = CreateTestProbe();
        GrantTo(getter, tg, segid);

        var id = Start(tg, new MunmapCall(SegmentAddress + 0x1000, 0x1000));
        var zap = getter.ExpectMsg<Attachment.Zap>();
        Assert.Equal(new SegId((long)segid), zap.Segment);
        Assert.Equal((SegmentAddress + 0x1000, SegmentAddress + 0x2000), (zap.Start, zap.End));
        _runner.ExpectNoMsg(Quiet);   // the segment has not answered Recalled yet
        zap.ReplyTo.Ref.Tell(new Attachment.Zapped(zap.RequestId, getter.Ref.At(), []));
        Assert.Equal(Outcome.Ok(), Completion(id));

        // Outside every segment there is nothing to recall.
        Assert.Equal(Outcome.Ok(), Call(tg, new MunmapCall(0x40000, 0x1000)));
        getter.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void ThreadGroupActor_must_remove_its_segments_on_exit_before_the_exit_completes()
    {
        var tg = Spawn();
        var segid = Ok(Call(tg, Make(0x20000)));
        var getter = CreateTestProbe();
        var granted = GrantTo(getter, tg, segid);

        var id = Start(tg, new ExitCall(0));
        var zap = getter.ExpectMsg<Attachment.Zap>();   // Segment.Remove zaps the whole range
        Assert.Equal((0UL, ulong.MaxValue), (zap.Start, zap.End));
        _runner.ExpectNoMsg(Quiet);
        zap.ReplyTo.Ref.Tell(new Attachment.Zapped(zap.RequestId, getter.Ref.At(), []));
        Assert.Equal(Outcome.Ok(), Completion(id));

        // The segid is gone for new getters; the segment lives on while the getter's permit does.
        var segment = new SegId((long)segid);
        var to = getter.Ref.At();
        tg.Tell(new AccessPermit.Get(NextId(), segment, Xpmem.RdWr, User, true, Getter, to));
        Assert.Equal(Errno.ENOENT, getter.ExpectMsg<Refused>().Errno);
        Assert.Equal(1, _monitor.Refcounts.SegmentsAlive);
        Watch(tg);
        granted.Segment.Ref.Tell(new AccessPermit.Unlink(granted.LinkId));
        // Unreferenced: the partition forgets the pid, then reaps the thread group.
        Assert.Equal(Me.Pid, ExpectMsg<PartitionActor.Unreferenced>().Pid);
        tg.Tell(new PartitionActor.Reap());
        ExpectTerminated(tg);
        Assert.Equal(0, _monitor.Refcounts.SegmentsAlive);
        Assert.Equal(0, _monitor.InFlight.Count);
    }

    // ---- bugs ----

    [Fact]
    public void ThreadGroupActor_must_not_retry_a_get_for_a_process_that_died_meanwhile()
    {
        var tg = Spawn(LibraryMode.Libxpmem, hasTg: false, deviceOpen: false);
        var segment = CreateTestProbe();
        var getId = Start(tg, new GetCall(SegIdOf(Owner), Xpmem.RdWr, PermitMode));
        var get = _p0.ExpectDelivered<AccessPermit.Get>(Owner);
        var exitId = Start(tg, new ExitCall(0));
        Assert.Equal(Outcome.Ok(), Completion(exitId));
        Assert.Equal(Outcome.Dead(), Completion(getId));

        get.ReplyTo.Ref.Tell(Granted(get.RequestId, segment.Ref.At(), Owner, link: 1));
        Assert.Equal(1, segment.ExpectMsg<AccessPermit.Unlink>().LinkId);
        _p0.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void ThreadGroupActor_must_stop_when_the_last_reply_of_a_dead_process_comes_in()
    {
        var tg = Spawn();
        var getId = Start(tg, new GetCall(SegIdOf(Owner), Xpmem.RdWr, PermitMode));
        var get = _p0.ExpectDelivered<AccessPermit.Get>(Owner);
        var exitId = Start(tg, new ExitCall(0));
        Assert.Equal(Outcome.Ok(), Completion(exitId));
        Assert.Equal(Outcome.Dead(), Completion(getId));

        Watch(tg);
        get.ReplyTo.Ref.Tell(new Refused(get.RequestId, Errno.ENOENT));
        // Unreferenced: the partition forgets the pid, then reaps the thread group.
        Assert.Equal(Me.Pid, ExpectMsg<PartitionActor.Unreferenced>().Pid);
        tg.Tell(new PartitionActor.Reap());
        ExpectTerminated(tg);
    }

    [Fact]
    public void ThreadGroupActor_must_make_after_a_reopen_while_an_old_segment_is_still_referenced()
    {
        var tg = Spawn();
        Ok(Call(tg, Make(0x10000)));                   // seg-1-1
        var kept = Ok(Call(tg, Make(0x20000)));        // seg-2-2, referenced by the getter below
        var getter = CreateTestProbe();
        GrantTo(getter, tg, kept);

        var closeId = Start(tg, new CloseCall());
        var zap = getter.ExpectMsg<Attachment.Zap>();
        zap.ReplyTo.Ref.Tell(new Attachment.Zapped(zap.RequestId, getter.Ref.At(), []));
        Assert.Equal(Outcome.Ok(), Completion(closeId));
        AwaitAssert(() => Assert.Equal(1, _monitor.Refcounts.SegmentsAlive));   // the first one is freed

        Assert.Equal(Outcome.Ok(), Call(tg, new OpenCall()));
        var again = Ok(Call(tg, Make(0x30000)));       // uniq 1 again: seg-2-1
        Assert.Equal(Outcome.Ok(), Call(tg, new RemoveCall((long)again)));
        AwaitAssert(() => Assert.Equal(1, _monitor.Refcounts.SegmentsAlive));
        var id = Start(tg, Make(0x40000));                                // seg-2-2 again
        var answer = _runner.ReceiveOne(TimeSpan.FromSeconds(1));
        Assert.True(_failures.IsEmpty, $"the thread group threw: {string.Join("; ", _failures)}");
        Assert.Equal(new Process.Completed(id, Outcome.Ok((2UL << 32) | 100)), answer);
    }

    [Fact]
    public void ThreadGroupActor_must_refault_when_the_segment_refuses_a_remote_read()
    {
        var tg = Spawn();
        var segment = CreateTestProbe();
        var remote = segment.Ref.On(P1);
        var at = Attach(tg, GetPermit(tg, remote, RemoteOwner, Xpmem.RdWr, 1), remote, segment);

        Start(tg, new ReadCall(at, 8));
        var pin = _xpc.ExpectCarried<Fault.Pin>(P0, remote);
        pin.ReplyTo.Ref.Tell(new Fault.Pinned(pin.RequestId, 9));
        Released(_xpc.ExpectCarried<Fault.Done>(P0, remote));
        var read = _xpc.ExpectCarried<Frames.Read>(P0, remote);
        read.ReplyTo.Ref.Tell(new Refused(read.RequestId, Errno.ENOENT));
        Assert.Equal(SegmentAddress, _xpc.ExpectCarried<Fault.Pin>(P0, remote).SourceAddress);
    }

    // ---- helpers ----

    /// <summary>
    /// The owner's side of a fault's end: when the attacher asks to hear it, the owner lets go of
    /// its mm and says so.
    /// </summary>
    private static Fault.Done Released(Fault.Done done)
    {
        done.ReplyTo?.Ref.Tell(new Fault.Released(done.RequestId));
        return done;
    }

    private IActorRef Spawn(
        LibraryMode library = LibraryMode.Raw, bool hasTg = true, bool deviceOpen = true)
    {
        var port = new XpcPort(P0, Wiring(_xpc.Ref, _p0.Ref, _p1.Ref));
        var image = new ProcessImage(User, library, new AddressSpace(new FrameCounter()), deviceOpen);
        var props = ThreadGroupActor.Props(Machine(_monitor), port, Me, image, hasTg);
        // A thread group that throws has a bug: keep the exception and stop it, not restart it.
        var stopOnFailure = new OneForOneStrategy(failure =>
        {
            _failures.Enqueue(failure);
            return Directive.Stop;
        });
        return ChildActorOf(props, stopOnFailure);
    }

    private RequestId NextId() => new(P0, ++_request);

    private RequestId Start(IActorRef tg, Call call)
    {
        var id = NextId();
        tg.Tell(new Process.Run(id, call, _runner.Ref.At()));
        return id;
    }

    private Outcome Completion(RequestId id)
    {
        var completed = _runner.ExpectMsg<Process.Completed>();
        Assert.Equal(id, completed.RequestId);
        return completed.Outcome;
    }

    private Outcome Call(IActorRef tg, Call call) => Completion(Start(tg, call));

    private static ulong Ok(Outcome outcome)
    {
        Assert.True(outcome.Kind == OutcomeKind.Ok, $"expected ok, got {outcome}");
        return outcome.Value;
    }

    private static MakeCall Make(ulong address) => new(address, 0x1000, PermitMode, Mode0666);

    private static long SegIdOf(TgId owner, int uniq = 1) =>
        XpmemId.Compose(owner.Partition, owner.Pid, uniq);

    private static AccessPermit.Granted Granted(
        RequestId id, Endpoint segment, TgId owner, long link) =>
        new(id, segment, SegmentAddress, SegmentSize, owner, link);

    /// <summary>xpmem_get of segment 1 of <paramref name="owner"/>, granted by the test.</summary>
    private long GetPermit(IActorRef tg, Endpoint segment, TgId owner, int flags, long link)
    {
        var id = Start(tg, new GetCall(SegIdOf(owner), (ulong)flags, PermitMode));
        var get = owner.Partition == P0
            ? _p0.ExpectDelivered<AccessPermit.Get>(owner)
            : Assert.IsType<AccessPermit.Get>(
                _xpc.ExpectCarried<Partition.Deliver>(P0, _p1.Ref.On(P1)).Request);
        get.ReplyTo.Ref.Tell(Granted(get.RequestId, segment, owner, link));
        return (long)Ok(Completion(id));
    }

    /// <summary>Attaches the whole segment where the process chooses; answers the Check.</summary>
    private ulong Attach(IActorRef tg, long apid, Endpoint segment, TestProbe segmentProbe)
    {
        var id = Start(tg, new AttachCall(apid, 0, SegmentSize, null));
        var check = segment.Partition == P0
            ? segmentProbe.ExpectMsg<Segment.Check>()
            : _xpc.ExpectCarried<Segment.Check>(P0, segment);
        check.ReplyTo.Ref.Tell(new Segment.Checked(check.RequestId));
        return Ok(Completion(id));
    }

    private ulong AttachLocal(IActorRef tg, TestProbe segment, long link) =>
        Attach(tg, GetPermit(tg, segment.Ref.At(), Owner, Xpmem.RdWr, link), segment.Ref.At(),
            segment);

    /// <summary>Touches <paramref name="address"/>: a local PTE with that pin goes in.</summary>
    private void FaultIn(IActorRef tg, TestProbe segment, ulong address, long pinId)
    {
        var id = Start(tg, new ReadCall(address, 1));
        var pin = segment.ExpectMsg<Fault.Pin>();
        pin.ReplyTo.Ref.Tell(new SegmentActor.LocalPinned(pin.RequestId, pinId, new Page(1)));
        Released(segment.ExpectMsg<Fault.Done>());
        Assert.Equal(Outcome.Ok(0), Completion(id));
    }

    /// <summary>
    /// A getter on this partition takes a permit on the process's own segment (as a routed get
    /// would arrive): the segment then references the getter and zaps it on recall and remove.
    /// </summary>
    private AccessPermit.Granted GrantTo(TestProbe getter, IActorRef tg, ulong segid)
    {
        var caller = new Credentials(1001, 100);
        tg.Tell(new AccessPermit.Get(
            NextId(), new SegId((long)segid), Xpmem.RdWr, caller, true, Getter, getter.Ref.At()));
        return getter.ExpectMsg<AccessPermit.Granted>();
    }
}
