// Proves the machine monitor: it keeps the first breach of any checker with the last events
// before it (oldest first, request bookkeeping left out, the breaching event last), every later
// breach leaves it alone, the tap sees every event after the checkers, Final gives every
// checker's verdict, and fault starts are counted; an event a partition's actor makes after
// the partition crashed is dropped, the crash being one instant.
using Emulator.Partitions;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Locks;
using Emulator.Protocol.Ids;
using Xunit;
using static Emulator.Tests.Checks.CheckEvents;

namespace Emulator.Tests.Checks;

public sealed class MachineMonitorSpec
{
    private static RequestId Id(int n) => new(new PartitionId(0), n);

    [Fact]
    public void MachineMonitor_must_keep_the_first_violation_with_the_events_before_it()
    {
        var monitor = new MachineMonitor();
        var before = new List<MachineEvent>();
        for (var i = 0; i < 20; i++)
        {
            MachineEvent e = new PageMapped(Owner, (ulong)i << 12, i + 1);
            before.Add(e);
            monitor.Observe(e);
            monitor.Observe(new RequestStarted(Id(i), "x"));
        }
        Assert.Null(monitor.Violation);
        var access = Access(5, 99);   // through an attachment nobody mapped, to a wrong frame
        monitor.Observe(access);
        var violation = monitor.Violation;
        Assert.NotNull(violation);
        Assert.Equal("coherence", violation.Checker);
        Assert.Equal(Attacher, violation.Process);
        Assert.Contains("frame 99", violation.What);
        Assert.Equal(MachineMonitor.RecentEventsMax, violation.Events.Count);
        Assert.Equal(before.Skip(20 - MachineMonitor.RecentEventsMax + 1).Append(access),
            violation.Events);

        monitor.Observe(new Unpinned(Seg, 1, 1));
        Assert.Same(violation, monitor.Violation);
    }

    [Fact]
    public void MachineMonitor_must_drop_an_event_its_partition_made_after_its_crash()
    {
        // Live: a segment actor finishing a remote store on one thread while its partition
        // crashes on another (race-partition-crash-during-faults, live, seed 10 and 11: the
        // store landed after the crash, on frames the coherence checker had let go).
        var monitor = new MachineMonitor();
        var lives = new PartitionLives();
        lives.Boot(2);
        var seen = new List<MachineEvent>();
        monitor.Tap = seen.Add;
        var access = Access(1, 7, write: true);
        Assert.True(monitor.Observe(access, lives, Owner.Partition, 1));
        var crashed = monitor.Crash(lives, Owner.Partition);
        Assert.False(monitor.Observe(access, lives, Owner.Partition, 1));
        Assert.True(monitor.Observe(access, lives, Attacher.Partition, 1));
        Assert.Equal([access, crashed, access], seen);
    }

    [Fact]
    public void MachineMonitor_must_keep_requests_told_without_events_as_their_events_would()
    {
        // RequestStarted / RequestEnded told as values (the actors' path: no event object unless a
        // tap watches): in flight until ended, the tap sees the events, and a request of a crashed
        // incarnation is dropped, as Observe drops its event.
        var monitor = new MachineMonitor();
        var lives = new PartitionLives();
        lives.Boot(2);
        var seen = new List<MachineEvent>();
        monitor.Tap = seen.Add;
        var home = Owner.Partition;
        Assert.True(monitor.RequestStarted(Id(1), "Fault.Pin", null, lives, home, 1));
        Assert.True(monitor.RequestStarted(Id(2), "Fault.Pin", Attacher.Partition, lives, null, 0));
        Assert.Equal(2, monitor.InFlight.Count);
        Assert.True(monitor.RequestEnded(Id(2), lives, null, 0));
        Assert.Equal(1, monitor.InFlight.Count);
        var crashed = monitor.Crash(lives, home);
        Assert.Equal(0, monitor.InFlight.Count);
        Assert.False(monitor.RequestStarted(Id(3), "Fault.Pin", null, lives, home, 1));
        Assert.False(monitor.RequestEnded(Id(1), lives, home, 1));
        Assert.Equal(0, monitor.InFlight.Count);
        Assert.Equal(
            [new RequestStarted(Id(1), "Fault.Pin"),
                new RequestStarted(Id(2), "Fault.Pin", Attacher.Partition),
                new RequestEnded(Id(2)), crashed],
            seen);
        Assert.Contains("2 requests", monitor.InFlight.Final().Saw);
    }

