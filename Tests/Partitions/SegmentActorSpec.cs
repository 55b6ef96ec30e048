// Proves the SegmentActor is the kernel's seg->sema: gets check permissions in order, faults pin
// the owner's page, a recall (write) waits for pins on their way (holds) before zapping the
// attachers but not for lookups (the owner may be holding them back behind the very write that
// recalls; their answers come after the change), a remove refuses the lookups it overtakes and
// gives their pages back, an abandoned fault's pin is given back, and a removed segment refuses
// new users and is freed when its last reference goes, after answering what it had stashed; a
// remote attacher's fetchop runs under its pin (one write access, one store applied) and answers
// the word before, or is refused for a pin that is gone. Probes stand in for the owner thread
// group and the attachers.
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Memory;
using Emulator.Partitions.Processes;
using Emulator.Partitions.Segments;
using Emulator.Protocol;
using Emulator.Protocol.Attachments;
using Emulator.Protocol.Faults;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Permits;
using Emulator.Protocol.Processes;
using Emulator.Protocol.Segments;
using Xunit;
using static Emulator.Tests.Partitions.ActorSpecSupport;
using static Emulator.Tests.Partitions.WiredSpecSupport;

namespace Emulator.Tests.Partitions;

public sealed class SegmentActorSpec() : TestKit(VirtualTime)
{
    private static readonly Credentials Owner = new(1000, 100);
    private static readonly SegId Id = new(XpmemId.Compose(P0, 100, 1));
    private static readonly TgId OwnerTg = new(P0, 100);
    private static readonly TgId Getter = new(P0, 101);
    private readonly MachineMonitor _monitor = new();
    private long _request;

    private (IActorRef Segment, Akka.TestKit.TestProbe OwnerProbe) Make(ulong mode = 0x1B6)
    {
        var owner = CreateTestProbe();
        var segment = Sys.ActorOf(SegmentActor.Props(Machine(_monitor), Port(), Id, Owner, 0x10000, 0x4000, mode, owner.Ref));
        return (segment, owner);
    }

    /// <summary>
    /// A segment whose messages to other partitions cross a relay that delivers them (as XPC
    /// does), so remote attachers can be probes on partition 1.
    /// </summary>
    private (IActorRef Segment, Akka.TestKit.TestProbe OwnerProbe) MakeRelayed()
    {
        var relay = CreateTestProbe();
        relay.SetAutoPilot(new DelegateAutoPilot((_, message) =>
        {
            if (message is Emulator.Partitions.Xpc.XpcActor.Carry carry)
                carry.To.Ref.Tell(carry.Message);
            return AutoPilot.KeepRunning;
        }));
        var owner = CreateTestProbe();
        var segment = Sys.ActorOf(SegmentActor.Props(Machine(_monitor), Port(relay.Ref), Id, Owner,
            0x10000, 0x4000, 0x1B6, owner.Ref));
        return (segment, owner);
    }

    private RequestId NextId() => new(P0, ++_request);

    private AccessPermit.Granted Grant(IActorRef segment, Akka.TestKit.TestProbe getter)
    {
        segment.Tell(new AccessPermit.Get(NextId(), Id, Xpmem.RdWr, new Credentials(1001, 100), true, Getter, getter.Ref.At()));
        return getter.ExpectMsg<AccessPermit.Granted>();
    }

    /// <summary>A permit for <paramref name="getter"/>, a thread group on partition 1.</summary>
    private void GrantFar(IActorRef segment, Akka.TestKit.TestProbe far, TgId getter)
    {
        segment.Tell(new AccessPermit.Get(NextId(), Id, Xpmem.RdWr, new Credentials(1001, 100),
            true, getter, far.Ref.On(P1)));
        far.ExpectMsg<AccessPermit.Granted>();
    }

    [Fact]
    public void SegmentActor_must_refuse_a_get_the_mode_bits_forbid()
    {
        var (segment, _) = Make(mode: 0x180);
        var getter = CreateTestProbe();
        segment.Tell(new AccessPermit.Get(NextId(), Id, Xpmem.RdOnly, new Credentials(2000, 200), true, Getter, getter.Ref.At()));
        Assert.Equal(Errno.EACCES, getter.ExpectMsg<Refused>().Errno);
    }

