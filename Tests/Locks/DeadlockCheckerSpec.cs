// Proves the wait-for graph on hand-made lock events: a cycle through a waiting writer (writer
// preference: a reader queued behind it waits for it) is a deadlock named task by task; readers
// sharing a lock make no edge; a wait that ends, or a partition that crashes with its locks, takes
// its edges away; and the kernel's lock order is asserted on waits only (a trylock of a lower mm
// is fine, a blocking wait for it while holding a higher one is named with both locks).
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
}
