// Proves how the reports read a trace back: each line's innermost message and request id, a
// sender inferred for every delivery of a fault chain across partitions (the trace names only
// receivers), the chain found and matched with its fault_started, calls, lock visits and faults
// paired into spans with both ends, spans still open at the end handed over as not ended, and a
// trace line that is not JSON named by its line number. The traces are written by hand.
using Emulator.Host.Reports;
using Emulator.Host.Reports.Timeline;
using Xunit;

namespace Emulator.Tests.Reports;

public sealed class RunTimelineSpec
{
    [Fact]
    public void TraceFile_must_read_the_innermost_message_of_a_carried_one()
    {
        var carry = TraceText.RemoteFault().Lines().First(l => l.Type == "Sequenced");

        Assert.Equal("Pin", carry.MessageType);
        Assert.Equal("p0/100.1", carry.RequestId);
        Assert.Equal("xpc-p1", carry.Actor);
        Assert.Equal(300, carry.TimeNs);
    }

    [Fact]
    public void TraceFile_must_name_the_line_that_is_not_json()
    {
        var text = TraceText.RemoteFault().ToString().Replace("\"seq\":5,", "\"seq\":5,,");

        var error = Assert.Throws<InvalidDataException>(() => TraceFile.LinesOfText(text).Count());

        Assert.StartsWith("(trace text):6: not a trace line", error.Message);
    }

    [Fact]
    public void TraceFile_must_read_a_line_longer_than_its_buffer()
    {
        var detail = new string('x', 200_000);
        var text = new TraceText().Header().Event(0, "p0", "note", $"\"detail\":\"{detail}\"")
            .Verdict().ToString();

        var lines = TraceFile.LinesOfText(text).Select(l => (l.Kind, l.Json.ToString().Length))
            .ToList();

        Assert.Equal(["header", "note", "verdict"], lines.Select(l => l.Kind));
        Assert.True(lines[1].Length > 200_000, $"the long line read as {lines[1].Length} chars");
    }

    [Fact]
    public void RunTimeline_must_infer_each_hop_of_a_fault_chain_from_its_sender()
    {
        var seen = Read(TraceText.RemoteFault());

        // receiver ← sender, in delivery order: out through both XPC endpoints, the owner's
        // lookup, back through XPC to the fault actor and its thread group, then Done.
        Assert.Equal(
        [
            "p0 ← runner",
            "p0/tg-100 ← p0",
            "xpc-p0 ← p0/tg-100/fault-1",
            "xpc-p1 ← xpc-p0",
            "p1/tg-100/seg-1 ← xpc-p1",
            "p1/tg-100 ← p1/tg-100/seg-1",
            "p1/tg-100/seg-1 ← p1/tg-100",
            "xpc-p1 ← p1/tg-100/seg-1",
            "xpc-p0 ← xpc-p1",
            "p0/tg-100/fault-1 ← xpc-p0",
            "p0/tg-100 ← p0/tg-100/fault-1",
            "xpc-p0 ← p0/tg-100",
            "xpc-p1 ← xpc-p0",
            "p1/tg-100/seg-1 ← xpc-p1",
        ], seen.Deliveries.Select(d => $"{d.Actor} ← {d.Sender}"));
    }

    [Fact]
    public void RunTimeline_must_group_a_fault_chain_and_time_it_from_fault_started()
    {
        var seen = Read(TraceText.RemoteFault());

        var chained = seen.Deliveries.Where(d => d.Chain is not null).ToList();
        Assert.Equal(12, chained.Count);
        Assert.All(chained, d => Assert.Equal("p0/100.1", d.Chain!.RequestId));
        Assert.Equal((4L, 100L, "p0/tg-100"), chained[0].Chain!.Started);
        var fault = Assert.Single(seen.Faults);
        Assert.Equal("fault, across partitions", fault.Kind);
        Assert.Equal((100, 2800), (fault.StartNs, fault.EndNs));
    }

    [Fact]
    public void RunTimeline_must_pair_a_call_and_each_lock_visit_into_spans()
    {
        var seen = Read(TraceText.RemoteFault());

        var call = Assert.Single(seen.Calls);
        Assert.Equal(("read", "a", "p0/tg-100", 0L, 2800L, "ok 0x0", true),
            (call.Kind, call.Process, call.ThreadGroup, call.StartNs, call.EndNs, call.Outcome,
                call.Ended));
        Assert.Equal(2, seen.Locks.Count);
        var owners = seen.Locks.Single(l => l.Lock == "mmap_sem of p1/100");
        Assert.Equal(("Read", "p0/100 (call p0/0.1)", "p0/tg-100", 1300L, 1400L, 1500L, true),
            (owners.Mode, owners.Task, owners.Holder, owners.WaitNs, owners.AcquiredNs,
                owners.EndNs, owners.Released));
        var own = seen.Locks.Single(l => l.Lock == "mmap_sem of p0/100");
        Assert.Equal((null, 100L, 2800L), (own.WaitNs, own.AcquiredNs, own.EndNs));
        Assert.True(seen.Verdict!.Held);
    }

    [Fact]
    public void RunTimeline_must_end_what_the_trace_left_open()
    {
        // Cut right after the owner's mm was granted: the call and both locks are open.
        var text = string.Join('\n', TraceText.RemoteFault().ToString().Split('\n')
            .TakeWhile(l => !l.Contains("\"kind\":\"deliver\",\"type\":\"PageFound\"")));

        var seen = Read(TraceFile.LinesOfText(text));

        var call = Assert.Single(seen.Calls);
        Assert.False(call.Ended);
        Assert.Equal(1400, call.EndNs);
        Assert.Equal(2, seen.Locks.Count);
        Assert.All(seen.Locks, l => Assert.False(l.Released));
        Assert.Null(seen.Verdict);
        Assert.True(seen.Ended);
    }

    private static Recorder Read(TraceText text) => Read(text.Lines());

    private static Recorder Read(IEnumerable<TraceLine> lines)
    {
        var recorder = new Recorder();
        new RunTimeline(recorder).ReadAll(lines);
        return recorder;
    }

    private sealed class Recorder : ITimelineView
    {
        public List<Delivery> Deliveries { get; } = [];

        public List<CallSpan> Calls { get; } = [];

        public List<LockSpan> Locks { get; } = [];

        public List<FaultSpan> Faults { get; } = [];

        public RunVerdict? Verdict { get; private set; }

        public bool Ended { get; private set; }

        public void Delivered(Delivery delivery, TraceLine line) => Deliveries.Add(delivery);

        public void CallEnded(CallSpan call) => Calls.Add(call);

        public void LockLeft(LockSpan visit) => Locks.Add(visit);

        public void FaultAnswered(FaultSpan fault) => Faults.Add(fault);

        public void End(RunVerdict? verdict) => (Verdict, Ended) = (verdict, true);
    }
}
