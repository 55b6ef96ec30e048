// Proves the stores-once checker judges what XPC does to stores through remote PTEs: a store
// applied once and answered Written holds; one applied twice (before or after its answer) or
// answered Written without being applied breaks it at that event; a store that ended without an
// answer may have been applied once or not; a crashed partition's stores are forgotten.
// How: the plain checker fed events by hand.
using Emulator.Partitions.Checks;
using Emulator.Protocol.Ids;
using Xunit;

namespace Emulator.Tests.Checks;

public sealed class StoresOnceCheckerSpec
{
    private static readonly PartitionId P1 = new(1);
    private static readonly TgId Attacher = new(P1, 100);

    private static RequestId Id(long sequence) => new(P1, sequence);

    [Fact]
    public void StoresOnce_must_hold_for_stores_applied_once_or_ended_without_an_answer()
    {
        var checker = new StoresOnceChecker();
        Assert.Null(checker.Observe(new StoreSent(Id(1), Attacher)));
        Assert.Null(checker.Observe(new StoreApplied(Id(1))));
        Assert.Null(checker.Observe(new StoreAnswered(Id(1), Written: true)));
        Assert.Null(checker.Observe(new StoreSent(Id(2), Attacher)));
        Assert.Null(checker.Observe(new StoreAnswered(Id(2), Written: false)));
        Assert.Null(checker.Observe(new StoreSent(Id(3), Attacher)));
        Assert.Null(checker.Observe(new StoreApplied(Id(3))));
        Assert.Null(checker.Observe(new StoreAnswered(Id(3), Written: false)));

        var report = checker.Final();
        Assert.True(report.Held);
        Assert.Equal("3 stores across XPC: 1 written once, 2 ended without an answer (their "
            + "toucher faulted again or got a signal), none twice", report.Saw);
    }

    [Fact]
    public void StoresOnce_must_break_at_a_store_applied_twice()
    {
        var checker = new StoresOnceChecker();
        checker.Observe(new StoreSent(Id(1), Attacher));
        Assert.Null(checker.Observe(new StoreApplied(Id(1))));
        var breach = checker.Observe(new StoreApplied(Id(1)));
        Assert.Contains("applied 2 times: XPC delivered it more than once", breach?.What);
    }

    [Fact]
    public void StoresOnce_must_break_at_a_duplicate_applied_after_the_answer()
    {
        var checker = new StoresOnceChecker();
        checker.Observe(new StoreSent(Id(1), Attacher));
        checker.Observe(new StoreApplied(Id(1)));
        checker.Observe(new StoreAnswered(Id(1), Written: true));
        var breach = checker.Observe(new StoreApplied(Id(1)));
        Assert.Contains("applied after its answer came: XPC delivered it twice", breach?.What);
    }

    [Fact]
    public void StoresOnce_must_break_at_a_written_store_never_applied()
    {
        var checker = new StoresOnceChecker();
        checker.Observe(new StoreSent(Id(1), Attacher));
        var breach = checker.Observe(new StoreAnswered(Id(1), Written: true));
        Assert.Contains("answered Written but applied 0 times: XPC lost it", breach?.What);
    }

    [Fact]
    public void StoresOnce_must_forget_the_stores_of_a_crashed_partition()
    {
        var checker = new StoresOnceChecker();
        checker.Observe(new StoreSent(Id(1), Attacher));
        checker.Observe(new PartitionCrashed(P1));
        // Its store may still land once on the owner; nothing waits for an answer any more.
        Assert.Null(checker.Observe(new StoreApplied(Id(1))));
        Assert.Null(checker.Observe(new StoreApplied(Id(1))));
        Assert.True(checker.Final().Held);
    }
}