    [Fact]
    public void SegmentActor_must_answer_noproc_only_after_the_permission_check()
    {
        var (segment, _) = Make(mode: 0x180);
        var getter = CreateTestProbe();
        segment.Tell(new AccessPermit.Get(NextId(), Id, Xpmem.RdOnly, new Credentials(2000, 200), false, Getter, getter.Ref.At()));
        Assert.Equal(Errno.EACCES, getter.ExpectMsg<Refused>().Errno);
        segment.Tell(new AccessPermit.Get(NextId(), Id, Xpmem.RdOnly, Owner, false, Getter, getter.Ref.At()));
        Assert.Equal(Errno.NOPROC, getter.ExpectMsg<Refused>().Errno);
    }

    [Fact]
    public void SegmentActor_must_pin_the_owners_page_for_a_local_attacher()
    {
        var (segment, owner) = Make();
        var faulter = CreateTestProbe();
        var id = NextId();
        segment.Tell(new Fault.Pin(id, 0x11000, Getter, 1, faulter.Ref.At(), default,
            OwnerMm.Same));
        var find = owner.ExpectMsg<ThreadGroupActor.FindPage>();
        Assert.Equal(0x11000UL, find.SourceAddress);
        var page = new Page(1);
        page.Pin();   // the owner pins what it finds, under its mm
        segment.Tell(new ThreadGroupActor.PageFound(find.RequestId, page));
        var pinned = faulter.ExpectMsg<SegmentActor.LocalPinned>();
        Assert.Same(page, pinned.Page);
        Assert.Equal(1, page.Pins);
        Assert.Equal(1, _monitor.Pins.Totals.Held);
    }

    [Fact]
    public void SegmentActor_must_hold_a_recall_until_in_flight_faults_are_done()
    {
        var (segment, owner) = Make();
        var getter = CreateTestProbe();
        Grant(segment, getter);
        var (fault, find) = Lookup(segment, owner, getter);
        segment.Tell(new ThreadGroupActor.PageFound(find.RequestId, PinnedPage()));
        var pinned = getter.ExpectMsg<SegmentActor.LocalPinned>();

        var recaller = CreateTestProbe();
        segment.Tell(new Segment.Recall(NextId(), 0x10000, 0x14000, recaller.Ref.At(), NextId()));
        getter.ExpectNoMsg(TimeSpan.FromMilliseconds(100));   // the fault still holds the sema for read
        segment.Tell(new Fault.Done(fault));
        var zap = getter.ExpectMsg<Attachment.Zap>();
        Assert.Equal(Id, zap.Segment);
        segment.Tell(new Attachment.Zapped(zap.RequestId, getter.Ref.At(), [pinned.PinId]));
        recaller.ExpectMsg<Segment.Recalled>();
        Assert.True(_monitor.Pins.Balanced);
    }

    [Fact]
    public void SegmentActor_must_stash_new_faults_while_recalling()
    {
        var (segment, owner) = Make();
        var getter = CreateTestProbe();
        Grant(segment, getter);
        var recaller = CreateTestProbe();
        segment.Tell(new Segment.Recall(NextId(), 0x10000, 0x14000, recaller.Ref.At(), NextId()));
        var zap = getter.ExpectMsg<Attachment.Zap>();
        segment.Tell(new Fault.Pin(NextId(), 0x10000, Getter, 1, getter.Ref.At(), default,
            OwnerMm.Same));
        owner.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        segment.Tell(new Attachment.Zapped(zap.RequestId, getter.Ref.At(), []));
        recaller.ExpectMsg<Segment.Recalled>();
        owner.ExpectMsg<ThreadGroupActor.FindPage>();
    }

