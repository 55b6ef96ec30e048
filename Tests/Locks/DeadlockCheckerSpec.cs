// Proves the wait-for graph on hand-made lock events: a cycle through a waiting writer (writer
// preference: a reader queued behind it waits for it) is a deadlock named task by task; readers
// sharing a lock make no edge; a wait that ends, or a partition that crashes with its locks, takes
// its edges away; and the kernel's lock order is asserted on waits only (a trylock of a lower mm
// is fine, a blocking wait for it while holding a higher one is named with both locks). Through
// seg->sema and att->mutex: a cycle through an mm and a segment's sema is named lock by lock; a
// task waiting for two semas at once (a munmap recalling two segments) waits for the readers of
// both; the fault path and a munmap's recall are in order, and a wait or an att->mutex take out
// of the kernel's order is named with both locks. A call's holds and waits on a peer's locks end
// when its partition declares the peer GOINGDOWN (the peer keeps them for the old session until it
// notices too), and count again once the peer is Up.
using Emulator.Partitions;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Locks;
using Emulator.Protocol.Ids;
using Xunit;

namespace Emulator.Tests.Locks;

public sealed class DeadlockCheckerSpec
{
    private static readonly TgId A = new(new PartitionId(0), 100);
    private static readonly TgId B = new(new PartitionId(1), 100);
    private static readonly LockId MmA = LockId.Mm(A);
    private static readonly LockId MmB = LockId.Mm(B);

    private static LockTask Call(TgId process, int call) =>
        new(process, new RequestId(new PartitionId(0), call));

    private static readonly LockTask FaultA = Call(A, 1);
    private static readonly LockTask MmapA = Call(A, 2);
    private static readonly LockTask FaultB = Call(B, 3);
    private static readonly LockTask MmapB = Call(B, 4);
    private static readonly LockTask SemaFault = Call(B, 5);
    private static readonly LockTask SemaMunmap = Call(A, 6);
    private static readonly LockTask SemaFault2 = Call(B, 7);
    private static readonly LockId Sema1 =
        LockId.Sema(new SegId(XpmemId.Compose(new PartitionId(0), 100, 1)));
    private static readonly LockId Sema2 =
        LockId.Sema(new SegId(XpmemId.Compose(new PartitionId(0), 100, 2)));
    private static readonly LockId Att = LockId.Att(B, 1);

    private static CheckerBreach? Feed(IChecker checker, params MachineEvent[] events)
    {
        CheckerBreach? breach = null;
        foreach (var e in events) breach ??= checker.Observe(e);
        return breach;
    }

    [Fact]
    public void DeadlockChecker_must_name_the_cycle_of_mutual_faults_behind_waiting_writers()
    {
        var checker = new DeadlockChecker();
        var before = Feed(checker,
            new LockAcquired(MmA, FaultA, LockMode.Read),
            new LockWaiting(MmA, MmapA, LockMode.Write),
            new LockAcquired(MmB, FaultB, LockMode.Read),
            new LockWaiting(MmB, MmapB, LockMode.Write),
            new LockWaiting(MmA, FaultB, LockMode.Read));
        Assert.Null(before);

        var breach = checker.Observe(new LockWaiting(MmB, FaultA, LockMode.Read));

        Assert.NotNull(breach);
        Assert.Equal(A, breach.Process);
        Assert.Equal("deadlock: a cycle of waits: "
            + $"{FaultA} waits for mmap_sem of p1/100, awaited by {MmapB} (write); "
            + $"{MmapB} waits for mmap_sem of p1/100, held by {FaultB} (read); "
            + $"{FaultB} waits for mmap_sem of p0/100, awaited by {MmapA} (write); "
            + $"{MmapA} waits for mmap_sem of p0/100, held by {FaultA} (read)", breach.What);
    }

