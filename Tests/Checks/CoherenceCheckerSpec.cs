// Proves the coherence checker on synthetic events: an access to the frame the owner maps at the
// source page is fine; one to a frame the owner replaced (a copy-on-write break) or dropped is a
// breach naming attacher, attachment, owner and both frames; the shadow page table is per
// process, and an unmap of a frame no longer mapped there leaves the current one alone.
using Emulator.Partitions.Checks;
using Xunit;
using static Emulator.Tests.Checks.CheckEvents;

namespace Emulator.Tests.Checks;

public sealed class CoherenceCheckerSpec
{
    [Fact]
    public void CoherenceChecker_must_pass_an_access_to_the_frame_the_owner_maps()
    {
        var checker = new CoherenceChecker();
        Assert.Null(checker.Observe(new PageMapped(Owner, Source, 7)));
        Assert.Null(checker.Observe(Access(1, 7)));
        Assert.Null(checker.Observe(Access(1, 7, write: true)));
        var report = checker.Final();
        Assert.True(report.Held);
        Assert.Contains("2 accesses", report.Saw);
    }

    [Fact]
    public void CoherenceChecker_must_catch_an_access_to_a_frame_the_owner_replaced()
    {
        var checker = new CoherenceChecker();
        checker.Observe(new PageMapped(Owner, Source, 7));
        // Copy-on-write break in the owner: frame 7 out, frame 8 in.
        checker.Observe(new PageUnmapped(Owner, Source, 7));
        checker.Observe(new PageMapped(Owner, Source, 8));
        Assert.Null(checker.Observe(Access(1, 8)));
        var breach = checker.Observe(Access(3, 7, write: true));
        Assert.NotNull(breach);
        Assert.Equal(Attacher, breach.Process);
        Assert.Contains($"{Attacher} stored to frame 7", breach.What);
        Assert.Contains("attachment 3", breach.What);
        Assert.Contains($"owner {Owner} maps frame 8", breach.What);
        Assert.Contains($"0x{Source:x}", breach.What);
        Assert.False(checker.Final().Held);
    }

    [Fact]
    public void CoherenceChecker_must_catch_an_access_to_a_page_the_owner_unmapped()
    {
        var checker = new CoherenceChecker();
        checker.Observe(new PageMapped(Owner, Source, 7));
        checker.Observe(new PageUnmapped(Owner, Source, 7));
        var breach = checker.Observe(Access(1, 7));
        Assert.NotNull(breach);
        Assert.Contains("loaded from frame 7", breach.What);
        Assert.Contains("maps nothing there", breach.What);
        Assert.NotNull(checker.Observe(Access(1, 7, sourcePage: Source + 0x1000)));
        Assert.Contains("2 to a frame the owner did not map", checker.Final().Saw);
    }

    [Fact]
    public void CoherenceChecker_must_keep_the_current_frame_when_an_older_one_is_unmapped()
    {
        var checker = new CoherenceChecker();
        checker.Observe(new PageMapped(Owner, Source, 8));
        checker.Observe(new PageUnmapped(Owner, Source, 7));
        Assert.Null(checker.Observe(Access(1, 8)));
    }

    [Fact]
    public void CoherenceChecker_must_keep_a_shadow_page_table_per_process()
    {
        var checker = new CoherenceChecker();
        // The attacher (another process) maps frame 7 at the same address: not the owner's page.
        checker.Observe(new PageMapped(Attacher, Source, 7));
        Assert.NotNull(checker.Observe(Access(1, 7)));
        checker.Observe(new PageMapped(Owner, Source, 7));
        checker.Observe(new PageUnmapped(Attacher, Source, 7));
        Assert.Null(checker.Observe(Access(1, 7)));
    }

    [Fact]
    public void CoherenceChecker_must_ignore_events_it_does_not_judge()
    {
        var checker = new CoherenceChecker();
        Assert.Null(checker.Observe(new SegmentRemoved(Seg)));
        Assert.Null(checker.Observe(Mapped(1)));
        Assert.True(checker.Final().Held);
        Assert.Contains("0 accesses", checker.Final().Saw);
    }
}