    [Fact]
    public void SegmentActor_must_refuse_new_users_after_remove_and_be_freed_by_its_last_unlink()
    {
        var (segment, owner) = Make();
        var getter = CreateTestProbe();
        var granted = Grant(segment, getter);
        var remover = CreateTestProbe();
        segment.Tell(new Segment.Remove(NextId(), owner.Ref.At(), NextId()));
        var zap = getter.ExpectMsg<Attachment.Zap>();
        segment.Tell(new Attachment.Zapped(zap.RequestId, getter.Ref.At(), []));
        owner.ExpectMsg<Segment.Removed>();

        segment.Tell(new AccessPermit.Get(NextId(), Id, Xpmem.RdWr, Owner, true, Getter, remover.Ref.At()));
        Assert.Equal(Errno.ENOENT, remover.ExpectMsg<Refused>().Errno);
        segment.Tell(new Segment.Check(NextId(), remover.Ref.At()));
        Assert.Equal(Errno.ENOENT, remover.ExpectMsg<Refused>().Errno);
        segment.Tell(new Fault.Pin(NextId(), 0x10000, Getter, 1, remover.Ref.At(), default,
            OwnerMm.Same));
        Assert.Equal(Errno.ENOENT, remover.ExpectMsg<Refused>().Errno);

        Watch(segment);
        segment.Tell(new AccessPermit.Unlink(granted.LinkId));
        owner.ExpectMsg<Segment.Freed>();
        ExpectTerminated(segment);
    }

    [Fact]
    public void SegmentActor_must_not_wait_for_a_lookup_a_recall_overtook_and_use_its_answer()
    {
        var (segment, owner) = Make();
        var getter = CreateTestProbe();
        Grant(segment, getter);
        var (fault, find) = Lookup(segment, owner, getter);

        // The owner's munmap holds its mm: the lookup is parked there; the recall goes ahead.
        var recaller = CreateTestProbe();
        segment.Tell(new Segment.Recall(NextId(), 0x10000, 0x11000, recaller.Ref.At(), NextId()));
        var zap = getter.ExpectMsg<Attachment.Zap>();
        segment.Tell(new Attachment.Zapped(zap.RequestId, getter.Ref.At(), []));
        recaller.ExpectMsg<Segment.Recalled>();

        // The owner answers once its write is over: the answer is the mm after the change.
        var page = PinnedPage();
        segment.Tell(new ThreadGroupActor.PageFound(find.RequestId, page));
        Assert.Same(page, getter.ExpectMsg<SegmentActor.LocalPinned>().Page);
        owner.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Equal(1, _monitor.Pins.Totals.Pinned);
    }

    [Fact]
    public void SegmentActor_must_refuse_a_lookup_a_remove_overtook()
    {
        var (segment, owner) = Make();
        var getter = CreateTestProbe();
        var granted = Grant(segment, getter);
        var (fault, find) = Lookup(segment, owner, getter);
        segment.Tell(new Segment.Remove(NextId(), owner.Ref.At(), NextId()));
        var zap = getter.ExpectMsg<Attachment.Zap>();
        segment.Tell(new Attachment.Zapped(zap.RequestId, getter.Ref.At(), []));
        owner.ExpectMsg<Segment.Removed>();

        var page = PinnedPage();
        segment.Tell(new ThreadGroupActor.PageFound(find.RequestId, page));
        Assert.Equal(Errno.ENOENT, getter.ExpectMsg<Refused>(r => r.RequestId == fault).Errno);
        Assert.Equal(0, page.Pins);
        Watch(segment);
        segment.Tell(new AccessPermit.Unlink(granted.LinkId));
        owner.ExpectMsg<Segment.Freed>();
        ExpectTerminated(segment);
    }

    [Fact]
    public void SegmentActor_must_give_back_the_pin_of_an_abandoned_fault_and_end_its_hold()
    {
        var (segment, owner) = Make();
        var getter = CreateTestProbe();
        Grant(segment, getter);
        var (fault, find) = Lookup(segment, owner, getter);
        var page = PinnedPage();
        segment.Tell(new ThreadGroupActor.PageFound(find.RequestId, page));
        getter.ExpectMsg<SegmentActor.LocalPinned>();   // lost: the fault's timer had fired

        segment.Tell(new Fault.Abandon(fault));
        AwaitCondition(() => page.Pins == 0 && _monitor.Pins.Balanced);
        // The hold is over: a recall does not wait for a Done that will never come.
        var recaller = CreateTestProbe();
        segment.Tell(new Segment.Recall(NextId(), 0x10000, 0x14000, recaller.Ref.At(), NextId()));
        var zap = getter.ExpectMsg<Attachment.Zap>();
        segment.Tell(new Attachment.Zapped(zap.RequestId, getter.Ref.At(), []));
        recaller.ExpectMsg<Segment.Recalled>();
    }