    [Fact]
    public void DeadlockChecker_must_see_no_cycle_among_readers_or_once_a_wait_ends()
    {
        var checker = new DeadlockChecker();
        Assert.Null(Feed(checker,
            new LockAcquired(MmA, FaultA, LockMode.Read),
            new LockAcquired(MmB, FaultB, LockMode.Read),
            new LockAcquired(MmA, FaultB, LockMode.Read),    // readers share
            new LockWaiting(MmB, MmapB, LockMode.Write),
            new LockReleased(MmB, MmapB),                    // the writer gave up waiting
            new LockWaiting(MmB, FaultA, LockMode.Read),     // so this wait has no writer ahead
            new LockWaiting(MmA, MmapA, LockMode.Write)));
        Assert.True(checker.Final().Held);
        Assert.Equal("3 lock waits, 3 acquisitions, no cycle", checker.Final().Saw);
    }

    [Fact]
    public void DeadlockChecker_must_forget_the_locks_of_a_crashed_partition()
    {
        var checker = new DeadlockChecker();
        Assert.Null(Feed(checker,
            new LockAcquired(MmA, FaultA, LockMode.Read),
            new LockWaiting(MmA, MmapA, LockMode.Write),
            new LockAcquired(MmB, FaultB, LockMode.Read),
            new LockWaiting(MmB, MmapB, LockMode.Write),
            new LockWaiting(MmA, FaultB, LockMode.Read),
            new PartitionCrashed(new PartitionId(0)),        // mm A and every wait there: gone
            new LockWaiting(MmB, FaultA, LockMode.Read)));
    }

    [Fact]
    public void LockOrderChecker_must_allow_a_trylock_down_and_name_a_wait_down()
    {
        var checker = new LockOrderChecker();
        // B ranks above A. B's fault holds its own mm and takes A's by trylock: no wait, fine.
        Assert.Null(Feed(checker,
            new LockAcquired(MmB, FaultB, LockMode.Read),
            new LockAcquired(MmA, FaultB, LockMode.Read),
            new LockReleased(MmA, FaultB),
            new LockReleased(MmB, FaultB),
            // A's fault holds the lower mm and waits for the higher: the kernel's order.
            new LockAcquired(MmA, FaultA, LockMode.Read),
            new LockWaiting(MmB, FaultA, LockMode.Read)));

        var breach = Feed(checker,
            new LockAcquired(MmB, FaultB, LockMode.Read),
            new LockWaiting(MmA, FaultB, LockMode.Read));

        Assert.NotNull(breach);
        Assert.Equal($"lock order: {FaultB} waits for mmap_sem of p0/100 while holding mmap_sem "
            + "of p1/100, which ranks above it (the kernel takes the lower-ranked mm first and "
            + "only tries the other)", breach.What);
    }

    [Fact]
    public void DeadlockChecker_must_name_a_cycle_through_an_mm_and_a_segments_sema()
    {
        var checker = new DeadlockChecker();
        Assert.Null(Feed(checker,
            new LockAcquired(Sema1, SemaFault, LockMode.Read),
            new LockAcquired(MmA, SemaMunmap, LockMode.Write),
            new LockWaiting(Sema1, SemaMunmap, LockMode.Write)));

        var breach = checker.Observe(new LockWaiting(MmA, SemaFault, LockMode.Read));

        Assert.NotNull(breach);
        Assert.Equal($"deadlock: a cycle of waits: {SemaFault} waits for mmap_sem of p0/100, "
            + "held by "
            + $"{SemaMunmap} (write); {SemaMunmap} waits for seg->sema of segment "
            + $"0x{XpmemId.Compose(new PartitionId(0), 100, 1):x}, held by {SemaFault} (read)",
            breach.What);
    }

    [Fact]
    public void DeadlockChecker_must_follow_a_task_waiting_for_two_semas_to_the_readers_of_each()
    {
        var checker = new DeadlockChecker();
        Assert.Null(Feed(checker,
            new LockAcquired(MmA, SemaMunmap, LockMode.Write),
            new LockAcquired(Sema1, SemaFault, LockMode.Read),
            new LockAcquired(Sema2, SemaFault2, LockMode.Read),
            new LockWaiting(Sema1, SemaMunmap, LockMode.Write),
            new LockWaiting(Sema2, SemaMunmap, LockMode.Write),
            // Sema1's reader is done: the munmap still waits for Sema2's.
            new LockReleased(Sema1, SemaFault),
            new LockAcquired(Sema1, SemaMunmap, LockMode.Write)));

        var breach = checker.Observe(new LockWaiting(MmA, SemaFault2, LockMode.Read));

        Assert.NotNull(breach);
        Assert.Contains($"{SemaMunmap} waits for seg->sema of segment "
            + $"0x{XpmemId.Compose(new PartitionId(0), 100, 2):x}, held by {SemaFault2}",
            breach.What);
    }

