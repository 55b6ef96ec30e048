// Proves the no-access-through-the-dead checker on synthetic events: accesses through a mapped
// attachment of a live segment are fine, and so is a remote one landing after its attacher
// unmapped (sent before); a local one through a detached attachment, one through an unknown
// attachment, through one of
// a removed segment, or a store through one made with a RDONLY permit is a breach, and so is the
// attachment made through that permit. A segid that comes back after removal, used by a NEW
// attachment, is fine, and the old attachment's later unmap does not disturb the new one.
using Emulator.Partitions.Checks;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Xunit;
using static Emulator.Tests.Checks.CheckEvents;

namespace Emulator.Tests.Checks;

public sealed class DeadAccessCheckerSpec
{
    [Fact]
    public void DeadAccessChecker_must_pass_loads_and_stores_through_a_live_attachment()
    {
        var checker = new DeadAccessChecker();
        Assert.Null(checker.Observe(Mapped(1)));
        Assert.Null(checker.Observe(Access(1, 7)));
        Assert.Null(checker.Observe(Access(1, 7, write: true)));
        var report = checker.Final();
        Assert.True(report.Held);
        Assert.Equal("1 attachment, 2 accesses through them, 0 through the dead", report.Saw);
    }

    [Fact]
    public void DeadAccessChecker_must_catch_a_local_access_through_a_detached_attachment()
    {
        var checker = new DeadAccessChecker();
        var local = new TgId(Owner.Partition, 300);
        checker.Observe(Mapped(1, attacher: local));
        Assert.Null(checker.Observe(new AttachmentUnmapped(local, 1)));
        var breach = checker.Observe(Access(1, 7, write: true, attacher: local));
        Assert.NotNull(breach);
        Assert.Equal(local, breach.Process);
        Assert.Contains($"{local} stored through attachment 1", breach.What);
        Assert.Contains("detached", breach.What);
        Assert.False(checker.Final().Held);
    }

    [Fact]
    public void DeadAccessChecker_must_let_a_remote_access_sent_before_the_detach_land_after_it()
    {
        // explore examples/parallel-cross-faults.hocon --timers race --seed 1, schedule 32: a
        // store's reply deadline passed, its process exited and unmapped, and the store, still
        // on the link, landed on the owner's still-pinned page after.
        var checker = new DeadAccessChecker();
        checker.Observe(Mapped(1));
        checker.Observe(new AttachmentUnmapped(Attacher, 1));
        Assert.Null(checker.Observe(Access(1, 7, write: true)));
        Assert.Null(checker.Observe(Access(1, 7)));
        Assert.NotNull(checker.Observe(Access(2, 7, write: true)));
    }

    [Fact]
    public void DeadAccessChecker_must_let_a_crashed_attachers_last_stores_land_but_no_others()
    {
        var checker = new DeadAccessChecker();
        checker.Observe(Mapped(1));
        checker.Observe(new PartitionCrashed(Attacher.Partition));
        // Sent before the crash, applied by the owner's segment after it.
        Assert.Null(checker.Observe(Access(1, 7, write: true)));
        Assert.NotNull(checker.Observe(Access(2, 7, write: true)));
    }

    [Fact]
    public void DeadAccessChecker_must_catch_an_access_through_an_attachment_it_never_saw()
    {
        var checker = new DeadAccessChecker();
        checker.Observe(Mapped(1));
        Assert.NotNull(checker.Observe(Access(2, 7)));
        // Attachment ids are per attacher: another process's attachment 1 is not this one.
        Assert.NotNull(checker.Observe(Access(1, 7, attacher: Other)));
    }

    [Fact]
    public void DeadAccessChecker_must_catch_an_access_through_an_attachment_of_a_removed_segment()
    {
        var checker = new DeadAccessChecker();
        checker.Observe(Mapped(1));
        checker.Observe(Mapped(2, segment: Seg2));
        Assert.Null(checker.Observe(new SegmentRemoved(Seg)));
        var breach = checker.Observe(Access(1, 7));
        Assert.NotNull(breach);
        Assert.Contains($"{Attacher} loaded through attachment 1 of segment {Seg}", breach.What);
        Assert.Contains("removed", breach.What);
        Assert.Null(checker.Observe(Access(2, 8, segment: Seg2)));
    }

    [Fact]
    public void DeadAccessChecker_must_pass_a_new_attachment_of_a_segid_reused_after_removal()
    {
        var checker = new DeadAccessChecker();
        checker.Observe(Mapped(1));
        checker.Observe(new SegmentRemoved(Seg));
        // close and a new open: the same segid names a new segment, attached anew as 2.
        checker.Observe(Mapped(2));
        Assert.Null(checker.Observe(Access(2, 9)));
        Assert.NotNull(checker.Observe(Access(1, 7)));
        // The old attachment goes; the new one stays live...
        checker.Observe(new AttachmentUnmapped(Attacher, 1));
        Assert.Null(checker.Observe(Access(2, 9, write: true)));
        // ...until the new incarnation is removed in turn.
        checker.Observe(new SegmentRemoved(Seg));
        Assert.NotNull(checker.Observe(Access(2, 9)));
    }

    [Fact]
    public void DeadAccessChecker_must_not_mark_a_later_attachment_by_an_earlier_detach()
    {
        var checker = new DeadAccessChecker();
        checker.Observe(Mapped(1));
        checker.Observe(new AttachmentUnmapped(Attacher, 1));
        checker.Observe(Mapped(2));
        checker.Observe(new AttachmentUnmapped(Attacher, 2));
        checker.Observe(Mapped(3));
        Assert.Null(checker.Observe(Access(3, 1)));
        checker.Observe(new SegmentRemoved(Seg));
        Assert.NotNull(checker.Observe(Access(3, 1)));
        Assert.Null(checker.Observe(new AttachmentUnmapped(Attacher, 3)));
        Assert.Equal("3 attachments, 2 accesses through them, 1 through the dead",
            checker.Final().Saw);
    }

    [Fact]
    public void DeadAccessChecker_must_catch_an_attachment_made_through_a_rdonly_permit()
    {
        var checker = new DeadAccessChecker();
        var breach = checker.Observe(Mapped(1, flags: Xpmem.RdOnly));
        Assert.NotNull(breach);
        Assert.Equal(Attacher, breach.Process);
        Assert.Contains("RDONLY", breach.What);
        Assert.Contains($"segment {Seg}", breach.What);
        Assert.Contains($"permit {Permit}", breach.What);
    }

    [Fact]
    public void DeadAccessChecker_must_catch_a_store_but_not_a_load_through_a_rdonly_attachment()
    {
        var checker = new DeadAccessChecker();
        checker.Observe(Mapped(1, flags: Xpmem.RdOnly));
        Assert.Null(checker.Observe(Access(1, 7)));
        var breach = checker.Observe(Access(1, 7, write: true));
        Assert.NotNull(breach);
        Assert.Contains("stored through attachment 1, made with a RDONLY permit", breach.What);
        Assert.Contains("2 through the dead", checker.Final().Saw);
    }
}