    [Fact]
    public void SegmentActor_must_give_back_the_page_of_an_abandoned_lookup_when_it_comes()
    {
        var (segment, owner) = Make();
        var getter = CreateTestProbe();
        Grant(segment, getter);
        var (fault, find) = Lookup(segment, owner, getter);
        segment.Tell(new Fault.Abandon(fault));
        var page = PinnedPage();
        segment.Tell(new ThreadGroupActor.PageFound(find.RequestId, page));
        AwaitCondition(() => page.Pins == 0);
        getter.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Equal(0, _monitor.Pins.Totals.Pinned);
    }

    [Fact]
    public void SegmentActor_must_unpin_a_zapped_answer_that_comes_after_the_zapping_ended()
    {
        var (segment, owner) = Make();
        var getter = CreateTestProbe();
        Grant(segment, getter);
        var (fault, find) = Lookup(segment, owner, getter);
        segment.Tell(new ThreadGroupActor.PageFound(find.RequestId, PinnedPage()));
        var pinned = getter.ExpectMsg<SegmentActor.LocalPinned>();
        segment.Tell(new Fault.Done(fault));

        // A Zapped for a zapping that is over (its attacher stopped first) still gives pins back.
        segment.Tell(new Attachment.Zapped(new RequestId(P0, 999), getter.Ref.At(), [pinned.PinId]));
        AwaitCondition(() => _monitor.Pins.Balanced);
    }

    [Fact]
    public void SegmentActor_must_answer_what_a_remove_stashed_before_it_is_freed()
    {
        var (segment, owner) = Make();
        var getter = CreateTestProbe();
        var granted = Grant(segment, getter);
        segment.Tell(new Segment.Remove(NextId(), owner.Ref.At(), NextId()));
        var zap = getter.ExpectMsg<Attachment.Zap>();
        // A lookup forwarded by the permit's holder just before it released the permit.
        var asker = CreateTestProbe();
        var check = NextId();
        segment.Tell(new Segment.Check(check, asker.Ref.At()));
        segment.Tell(new AccessPermit.Unlink(granted.LinkId));
        Watch(segment);
        segment.Tell(new Attachment.Zapped(zap.RequestId, getter.Ref.At(), []));

        Assert.Equal(Errno.ENOENT, asker.ExpectMsg<Refused>(r => r.RequestId == check).Errno);
        owner.ExpectMsg<Segment.Removed>();
        owner.ExpectMsg<Segment.Freed>();
        ExpectTerminated(segment);
    }