    [Fact]
    public void LockOrderChecker_must_let_the_fault_path_and_a_recall_through()
    {
        var checker = new LockOrderChecker();
        Assert.Null(Feed(checker,
            // The fault: its own mm, parked behind a recall on the sema, the owner's mm (ranked
            // below: only tried), the PTE.
            new LockAcquired(MmB, SemaFault, LockMode.Read),
            new LockWaiting(Sema1, SemaFault, LockMode.Read),
            new LockReleased(Sema1, SemaFault),
            new LockAcquired(MmA, SemaFault, LockMode.Read),
            new LockAcquired(Sema1, SemaFault, LockMode.Read),
            new LockAcquired(Att, SemaFault, LockMode.Write),
            new LockReleased(Att, SemaFault),
            // The munmap: its mm for write, then both segments' semas, waiting for readers.
            new LockAcquired(MmA, SemaMunmap, LockMode.Write),
            new LockWaiting(Sema1, SemaMunmap, LockMode.Write),
            new LockWaiting(Sema2, SemaMunmap, LockMode.Write)));
        Assert.Equal("lock order", checker.Name);
        Assert.Equal("3 waits and 1 att->mutex take judged, every one in order",
            checker.Final().Saw);
    }

    [Fact]
    public void LockOrderChecker_must_name_a_wait_under_att_mutex_and_an_mm_wait_under_a_sema()
    {
        var underMutex = Feed(new LockOrderChecker(),
            new LockAcquired(Att, SemaFault, LockMode.Write),
            new LockWaiting(MmB, SemaFault, LockMode.Read));
        Assert.NotNull(underMutex);
        Assert.Equal($"lock order: {SemaFault} waits for mmap_sem of p1/100 while holding "
            + "att->mutex "
            + "of attachment 1 of p1/100, and att->mutex is the innermost lock (the attacher's mm "
            + "and seg->sema come first)", underMutex.What);

        var underSema = Feed(new LockOrderChecker(),
            new LockAcquired(Sema1, SemaFault, LockMode.Read),
            new LockWaiting(MmB, SemaFault, LockMode.Read));
        Assert.NotNull(underSema);
        Assert.Contains("while holding seg->sema of segment", underSema.What);
        Assert.Contains("under seg->sema a fault takes only the segment owner's mm",
            underSema.What);

        // att->mutex is never tried: taking it under another attachment's mutex is judged too.
        var twoMutexes = Feed(new LockOrderChecker(),
            new LockAcquired(Att, SemaFault, LockMode.Write),
            new LockAcquired(LockId.Att(B, 2), SemaFault, LockMode.Write));
        Assert.NotNull(twoMutexes);
        Assert.Contains($"{SemaFault} takes att->mutex of attachment 2 of p1/100", twoMutexes.What);
    }

