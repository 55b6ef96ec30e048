// Proves protocol-state coverage counts what a run reached (each fault-chain step, lock stage,
// attachment state the trace shows, nothing it does not), that coverage merges over runs (counts
// and runs add, reached is the union), that the explorer's way of observing (the machine's own
// messages and events, no trace file) counts exactly what the report's way (the trace read back)
// counts for the same run, that a real run's faults reach the segment's sema and the
// attachment's mutex (a mutex has no read stages), and that its HTML marks what was not reached.
using Akka.Actor;
using Emulator.Host.Reports;
using Emulator.Host.Reports.Coverage;
using Emulator.Host.Reports.Timeline;
using Emulator.Host.Runner;
using Emulator.Host.Scenarios;
using Emulator.Partitions;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Locks;
using Emulator.Partitions.Memory;
using Emulator.Partitions.Processes;
using Emulator.Partitions.Segments;
using Emulator.Partitions.Tracing;
using Emulator.Partitions.Xpc;
using Emulator.Protocol;
using Emulator.Protocol.Faults;
using Emulator.Protocol.Ids;
using Emulator.Tests.Examples;
using Xunit;
using CheckPinned = Emulator.Partitions.Checks.Pinned;

namespace Emulator.Tests.Reports;

public sealed class ProtocolCoverageSpec
{
    private static readonly PartitionId P0 = new(0);
    private static readonly PartitionId P1 = new(1);
    private static readonly TgId A = new(P0, 100);
    private static readonly TgId B = new(P1, 100);

    [Fact]
    public void ProtocolCoverage_must_count_what_a_run_reached()
    {
        var coverage = Observe(TraceText.RemoteFault());

        Assert.Equal(1, coverage.Runs);
        Assert.Equal(1, coverage.CountOf(CoverageArea.FaultChain, "started"));
        // Counted where the message arrives, not at each hop that carries it.
        Assert.Equal(1, coverage.CountOf(CoverageArea.FaultChain, "Pin at the segment"));
        Assert.Equal(3, coverage.CountOf(CoverageArea.FaultChain, "crossed partitions"));
        Assert.Equal(1, coverage.CountOf(CoverageArea.FaultChain, "FindPage at the owner"));
        Assert.Equal(1, coverage.CountOf(CoverageArea.FaultChain, "pinned"));
        Assert.Equal(2, coverage.CountOf(CoverageArea.FaultChain, "pinned for a remote attacher"));
        Assert.Equal(1, coverage.CountOf(CoverageArea.FaultChain, "done"));
        Assert.Equal(1, coverage.CountOf(CoverageArea.Attachment, "loaded through"));
        Assert.Equal(2, coverage.CountOf(CoverageArea.Lock, "mmap_sem held for read"));
        Assert.Equal(1, coverage.CountOf(CoverageArea.Lock, "mmap_sem waited for read"));
        Assert.Equal(2, coverage.CountOf(CoverageArea.Lock, "mmap_sem released"));
        Assert.False(coverage.Reached(CoverageArea.FaultChain, "lookup retried"));
        Assert.False(coverage.Reached(CoverageArea.FaultChain, "handed over"));
        Assert.False(coverage.Reached(CoverageArea.Lock, "mmap_sem held for write"));
        Assert.Equal(13, coverage.ReachedCount);
    }