    [Fact]
    public void SegmentActor_must_drop_what_a_partition_that_went_down_held_without_its_answer()
    {
        var (segment, owner) = MakeRelayed();
        var local = CreateTestProbe();
        Grant(segment, local);
        var far = CreateTestProbe();
        var farGetter = new TgId(P1, 200);
        GrantFar(segment, far, farGetter);
        // The far attacher holds a pin, and has a second fault on its way.
        var held = new RequestId(P1, 1);
        segment.Tell(new Fault.Pin(held, 0x10000, farGetter, 1, far.Ref.On(P1), default,
            OwnerMm.Same));
        segment.Tell(new ThreadGroupActor.PageFound(owner.ExpectMsg<ThreadGroupActor.FindPage>()
            .RequestId, PinnedPage()));
        far.ExpectMsg<Fault.Pinned>();
        // A recall waits for its Done and for the zaps.
        var recaller = CreateTestProbe();
        segment.Tell(new Segment.Recall(NextId(), 0x10000, 0x14000, recaller.Ref.At(), NextId()));

        segment.Tell(new Emulator.Partitions.PartitionActor.PeerDown(P1));
        var zap = local.ExpectMsg<Attachment.Zap>();
        segment.Tell(new Attachment.Zapped(zap.RequestId, local.Ref.At(), []));
        recaller.ExpectMsg<Segment.Recalled>();
        AwaitCondition(() => _monitor.Pins.Balanced);
        far.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void SegmentActor_must_run_a_remote_fetchop_under_its_pin_and_answer_the_word_before()
    {
        var events = new List<MachineEvent>();
        _monitor.Tap = e => { lock (events) events.Add(e); };
        var (segment, owner) = MakeRelayed();
        var far = CreateTestProbe();
        var farGetter = new TgId(P1, 200);
        segment.Tell(new Fault.Pin(new RequestId(P1, 1), 0x11000, farGetter, 3, far.Ref.On(P1), default,
            OwnerMm.Same));
        var page = PinnedPage();
        segment.Tell(new ThreadGroupActor.PageFound(
            owner.ExpectMsg<ThreadGroupActor.FindPage>().RequestId, page));
        var pin = far.ExpectMsg<Fault.Pinned>().PinId;

        var add = new RequestId(P1, 2);
        segment.Tell(new Frames.Fetchop(add, pin, 8, new FetchAdd32Call(0x7000_0008, 5),
            far.Ref.On(P1)));
        Assert.Equal(new Frames.Fetched(add, 0), far.ExpectMsg<Frames.Fetched>());
        var cas = new RequestId(P1, 3);
        segment.Tell(new Frames.Fetchop(cas, pin, 8, new Cas32Call(0x7000_0008, 5, 9),
            far.Ref.On(P1)));
        Assert.Equal(new Frames.Fetched(cas, 5), far.ExpectMsg<Frames.Fetched>());
        Assert.Equal(9, page.Bytes[8]);
        lock (events)
        {
            Assert.Equal(2, events.OfType<Accessed>().Count(a => a.Write && a.Attachment == 3
                && a.SourcePage == 0x11000 && a.Attacher == farGetter));
            Assert.Equal([add, cas], events.OfType<StoreApplied>().Select(a => a.Request));
        }

        // A pin a recall dropped: refused, nothing runs, the attacher refaults.
        var stale = new RequestId(P1, 4);
        segment.Tell(new Frames.Fetchop(stale, pin + 1, 8, new Swap32Call(0x7000_0008, 1),
            far.Ref.On(P1)));
        Assert.Equal(new Refused(stale, Errno.ENOENT), far.ExpectMsg<Refused>());
        Assert.Equal(9, page.Bytes[8]);
    }

    [Fact]
    public void SegmentActor_must_give_back_a_stopped_getters_pins_so_its_late_store_cannot_land()
    {
        // Found live (race-partition-one-way-link): the attacher died with its Unpin held up on
        // a dropping link, the recall stopped waiting for it on its Terminated, the owner
        // unmapped, and the store it had sent before dying then landed through the old pin.
        var (segment, owner) = MakeRelayed();
        var far = CreateTestProbe();
        var farGetter = new TgId(P1, 200);
        GrantFar(segment, far, farGetter);
        var fault = new RequestId(P1, 1);
        segment.Tell(new Fault.Pin(fault, 0x10000, farGetter, 1, far.Ref.On(P1), default,
            OwnerMm.Same));
        var page = PinnedPage();
        segment.Tell(new ThreadGroupActor.PageFound(
            owner.ExpectMsg<ThreadGroupActor.FindPage>().RequestId, page));
        var pin = far.ExpectMsg<Fault.Pinned>().PinId;
        segment.Tell(new Fault.Done(fault, far.Ref.On(P1)));

        Sys.Stop(far.Ref);
        AwaitCondition(() => page.Pins == 0);
        var store = new RequestId(P1, 2);
        var late = CreateTestProbe();
        segment.Tell(new Frames.Write(store, pin, 8, [7, 7, 7, 7], late.Ref.On(P1)));

        Assert.Equal(new Refused(store, Errno.ENOENT), late.ExpectMsg<Refused>());
        Assert.Equal(0, page.Bytes[8]);
        AwaitCondition(() => _monitor.Pins.Balanced);
        Assert.Null(_monitor.Violation);
    }

    /// <summary>
    /// A fault from <paramref name="getter"/> at the segment's first page, up to the owner's
    /// lookup: its id, and the lookup the owner was asked.
    /// </summary>
    private (RequestId Fault, ThreadGroupActor.FindPage Find) Lookup(IActorRef segment,
        Akka.TestKit.TestProbe owner, Akka.TestKit.TestProbe getter)
    {
        var fault = NextId();
        segment.Tell(new Fault.Pin(fault, 0x10000, Getter, 1, getter.Ref.At(), default,
            OwnerMm.Same));
        return (fault, owner.ExpectMsg<ThreadGroupActor.FindPage>());
    }

    /// <summary>A page as the owner hands it over: pinned.</summary>
    private static Page PinnedPage()
    {
        var page = new Page(1);
        page.Pin();
        return page;
    }
}
