// Proves the pin checker on synthetic events: a pin given back once balances; given back twice
// (or never taken) is a breach naming the segment and pin; a pin still held at the end fails the
// final verdict, which names owner, segment, pin, page, attacher and attachment; tallies are kept
// per partition.
using Emulator.Partitions.Checks;
using Emulator.Protocol.Ids;
using Xunit;
using static Emulator.Tests.Checks.CheckEvents;

namespace Emulator.Tests.Checks;

public sealed class PinCheckerSpec
{
    private static Pinned Pin(long pinId, long frame, SegId? segment = null, ulong page = Source) =>
        new(segment ?? Seg, pinId, page, frame, Attacher, 4, new RequestId(Attacher.Partition, pinId));

    [Fact]
    public void PinChecker_must_balance_a_pin_given_back_once()
    {
        var checker = new PinChecker();
        Assert.Null(checker.Observe(Pin(1, 7)));
        Assert.False(checker.Balanced);
        Assert.Null(checker.Observe(new Unpinned(Seg, 1, 7)));
        Assert.True(checker.Balanced);
        Assert.Equal(new PinTally(1, 1), checker.Totals);
        var report = checker.Final();
        Assert.True(report.Held);
        Assert.Equal("1 pinned, 1 unpinned (by partition p0: 1/1)", report.Saw);
        Assert.Equal("no pin is held", checker.Holders());
    }

    [Fact]
    public void PinChecker_must_catch_a_pin_given_back_twice()
    {
        var checker = new PinChecker();
        checker.Observe(Pin(1, 7));
        checker.Observe(new Unpinned(Seg, 1, 7));
        var breach = checker.Observe(new Unpinned(Seg, 1, 7));
        Assert.NotNull(breach);
        Assert.Equal(Owner, breach.Process);
        Assert.Contains($"segment {Seg} gave back pin 1", breach.What);
        Assert.True(checker.Balanced);
        Assert.False(checker.Final().Held);
    }

    [Fact]
    public void PinChecker_must_catch_a_pin_given_back_by_another_segment()
    {
        var checker = new PinChecker();
        checker.Observe(Pin(1, 7));
        Assert.NotNull(checker.Observe(new Unpinned(Seg2, 1, 7)));
        Assert.False(checker.Balanced);
    }

    [Fact]
    public void PinChecker_must_count_pins_of_one_frame_apart()
    {
        var checker = new PinChecker();
        checker.Observe(Pin(1, 7));
        checker.Observe(Pin(2, 7));
        Assert.Null(checker.Observe(new Unpinned(Seg, 2, 7)));
        Assert.Null(checker.Observe(new Unpinned(Seg, 1, 7)));
        Assert.True(checker.Final().Held);
    }

    [Fact]
    public void PinChecker_must_name_who_holds_a_pin_left_at_the_end()
    {
        var checker = new PinChecker();
        checker.Observe(Pin(1, 7));
        checker.Observe(Pin(2, 8, page: Source + 0x1000));
        checker.Observe(new Unpinned(Seg, 1, 7));
        var report = checker.Final();
        Assert.False(report.Held);
        var holders = checker.Holders();
        Assert.Equal($"{Owner} holds 1 in segment {Seg}: pin 2 (page 0x11000 for {Attacher} "
            + "attachment 4)", holders);
        Assert.Contains(holders, report.Saw);
        Assert.Contains("2 pinned, 1 unpinned", report.Saw);
    }

    [Fact]
    public void PinChecker_must_show_a_few_pins_and_count_the_rest()
    {
        var checker = new PinChecker();
        for (var pin = 1; pin <= 5; pin++) checker.Observe(Pin(pin, 100 + pin));
        var holders = checker.Holders(pinsShownMax: 2);
        Assert.Contains($"holds 5 in segment {Seg}", holders);
        Assert.Contains("pin 1 ", holders);
        Assert.Contains("pin 2 ", holders);
        Assert.DoesNotContain("pin 3 ", holders);
        Assert.EndsWith("and 3 more", holders);
    }

    [Fact]
    public void PinChecker_must_tally_by_partition()
    {
        var checker = new PinChecker();
        var remoteOwner = new SegId(XpmemId.Compose(new PartitionId(2), 9, 1));
        checker.Observe(Pin(1, 7));
        checker.Observe(Pin(1, 9, segment: remoteOwner));
        checker.Observe(new Unpinned(remoteOwner, 1, 9));
        Assert.StartsWith("2 pinned, 1 unpinned (by partition p0: 1/0, p2: 1/1)",
            checker.Final().Saw);
    }
}
