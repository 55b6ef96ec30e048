// Proves the replies a thread group waits for: each continuation runs once, with its reply, only
// when its reply comes; a stale reply runs nothing; awaiting an id twice is a bug; a fan-out runs
// its continuation once, after the last reply. The monitor's in-flight checker and tap see each
// wait start and end, so a reply that never came shows.
using Emulator.Partitions;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Processes;
using Emulator.Protocol;
using Emulator.Protocol.Faults;
using Emulator.Protocol.Ids;
using Xunit;

namespace Emulator.Tests.Processes;

public sealed class PendingRepliesSpec
{
    private static readonly PartitionId P1 = new(1);

    private sealed record Answer(RequestId RequestId, string Text) : IReply;

    private static RequestId Id(long sequence) => new(P1, (7L << 32) | sequence);

    private static (PendingReplies Replies, MachineMonitor Monitor, List<MachineEvent> Seen) Make()
    {
        var monitor = new MachineMonitor();
        var seen = new List<MachineEvent>();
        monitor.Tap = seen.Add;
        var notes = IRequestNotes.Events(monitor.Observe);
        return (new PendingReplies(notes, IReplyDeadlines.None), monitor, seen);
    }

    [Fact]
    public void PendingReplies_must_run_the_continuation_with_its_reply_when_it_comes()
    {
        var (replies, monitor, seen) = Make();
        IReply? got = null;
        replies.Await(Id(1), "Segment.Recall", r => got = r);
        Assert.Null(got);
        Assert.Equal(1, replies.Count);
        Assert.Equal(1, monitor.InFlight.Count);
        Assert.Equal([new RequestStarted(Id(1), "Segment.Recall")], seen);

        var answer = new Answer(Id(1), "hello");
        Assert.True(replies.Resume(answer));
        Assert.Same(answer, got);
        Assert.Equal(0, replies.Count);
        Assert.Equal(0, monitor.InFlight.Count);
        Assert.Equal(new RequestEnded(Id(1)), seen[^1]);
        Assert.True(monitor.Final().Single(r => r.Name == monitor.InFlight.Name).Held);
    }

    [Fact]
    public void PendingReplies_must_match_each_reply_to_its_own_request()
    {
        var (replies, _, _) = Make();
        var got = new List<string>();
        replies.Await(Id(1), "a", r => got.Add($"1:{((Answer)r).Text}"));
        replies.Await(Id(2), "b", r => got.Add($"2:{((Answer)r).Text}"));
        Assert.True(replies.Resume(new Answer(Id(2), "second")));
        Assert.True(replies.Resume(new Answer(Id(1), "first")));
        Assert.Equal(["2:second", "1:first"], got);
    }

    [Fact]
    public void PendingReplies_must_drop_a_stale_reply_and_run_nothing()
    {
        var (replies, monitor, seen) = Make();
        var runs = 0;
        replies.Await(Id(1), "a", _ => runs++);
        Assert.False(replies.Resume(new Answer(Id(2), "nobody waits")));
        Assert.Equal(0, runs);
        Assert.Equal(1, monitor.InFlight.Count);
        Assert.True(replies.Resume(new Answer(Id(1), "x")));
        Assert.False(replies.Resume(new Answer(Id(1), "again")));
        Assert.Equal(1, runs);
        Assert.Single(seen.OfType<RequestEnded>());
    }

    [Fact]
    public void PendingReplies_must_refuse_to_await_an_id_already_awaited()
    {
        var (replies, monitor, _) = Make();
        var first = 0;
        replies.Await(Id(1), "a", _ => first++);
        var e = Assert.Throws<InvariantException>(() => replies.Await(Id(1), "b", _ => { }));
        Assert.Contains(Id(1).ToString(), e.Message);
        Assert.Equal(1, replies.Count);
        Assert.True(replies.Resume(new Answer(Id(1), "x")));
        Assert.Equal(1, first);
        Assert.Equal(0, monitor.InFlight.Count);
    }

    [Fact]
    public void PendingReplies_must_let_a_continuation_await_its_own_id_again()
    {
        // The wait is removed before the continuation runs: a retry may reuse the id.
        var (replies, _, _) = Make();
        var texts = new List<string>();
        replies.Await(Id(1), "a", r =>
        {
            texts.Add(((Answer)r).Text);
            replies.Await(Id(1), "a again", r2 => texts.Add(((Answer)r2).Text));
        });
        Assert.True(replies.Resume(new Answer(Id(1), "one")));
        Assert.Equal(1, replies.Count);
        Assert.True(replies.Resume(new Answer(Id(1), "two")));
        Assert.Equal(["one", "two"], texts);
    }