    [Fact]
    public void LockOrderChecker_must_judge_a_wait_by_the_task_s_own_holds_amid_many_others()
    {
        var checker = new LockOrderChecker();
        // Other calls hold many mms, each its own and one above it: none of that is FaultA's.
        var others = Enumerable.Range(0, 200).SelectMany(i =>
        {
            var process = new TgId(P1, 200 + i);
            var task = Call(process, 100 + i);
            return new MachineEvent[]
            {
                new LockAcquired(LockId.Mm(process), task, LockMode.Read),
                new LockAcquired(Att, task, LockMode.Write),
            };
        }).ToArray();
        Assert.Null(Feed(checker, others));
        Assert.Null(Feed(checker,
            new LockAcquired(MmA, FaultA, LockMode.Read),
            new LockWaiting(MmB, FaultA, LockMode.Read),
            new LockAcquired(MmB, FaultA, LockMode.Read),
            new LockReleased(MmB, FaultA),
            new LockReleased(MmA, FaultA),
            // Nothing held any more: a wait for a lower mm is no breach now.
            new LockAcquired(Sema1, FaultA, LockMode.Read),
            new LockReleased(Sema1, FaultA),
            new LockWaiting(MmA, FaultA, LockMode.Read)));

        // Two holds out of order: the breach names the one taken first.
        var breach = Feed(checker,
            new LockAcquired(LockId.Att(A, 7), FaultA, LockMode.Write),
            new LockAcquired(MmB, FaultA, LockMode.Read),
            new LockWaiting(MmA, FaultB, LockMode.Read),
            new LockWaiting(LockId.Mm(new TgId(P0, 1)), FaultA, LockMode.Read));
        Assert.NotNull(breach);
        Assert.Contains($"{FaultA} waits for mmap_sem of p0/1 while holding att->mutex of "
            + "attachment 7 of p0/100", breach.What);
    }

    private static readonly PartitionId P0 = new(0);
    private static readonly PartitionId P1 = new(1);

    [Fact]
    public void LockOrderChecker_must_drop_a_call_s_hold_on_a_peer_s_mm_when_the_peer_goes_down()
    {
        // lossy-links, cluster, seed 8 of a sim sweep with missed heartbeats: A's fault holds B's
        // mm (at B) when A declares B GOINGDOWN; the fault fails, A dies of SIGBUS, its exit
        // waits for A's own mm behind B's fault, before B has noticed and let go of its mm.
        var checker = new LockOrderChecker();
        Assert.Null(Feed(checker,
            new LockAcquired(MmA, FaultA, LockMode.Read),
            new LockAcquired(MmB, FaultA, LockMode.Read),
            new LockAcquired(MmA, FaultB, LockMode.Read),
            new PeerStateChanged(P0, P1, PeerState.GoingDown),
            new LockReleased(MmA, FaultA),
            new LockWaiting(MmA, FaultA, LockMode.Write),
            // B serves the old session's Pin late, for a call that no longer waits: not A's.
            new LockAcquired(MmB, FaultA, LockMode.Read),
            new LockWaiting(MmA, FaultA, LockMode.Write),
            new LockReleased(MmB, FaultA),
            new LockReleased(MmB, FaultA)));

        // Up again: a call's hold there is its own once more.
        var breach = Feed(checker,
            new PeerStateChanged(P0, P1, PeerState.Up),
            new LockAcquired(MmB, MmapA, LockMode.Read),
            new LockWaiting(MmA, MmapA, LockMode.Write));
        Assert.NotNull(breach);
        Assert.Contains($"{MmapA} waits for mmap_sem of p0/100 while holding mmap_sem of p1/100",
            breach.What);
    }

    [Fact]
    public void DeadlockChecker_must_see_no_cycle_through_a_hold_the_peer_keeps_after_going_down()
    {
        var checker = new DeadlockChecker();
        Assert.Null(Feed(checker,
            new LockAcquired(MmB, FaultA, LockMode.Read),    // B's mm, for A's fault
            new LockAcquired(MmA, FaultB, LockMode.Read),    // A's mm, for B's fault
            new LockWaiting(MmB, MmapB, LockMode.Write),     // behind A's fault, at B
            new PeerStateChanged(P0, P1, PeerState.GoingDown),
            new LockWaiting(MmA, FaultA, LockMode.Write),    // A's exit, behind B's fault
            new LockWaiting(MmB, FaultB, LockMode.Write)));  // B's exit, behind B's munmap

        // Without the session's end the same waits are a cycle (each exit behind the other's
        // fault): the hold A's fault has at B is what closed it.
        var before = new DeadlockChecker();
        Assert.NotNull(Feed(before,
            new LockAcquired(MmB, FaultA, LockMode.Read),
            new LockAcquired(MmA, FaultB, LockMode.Read),
            new LockWaiting(MmA, FaultA, LockMode.Write),
            new LockWaiting(MmB, FaultB, LockMode.Write)));
    }
}
