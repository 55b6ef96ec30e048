// Proves the refcount checker on synthetic events: segments are counted per id, so a segid made
// twice (two incarnations) and freed once leaves one alive and fails the final verdict, naming
// it; thread groups must all have stopped.
using Emulator.Partitions.Checks;
using Xunit;
using static Emulator.Tests.Checks.CheckEvents;

namespace Emulator.Tests.Checks;

public sealed class RefcountCheckerSpec
{
    [Fact]
    public void RefcountChecker_must_hold_when_everything_made_is_freed()
    {
        var checker = new RefcountChecker();
        checker.Observe(new ThreadGroupStarted(Owner));
        checker.Observe(new SegmentMade(Seg));
        checker.Observe(new SegmentFreed(Seg));
        checker.Observe(new ThreadGroupStopped(Owner));
        var report = checker.Final();
        Assert.True(report.Held);
        Assert.Equal("1 segment made, 1 thread group started, all freed", report.Saw);
    }

    [Fact]
    public void RefcountChecker_must_count_two_incarnations_of_a_segid_apart()
    {
        var checker = new RefcountChecker();
        checker.Observe(new SegmentMade(Seg));
        checker.Observe(new SegmentMade(Seg));
        checker.Observe(new SegmentFreed(Seg));
        Assert.Equal(1, checker.SegmentsAlive);
        var report = checker.Final();
        Assert.False(report.Held);
        Assert.Contains($"left: 1 segments ({Seg})", report.Saw);
        checker.Observe(new SegmentFreed(Seg));
        Assert.Equal(0, checker.SegmentsAlive);
        Assert.True(checker.Final().Held);
    }

    [Fact]
    public void RefcountChecker_must_name_a_thread_group_that_never_stopped()
    {
        var checker = new RefcountChecker();
        checker.Observe(new ThreadGroupStarted(Owner));
        checker.Observe(new ThreadGroupStarted(Attacher));
        checker.Observe(new ThreadGroupStopped(Owner));
        Assert.Equal(1, checker.ThreadGroupsAlive);
        var report = checker.Final();
        Assert.False(report.Held);
        Assert.Contains($"1 thread groups ({Attacher})", report.Saw);
    }

    [Fact]
    public void RefcountChecker_must_never_report_a_breach_mid_run()
    {
        var checker = new RefcountChecker();
        Assert.Null(checker.Observe(new SegmentFreed(Seg)));
        Assert.Null(checker.Observe(new SegmentMade(Seg2)));
        Assert.Null(checker.Observe(new ThreadGroupStopped(Owner)));
    }
}