    [Theory]
    [InlineData(LockOrder.Kernel, "lock order")]
    [InlineData(LockOrder.Naive, "no deadlock")]
    public void MachineMonitor_must_judge_lock_events_told_as_values_as_their_events(
        LockOrder lockOrder, string breached)
    {
        // The locks an actor holds as state tell their events as values (no object unless a
        // report or a tap needs one): the same breach, the same recent events (made from the
        // values), the same tap as the events told as objects; and one of a crashed incarnation
        // is dropped. Mutual faults behind waiting writers: out of the kernel's order at the
        // first cross wait, a cycle at the last.
        var a = new TgId(new PartitionId(0), 100);
        var b = new TgId(new PartitionId(1), 100);
        LockTask Call(TgId process, int call) => new(process, new RequestId(a.Partition, call));
        var (mmA, mmB) = (LockId.Mm(a), LockId.Mm(b));
        var (faultA, mmapA, faultB, mmapB) = (Call(a, 1), Call(a, 2), Call(b, 3), Call(b, 4));
        MachineEvent[] cycle =
        [
            new LockAcquired(mmA, faultA, LockMode.Read),
            new LockWaiting(mmA, mmapA, LockMode.Write),
            new LockAcquired(mmB, faultB, LockMode.Read),
            new LockWaiting(mmB, mmapB, LockMode.Write),
            new LockWaiting(mmA, faultB, LockMode.Read),
            new LockReleased(mmB, mmapB),
            new LockWaiting(mmB, mmapB, LockMode.Write),
            new LockWaiting(mmB, faultA, LockMode.Read),
        ];
        var asEvents = new MachineMonitor(lockOrder);
        var seenAsEvents = new List<MachineEvent>();
        asEvents.Tap = seenAsEvents.Add;
        foreach (var e in cycle) asEvents.Observe(e);
        var asValues = new MachineMonitor(lockOrder);
        var seenAsValues = new List<MachineEvent>();
        asValues.Tap = seenAsValues.Add;
        var lives = new PartitionLives();
        lives.Boot(2);
        foreach (var e in cycle)
        {
            var told = e switch
            {
                LockAcquired x => asValues.LockAcquired(x.Lock, x.Task, x.Access, lives, null, 0),
                LockWaiting x => asValues.LockWaiting(x.Lock, x.Task, x.Access, lives, null, 0),
                LockReleased x => asValues.LockReleased(x.Lock, x.Task, lives, null, 0),
                _ => false,
            };
            Assert.True(told);
        }
        var byEvents = asEvents.Violation;
        var byValues = asValues.Violation;
        Assert.NotNull(byEvents);
        Assert.NotNull(byValues);
        Assert.Equal(breached, byEvents.Checker);
        Assert.Equal(byEvents, byValues with { Events = byEvents.Events });
        Assert.Equal(byEvents.Events, byValues.Events);
        Assert.Equal(seenAsEvents, seenAsValues);

        asValues.Crash(lives, a.Partition);
        Assert.False(asValues.LockAcquired(mmA, mmapA, LockMode.Write, lives, a.Partition, 1));
        Assert.DoesNotContain(seenAsValues, e => e is LockAcquired { Task: var t } && t == mmapA);
    }

    [Fact]
    public void MachineMonitor_must_report_the_events_so_far_when_there_are_few()
    {
        var monitor = new MachineMonitor();
        var started = new ThreadGroupStarted(Attacher);
        monitor.Observe(started);
        monitor.Observe(new RequestStarted(Id(1), "call"));
        var unpinned = new Unpinned(Seg, 3, 3);
        monitor.Observe(unpinned);
        var violation = monitor.Violation;
        Assert.NotNull(violation);
        Assert.Equal("pins balanced", violation.Checker);
        Assert.Equal(Owner, violation.Process);
        Assert.Equal([started, unpinned], violation.Events);
    }

    [Fact]
    public void MachineMonitor_must_let_the_tap_see_every_event_after_the_checkers()
    {
        var monitor = new MachineMonitor();
        var seen = new List<MachineEvent>();
        var violationSeenByTap = new List<bool>();
        monitor.Tap = e =>
        {
            seen.Add(e);
            violationSeenByTap.Add(monitor.Violation is not null);
        };
        MachineEvent[] events =
        [
            new RequestStarted(Id(1), "a"), new FaultStarted(Attacher, 0x1000),
            Access(1, 1), new RequestEnded(Id(1)),
        ];
        foreach (var e in events) monitor.Observe(e);
        Assert.Equal(events, seen);
        Assert.Equal([false, false, true, true], violationSeenByTap);
        Assert.Equal(1, monitor.Faults);
    }

    [Fact]
    public void MachineMonitor_must_give_every_checkers_verdict_at_the_end()
    {
        var monitor = new MachineMonitor();
        monitor.Observe(new RequestStarted(Id(1), "Fault.Pin"));
        monitor.Observe(new SegmentMade(Seg));
        var reports = monitor.Final();
        Assert.Equal(["coherence", "no access through the dead", "stores once", "pins balanced",
            "refcounts back to zero", "nothing in flight", "no deadlock", "lock order"],
            reports.Select(r => r.Name));
        Assert.Equal([true, true, true, true, false, false, true, true], reports.Select(r => r.Held));
        Assert.Contains("Fault.Pin", reports[5].Saw);
        Assert.Equal(1, monitor.Read(m => m.InFlight.Count));
        Assert.Equal(1, monitor.Refcounts.SegmentsAlive);
        Assert.Null(monitor.Violation);
    }