    [Fact]
    public void PendingReplies_must_run_a_fan_out_once_after_its_last_reply()
    {
        var (replies, monitor, seen) = Make();
        var runs = 0;
        replies.AwaitAll([Id(1), Id(2), Id(3)], "Segment.Recall", () => runs++);
        Assert.Equal(3, replies.Count);
        Assert.Equal(3, monitor.InFlight.Count);
        Assert.Equal(3, seen.OfType<RequestStarted>().Count(s => s.What == "Segment.Recall"));
        Assert.True(replies.Resume(new Answer(Id(3), "")));
        Assert.True(replies.Resume(new Answer(Id(1), "")));
        Assert.Equal(0, runs);
        Assert.False(replies.Resume(new Answer(Id(1), "")));
        Assert.Equal(0, runs);
        Assert.True(replies.Resume(new Answer(Id(2), "")));
        Assert.Equal(1, runs);
        Assert.Equal(0, monitor.InFlight.Count);
    }

    [Fact]
    public void PendingReplies_must_run_a_fan_out_of_nothing_at_once()
    {
        var (replies, _, seen) = Make();
        var runs = 0;
        replies.AwaitAll([], "Segment.Recall", () => runs++);
        Assert.Equal(1, runs);
        Assert.Equal(0, replies.Count);
        Assert.Empty(seen);
    }

    [Fact]
    public void PendingReplies_must_show_a_reply_that_never_came_as_in_flight()
    {
        var (replies, monitor, _) = Make();
        replies.Await(Id(4), "Fault.Pin", _ => { });
        var report = monitor.Final().Single(r => r.Name == monitor.InFlight.Name);
        Assert.False(report.Held);
        Assert.Contains("Fault.Pin", report.Saw);
        Assert.Contains(Id(4).ToString(), report.Saw);
    }

    [Fact]
    public void PendingReplies_must_expect_the_reply_type_the_request_wants()
    {
        IReply pinned = new Fault.Pinned(Id(1), 42);
        Assert.Equal(42, PendingReplies.Expect<Fault.Pinned>(pinned).PinId);
        var e = Assert.Throws<InvariantException>(() => PendingReplies.Expect<Answer>(pinned));
        Assert.Contains(nameof(Answer), e.Message);
        Assert.Contains(nameof(Fault.Pinned), e.Message);
    }

    [Fact]
    public void PendingReplies_must_arm_a_deadline_and_disarm_it_when_the_reply_comes()
    {
        var deadlines = new RecordingDeadlines();
        var replies = new PendingReplies(IRequestNotes.Events(new MachineMonitor().Observe),
            deadlines);
        IReply? got = null;
        replies.AwaitWithDeadline(Id(1), "Frames.Read", P1, reply => got = reply);
        replies.AwaitWithDeadline(Id(2), "Frames.Read", P1, reply => got = reply);
        Assert.Equal([Id(1), Id(2)], deadlines.Armed);

        Assert.True(replies.Resume(new Refused(Id(1), Errno.ENOENT)));
        Assert.Equal([Id(1)], deadlines.Disarmed);
        // The deadline itself: the continuation gets TimedOut (disarming a fired timer is a no-op).
        Assert.True(replies.Resume(new TimedOut(Id(2))));
        Assert.IsType<TimedOut>(got);
        // The real reply, after its deadline: stale.
        Assert.False(replies.Resume(new Refused(Id(2), Errno.ENOENT)));
    }

    [Fact]
    public void PendingReplies_must_end_what_waits_for_a_partition_that_went_down()
    {
        var replies = new PendingReplies(IRequestNotes.Events(new MachineMonitor().Observe),
            new RecordingDeadlines());
        var got = new List<IReply>();
        var p2 = new PartitionId(2);
        replies.AwaitWithDeadline(Id(3), "AccessPermit.Get", P1, got.Add);
        replies.AwaitWithDeadline(Id(1), "Process.Probe", p2, got.Add);
        replies.AwaitWithDeadline(Id(2), "Segment.Check", P1, got.Add);
        replies.Await(Id(4), "Segment.Remove", got.Add);

        replies.FailTo(P1);
        Assert.Equal([new TimedOut(Id(2)), new TimedOut(Id(3))], got);
        Assert.Equal(2, replies.Count);
    }

    private sealed class RecordingDeadlines : IReplyDeadlines
    {
        public List<RequestId> Armed { get; } = [];

        public List<RequestId> Disarmed { get; } = [];

        public object Arm(RequestId id)
        {
            Armed.Add(id);
            return id;
        }

        public void Disarm(object deadline) => Disarmed.Add((RequestId)deadline);
    }
}
