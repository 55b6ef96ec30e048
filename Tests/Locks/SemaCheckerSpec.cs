// Proves the checkers on hand-made events through seg->sema and att->mutex: a cycle through an
// mm and a segment's sema (a fault reading the sema waits for an mm whose writer waits for the
// sema) is a deadlock named lock by lock; a task waiting for two semas at once (a munmap
// recalling two segments) waits for the readers of both; and the lock-order checker names a
// wait or an att->mutex take out of the kernel's order with both locks, and lets the fault path
// and a munmap's recall through.
using Emulator.Partitions.Checks;
using Emulator.Partitions.Locks;
using Emulator.Protocol.Ids;
using Xunit;

namespace Emulator.Tests.Locks;

public sealed class SemaCheckerSpec
{
    private static readonly TgId Owner = new(new PartitionId(0), 100);
    private static readonly TgId User = new(new PartitionId(1), 100);
    private static readonly LockId MmOwner = LockId.Mm(Owner);
    private static readonly LockId MmUser = LockId.Mm(User);
    private static readonly LockId Sema1 =
        LockId.Sema(new SegId(XpmemId.Compose(new PartitionId(0), 100, 1)));
    private static readonly LockId Sema2 =
        LockId.Sema(new SegId(XpmemId.Compose(new PartitionId(0), 100, 2)));
    private static readonly LockId Att = LockId.Att(User, 1);

    private static LockTask Call(TgId process, int call) =>
        new(process, new RequestId(process.Partition, call));

    private static readonly LockTask Fault = Call(User, 1);
    private static readonly LockTask Munmap = Call(Owner, 2);
    private static readonly LockTask Fault2 = Call(User, 3);

    private static CheckerBreach? Feed(IChecker checker, params MachineEvent[] events)
    {
        CheckerBreach? breach = null;
        foreach (var e in events) breach ??= checker.Observe(e);
        return breach;
    }

    [Fact]
    public void DeadlockChecker_must_name_a_cycle_through_an_mm_and_a_segments_sema()
    {
        var checker = new DeadlockChecker();
        Assert.Null(Feed(checker,
            new LockAcquired(Sema1, Fault, LockMode.Read),
            new LockAcquired(MmOwner, Munmap, LockMode.Write),
            new LockWaiting(Sema1, Munmap, LockMode.Write)));

        var breach = checker.Observe(new LockWaiting(MmOwner, Fault, LockMode.Read));

        Assert.NotNull(breach);
        Assert.Equal($"deadlock: a cycle of waits: {Fault} waits for mmap_sem of p0/100, held by "
            + $"{Munmap} (write); {Munmap} waits for seg->sema of segment "
            + $"0x{XpmemId.Compose(new PartitionId(0), 100, 1):x}, held by {Fault} (read)",
            breach.What);
    }

    [Fact]
    public void DeadlockChecker_must_follow_a_task_waiting_for_two_semas_to_the_readers_of_each()
    {
        var checker = new DeadlockChecker();
        Assert.Null(Feed(checker,
            new LockAcquired(MmOwner, Munmap, LockMode.Write),
            new LockAcquired(Sema1, Fault, LockMode.Read),
            new LockAcquired(Sema2, Fault2, LockMode.Read),
            new LockWaiting(Sema1, Munmap, LockMode.Write),
            new LockWaiting(Sema2, Munmap, LockMode.Write),
            // Sema1's reader is done: the munmap still waits for Sema2's.
            new LockReleased(Sema1, Fault),
            new LockAcquired(Sema1, Munmap, LockMode.Write)));

        var breach = checker.Observe(new LockWaiting(MmOwner, Fault2, LockMode.Read));

        Assert.NotNull(breach);
        Assert.Contains($"{Munmap} waits for seg->sema of segment "
            + $"0x{XpmemId.Compose(new PartitionId(0), 100, 2):x}, held by {Fault2}", breach.What);
    }

    [Fact]
    public void LockOrderChecker_must_let_the_fault_path_and_a_recall_through()
    {
        var checker = new LockOrderChecker();
        Assert.Null(Feed(checker,
            // The fault: its own mm, parked behind a recall on the sema, the owner's mm (ranked
            // below: only tried), the PTE.
            new LockAcquired(MmUser, Fault, LockMode.Read),
            new LockWaiting(Sema1, Fault, LockMode.Read),
            new LockReleased(Sema1, Fault),
            new LockAcquired(MmOwner, Fault, LockMode.Read),
            new LockAcquired(Sema1, Fault, LockMode.Read),
            new LockAcquired(Att, Fault, LockMode.Write),
            new LockReleased(Att, Fault),
            // The munmap: its mm for write, then both segments' semas, waiting for readers.
            new LockAcquired(MmOwner, Munmap, LockMode.Write),
            new LockWaiting(Sema1, Munmap, LockMode.Write),
            new LockWaiting(Sema2, Munmap, LockMode.Write)));
        Assert.Equal("lock order", checker.Name);
        Assert.Equal("3 waits and 1 att->mutex take judged, every one in order",
            checker.Final().Saw);
    }

    [Fact]
    public void LockOrderChecker_must_name_a_wait_under_att_mutex_and_an_mm_wait_under_a_sema()
    {
        var underMutex = Feed(new LockOrderChecker(),
            new LockAcquired(Att, Fault, LockMode.Write),
            new LockWaiting(MmUser, Fault, LockMode.Read));
        Assert.NotNull(underMutex);
        Assert.Equal($"lock order: {Fault} waits for mmap_sem of p1/100 while holding att->mutex "
            + "of attachment 1 of p1/100, and att->mutex is the innermost lock (the attacher's mm "
            + "and seg->sema come first)", underMutex.What);

        var underSema = Feed(new LockOrderChecker(),
            new LockAcquired(Sema1, Fault, LockMode.Read),
            new LockWaiting(MmUser, Fault, LockMode.Read));
        Assert.NotNull(underSema);
        Assert.Contains("while holding seg->sema of segment", underSema.What);
        Assert.Contains("under seg->sema a fault takes only the segment owner's mm",
            underSema.What);

        // att->mutex is never tried: taking it under another attachment's mutex is judged too.
        var twoMutexes = Feed(new LockOrderChecker(),
            new LockAcquired(Att, Fault, LockMode.Write),
            new LockAcquired(LockId.Att(User, 2), Fault, LockMode.Write));
        Assert.NotNull(twoMutexes);
        Assert.Contains($"{Fault} takes att->mutex of attachment 2 of p1/100", twoMutexes.What);
    }
}