    [Fact]
    public void MachineMonitor_must_pass_every_event_to_every_checker_even_after_a_violation()
    {
        var monitor = new MachineMonitor();
        monitor.Observe(Access(1, 1));
        Assert.NotNull(monitor.Violation);
        monitor.Observe(new Pinned(Seg, 1, Source, 7, Attacher, 1, new RequestId(Attacher.Partition, 1)));
        Assert.False(monitor.Pins.Balanced);
        monitor.Observe(new Unpinned(Seg, 1, 7));
        Assert.True(monitor.Pins.Balanced);
    }

    [Theory]
    [InlineData(LockOrder.Kernel)]
    [InlineData(LockOrder.Naive)]
    public void MachineMonitor_must_hand_each_checker_every_event(LockOrder lockOrder)
    {
        var monitor = new MachineMonitor(lockOrder);
        List<IChecker> alone = [new CoherenceChecker(), new DeadAccessChecker(),
            new StoresOnceChecker(), new PinChecker(), new RefcountChecker(),
            new InFlightChecker(), new DeadlockChecker()];
        if (lockOrder == LockOrder.Kernel) alone.Add(new LockOrderChecker());
        var task = new LockTask(Attacher, Id(9));
        MachineEvent[] events =
        [
            new ThreadGroupStarted(Owner), new SegmentMade(Seg), new PageMapped(Owner, Source, 7),
            Mapped(1), new RequestStarted(Id(1), "Fault.Pin"), new FaultStarted(Attacher, 0x1000),
            new LockAcquired(LockId.Mm(Attacher), task, LockMode.Read),
            new LockWaiting(LockId.Sema(Seg), task, LockMode.Read),
            new LockAcquired(LockId.Sema(Seg), task, LockMode.Read),
            new LockAcquired(LockId.Att(Attacher, 1), task, LockMode.Write),
            new Pinned(Seg, 1, Source, 7, Attacher, 1, Id(1)), Access(1, 7, write: true),
            new StoreSent(Id(2), Attacher), new StoreApplied(Id(2)), new StoreAnswered(Id(2), true),
            new LockReleased(LockId.Att(Attacher, 1), task), new RequestEnded(Id(1)),
        ];
        foreach (var e in events)
        {
            monitor.Observe(e);
            foreach (var checker in alone) checker.Observe(e);
        }
        Assert.Equal(alone.Select(c => c.Final()), monitor.Final());
        Assert.Null(monitor.Violation);
    }

    [Theory]
    [InlineData(LockOrder.Kernel)]
    [InlineData(LockOrder.Naive)]
    public void MachineMonitor_must_keep_the_breach_of_the_first_checker_in_order(
        LockOrder lockOrder)
    {
        // Events each some checkers break: the monitor hands the common ones only to the
        // checkers that read them, and must still keep what the checkers in order would.
        var task = new LockTask(Attacher, Id(9));
        var other = new LockTask(Owner, Id(8));
        MachineEvent[][] runs =
        [
            // Coherence and the dead both break it: no page mapped, no attachment.
            [Access(1, 7)],
            [Mapped(1), new Unpinned(Seg, 1, 7)],
            [new StoreSent(Id(2), Attacher), new StoreAnswered(Id(2), true)],
            [new StoreSent(Id(2), Attacher), new StoreApplied(Id(2)), new StoreApplied(Id(2))],
            // Lock order (kernel only) breaks the take of an mm while holding an att->mutex.
            [new LockAcquired(LockId.Att(Attacher, 1), task, LockMode.Write),
                new LockWaiting(LockId.Mm(Attacher), task, LockMode.Read)],
            // A cycle of two waits, each also out of the kernel's order.
            [new LockAcquired(LockId.Mm(Attacher), task, LockMode.Write),
                new LockAcquired(LockId.Mm(Owner), other, LockMode.Write),
                new LockWaiting(LockId.Mm(Owner), task, LockMode.Write),
                new LockWaiting(LockId.Mm(Attacher), other, LockMode.Write)],
        ];
        foreach (var run in runs)
        {
            var monitor = new MachineMonitor(lockOrder);
            List<IChecker> alone = [new CoherenceChecker(), new DeadAccessChecker(),
                new StoresOnceChecker(), new PinChecker(), new RefcountChecker(),
                new InFlightChecker(), new DeadlockChecker()];
            if (lockOrder == LockOrder.Kernel) alone.Add(new LockOrderChecker());
            (string Checker, string What)? first = null;
            foreach (var e in run)
            {
                monitor.Observe(e);
                foreach (var checker in alone)
                {
                    if (checker.Observe(e) is { } breach) first ??= (checker.Name, breach.What);
                }
            }
            // Every run breaks some checker, but for lock order's own with the naive order.
            Assert.True(first is not null || lockOrder == LockOrder.Naive);
            Assert.Equal(first?.Checker, monitor.Violation?.Checker);
            Assert.Equal(first?.What, monitor.Violation?.What);
            Assert.Equal(alone.Select(c => c.Final()), monitor.Final());
        }
    }

    [Fact]
    public void MachineMonitor_must_record_actors_that_threw()
    {
        var monitor = new MachineMonitor();
        monitor.ActorFailed("tg p0/1", new InvalidOperationException("boom"));
        Assert.Equal(["tg p0/1: InvalidOperationException: boom"], monitor.Failures);
    }
}