    [Fact]
    public void ProtocolCoverage_must_count_the_sema_and_the_mutex_of_a_real_runs_faults()
    {
        var folder = Directory.CreateTempSubdirectory("xpmem-coverage-");
        try
        {
            var scenario = ScenarioParser.ParseFile(
                ExamplesSpec.RepositoryFolder(Path.Combine("examples", "quickstart.hocon")));
            var result = ScenarioRunner.Run(scenario, new RunOptions(1, folder.FullName));
            Assert.True(result.Passed, $"seed 1: {result.Failure}");
            var coverage = new ProtocolCoverage();
            new RunTimeline(coverage.ObserveTrace()).ReadAll(TraceFile.LinesOfText(
                File.ReadAllText(Path.Combine(folder.FullName, JsonlTrace.FileName))));

            // Four faults read the sema and install under the mutex; the teardown's remove
            // writes the sema and its detach takes the mutex.
            Assert.Equal(4, coverage.CountOf(CoverageArea.Lock, "seg->sema held for read"));
            Assert.Equal(1, coverage.CountOf(CoverageArea.Lock, "seg->sema held for write"));
            Assert.Equal(5, coverage.CountOf(CoverageArea.Lock, "seg->sema released"));
            Assert.Equal(5, coverage.CountOf(CoverageArea.Lock, "att->mutex held for write"));
            Assert.Equal(5, coverage.CountOf(CoverageArea.Lock, "att->mutex released"));
            Assert.DoesNotContain(CoverageCatalogue.Items, item => item.Name.StartsWith(
                "att->mutex", StringComparison.Ordinal) && item.Name.Contains("for read"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void ProtocolCoverage_must_merge_runs_into_their_sum()
    {
        var remote = Observe(TraceText.RemoteFault());
        var refused = Observe(RefusedAfterRetry());

        var merged = new ProtocolCoverage();
        merged.Merge(remote);
        merged.Merge(refused);

        Assert.Equal(2, merged.Runs);
        Assert.Equal(2, merged.CountOf(CoverageArea.FaultChain, "started"));
        Assert.Equal(1, merged.CountOf(CoverageArea.FaultChain, "lookup retried"));
        // Refused twice: the owner to the segment, the segment to the fault actor.
        Assert.Equal(2, merged.CountOf(CoverageArea.FaultChain, "refused"));
        Assert.Equal(2, merged.CountOf(CoverageArea.Lock, "mmap_sem held for read"));
        Assert.Equal(1, merged.CountOf(CoverageArea.Lock, "mmap_sem stopped waiting"));
        var union = ProtocolCoverage.ItemCount - CoverageCatalogue.Items.Select((item, index) => index)
            .Count(index => remote.Counts().ElementAt(index).Count == 0
                && refused.Counts().ElementAt(index).Count == 0);
        Assert.Equal(union, merged.ReachedCount);
    }

    [Fact]
    public void CoverageTrace_must_count_as_the_trace_read_back_counts()
    {
        var (deliveries, events) = RemoteRun();
        var live = new ProtocolCoverage();
        var trace = live.ObserveRun();
        var written = JsonlTrace.InMemory(() => TimeSpan.Zero);
        written.Begin(JsonlTraceSpec.Header());
        foreach (var step in deliveries.Zip(events))
        {
            trace.Delivered(step.First.Actor, step.First.Message);
            written.Delivered(step.First.Actor, step.First.Message);
            foreach (var @event in step.Second)
            {
                trace.Event(step.First.Actor, @event);
                written.Event(step.First.Actor, @event);
            }
        }
        var text = written.End(JsonlTraceSpec.Verdict())!;
        var read = new ProtocolCoverage();
        new RunTimeline(read.ObserveTrace()).ReadAll(TraceFile.LinesOfText(text));

        Assert.True(live.ReachedCount >= 20, $"only {live.ReachedCount} items reached");
        Assert.Equal(read.Counts().Select(c => $"{c.Item.Area}: {c.Item.Name} {c.Count}"),
            live.Counts().Select(c => $"{c.Item.Area}: {c.Item.Name} {c.Count}"));
    }

    [Fact]
    public void ProtocolCoverage_must_mark_what_no_run_reached()
    {
        var coverage = Observe(TraceText.RemoteFault());

        var html = new StringWriter();
        coverage.WriteHtml(html);

        var text = html.ToString();
        Assert.Contains($"<b>13 of {ProtocolCoverage.ItemCount}</b>", text);
        Assert.Contains("<tr class=\"missed\"><td>lookup retried</td>", text);
        Assert.Contains("<tr class=\"reached\"><td>crossed partitions</td>", text);
        Assert.Contains("mmap_sem held for read</td><td>a task held it for read</td><td>2</td>",
            text);
    }

    private static ProtocolCoverage Observe(TraceText text)
    {
        var coverage = new ProtocolCoverage();
        new RunTimeline(coverage.ObserveTrace()).ReadAll(text.Lines());
        return coverage;
    }

    /// <summary>
    /// A fault on the owner's own partition whose lookup an invalidation sent round twice, then
    /// refused; its wait for the owner's mm given up.
    /// </summary>
    private static TraceText RefusedAfterRetry()
    {
        const string pin = "\"request_id\":\"p0/100.2\",\"source_address\":\"0x10000\","
            + "\"attacher\":\"p0/100\",\"attachment\":1,\"reply_to\":\"p0/tg-100/fault-2\"";
        var call = new LockTask(A, new RequestId(P0, 2));
        return new TraceText().Header("Sim", 1, ("a", "p0", "p0/100"))
            .Event(0, "p0/tg-100", "fault_started", "\"attacher\":\"p0/100\",\"address\":\"0x0\"")
            .Deliver(100, "p0/tg-101/seg-1", "Pin", pin)
            .Deliver(200, "p0/tg-101", "FindPage", "\"request_id\":\"p0/100.2\"")
            .Event(200, "p0/tg-101", new LockWaiting(LockId.Mm(new TgId(P0, 101)), call,
                LockMode.Read))
            .Event(250, "p0/tg-101", new LockReleased(LockId.Mm(new TgId(P0, 101)), call))
            .Deliver(300, "p0/tg-101", "FindPage", "\"request_id\":\"p0/100.2\"")
            .Deliver(400, "p0/tg-101/seg-1", "Refused", "\"request_id\":\"p0/100.2\",\"errno\":\"ENOENT\"")
            .Deliver(500, "p0/tg-100/fault-2", "Refused", "\"request_id\":\"p0/100.2\",\"errno\":\"ENOENT\"")
            .Verdict();
    }

    /// <summary>
    /// The remote fault of <see cref="TraceText.RemoteFault"/> as the machine's own objects:
    /// each delivery with the events its handler emitted.
    /// </summary>
    private static (List<(string Actor, object Message)>, List<ITraceEvent[]>) RemoteRun()
    {
        var nobody = new Endpoint(P0, ActorRefs.Nobody);
        var chain = TraceText.Chain;
        var second = new RequestId(P0, (100L << 32) | 2);
        var task = TraceText.Call;
        var other = new LockTask(A, new RequestId(P0, 2));
        var pin = new Fault.Pin(chain, 0x20000, A, 1, nobody, default, OwnerMm.Same);
        var pinned = new Fault.Pinned(chain, 1);
        var done = new Fault.Done(chain);
        const string seg = "/user/machine/p1/tg-100/seg-1";
        const string owner = "/user/machine/p1/tg-100";
        const string fault = "/user/machine/p0/tg-100/fault-1";
        var deliveries = new List<(string, object)>
        {
            ("/user/machine/xpc-p0", new XpcActor.Carry(P0, nobody, pin)),
            ("/user/machine/xpc-p1", new XpcActor.Sequenced(P0, 1, 1, 0, nobody, pin)),
            (seg, pin),
            (owner, new ThreadGroupActor.FindPage(chain, 0x20000, ActorRefs.Nobody, task, OwnerMm.Wait)),
            (owner, new ThreadGroupActor.FindPage(chain, 0x20000, ActorRefs.Nobody, task, OwnerMm.Wait)),
            (seg, new ThreadGroupActor.PageFound(chain, new Page(5))),
            ("/user/machine/xpc-p1", new XpcActor.Carry(P1, nobody, pinned)),
            ("/user/machine/xpc-p0", new XpcActor.Sequenced(P1, 1, 1, 1, nobody, pinned)),
            (fault, pinned),
            ("/user/machine/p0/tg-100", pinned),
            ("/user/machine/xpc-p0", new XpcActor.Carry(P0, nobody, done)),
            (seg, done),
            ("/user/machine/p0/tg-100/seg-1", new Fault.Pin(second, 0x10000, A, 2, nobody, default,
                OwnerMm.Same)),
            ("/user/machine/p0/tg-100/fault-2", new Refused(second, Errno.ENOENT)),
            ("/user/machine/p0/tg-100/fault-2", new Fault.Abandon(second)),
            ("/user/machine/p0/tg-100", new SegmentActor.LocalPinned(second, 2, new Page(6))),
        };
        List<ITraceEvent[]> events =
        [
            [new FaultStarted(A, 0x7f0000000000), new LockAcquired(TraceText.MmOfA, task, LockMode.Read)],
            [],
            [new LockWaiting(TraceText.MmOfB, task, LockMode.Read)],
            [new LockAcquired(TraceText.MmOfB, task, LockMode.Read)],
            [],
            [new LockReleased(TraceText.MmOfB, task), new CheckPinned(
                new SegId(XpmemId.Compose(P1, 100, 1)), 1, 0x20000, 5, A, 1, chain)],
            [],
            [new PeerStateChanged(P0, P1, PeerState.GoingDown)],
            [],
            [new Accessed(A, 1, new SegId(XpmemId.Compose(P1, 100, 1)), B, 0x20000, 5, Write: true),
                new LockReleased(TraceText.MmOfA, task)],
            [new LockWaiting(LockId.Mm(A), other, LockMode.Write)],
            [new SegmentRemoved(new SegId(XpmemId.Compose(P1, 100, 1)))],
            [new LockReleased(LockId.Mm(A), other)],
            [new ProcessExited(Signal.SIGBUS)],
            [],
            [new AttachmentUnmapped(A, 1)],
        ];
        return (deliveries, events);
    }
}
