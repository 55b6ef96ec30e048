// Proves trace.chrome.json has what Perfetto needs to draw the run: a named process per
// partition and a named thread track per actor; each delivery a slice on its actor's track and no
// two slices of one track crossing; events as instants; the fault chain as one flow that starts
// at fault_started on the faulting thread group and ends at the segment's Done, every point of it
// inside a slice of its own track; the call as a slice on a thread track of its process; each lock
// visit (the wait, then the hold) as slices on a lock track of its holder. Fed by a trace written
// by hand, with lock events built from the records the actors emit.
using System.Text.Json;
using Emulator.Host.Reports.Chrome;
using Emulator.Host.Reports.Timeline;
using Xunit;

namespace Emulator.Tests.Reports;

public sealed class ChromeTraceSpec
{
    [Fact]
    public void ChromeTrace_must_name_a_process_per_partition_and_a_track_per_actor()
    {
        var trace = Write(TraceText.RemoteFault());

        Assert.Equal(["partition p0", "partition p1"],
            trace.Metadata("process_name").Select(m => m.Name).Order());
        var tracks = trace.Metadata("thread_name").Select(m => m.Name).ToHashSet();
        Assert.Superset(new HashSet<string>
        {
            "p0", "p0/tg-100 (a)", "p0/tg-100/faults (a)", "xpc-p0", "xpc-p1", "p1/tg-100 (b)",
            "p1/tg-100/seg-1", "a (p0/tg-100) thread 1", "a (p0/tg-100) locks 1",
            "a (p0/tg-100) locks 2",
        }, tracks);
        Assert.Equal(trace.Metadata("thread_name").Count,
            trace.Metadata("thread_name").Select(m => (m.Pid, m.Tid)).Distinct().Count());
    }

    [Fact]
    public void ChromeTrace_must_draw_each_delivery_as_a_slice_of_its_actors_track()
    {
        var trace = Write(TraceText.RemoteFault());

        var deliveries = trace.Events("X").Where(e => e.Category.StartsWith("deliver")).ToList();
        Assert.Equal(14, deliveries.Count);
        var pin = deliveries.Single(e => e.Name == "Pin");
        Assert.Equal(("p1/tg-100/seg-1", 1.3, 0.1), (trace.TrackName(pin), pin.Ts, pin.Duration));
        // A packet between XPC endpoints costs what the header says (1000 ns).
        var packet = deliveries.First(e => e.Name == "Pin via Sequenced");
        Assert.Equal(1.0, packet.Duration);
        Assert.Equal("p0/100.1", packet.Args.GetProperty("message").GetProperty("request_id")
            .GetString());
        trace.AssertNoTrackCrosses();
        Assert.Equal(["accessed", "fault_started", "pinned"],
            trace.Events("i").Select(e => e.Name).Order());
    }

    [Fact]
    public void ChromeTrace_must_draw_the_fault_chain_as_one_flow_bound_to_its_deliveries()
    {
        var trace = Write(TraceText.RemoteFault());

        var flow = trace.Events("s").Concat(trace.Events("t")).Concat(trace.Events("f"))
            .OrderBy(e => e.Ts).ThenBy(e => e.Phase == "s" ? 0 : e.Phase == "t" ? 1 : 2)
            .ToList();
        Assert.All(flow, e => Assert.Equal(1, e.Id));
        Assert.Equal("s", flow[0].Phase);
        Assert.Equal(("p0/tg-100 (a)", 0.1), (trace.TrackName(flow[0]), flow[0].Ts));
        Assert.Equal("f", flow[^1].Phase);
        Assert.Equal(("p1/tg-100/seg-1", 4.0), (trace.TrackName(flow[^1]), flow[^1].Ts));
        // fault_started, then every one of the chain's 12 deliveries.
        Assert.Equal(13, flow.Count);
        Assert.All(flow, point => Assert.True(trace.InsideSlice(point),
            $"flow point at {point.Ts} µs on {trace.TrackName(point)} is in no slice there"));
    }

    [Fact]
    public void ChromeTrace_must_draw_calls_and_lock_visits_on_their_processes_tracks()
    {
        var trace = Write(TraceText.RemoteFault());

        var call = trace.Events("X").Single(e => e.Category == "call");
        Assert.Equal(("a: read32 at => 0", "a (p0/tg-100) thread 1", 0.0, 2.8),
            (call.Name, trace.TrackName(call), call.Ts, call.Duration));
        Assert.Equal("ok 0x0", call.Args.GetProperty("outcome").GetString());
        var locks = trace.Events("X").Where(e => e.Category == "lock")
            .Select(e => (e.Name, trace.TrackName(e), e.Ts, e.Duration)).Order().ToList();
        Assert.Equal(
        [
            // Lanes are handed out as visits end: the short one on b's mm ended first.
            ("mmap_sem of p0/100 (Read)", "a (p0/tg-100) locks 2", 0.1, 2.7),
            ("mmap_sem of p1/100 (Read)", "a (p0/tg-100) locks 1", 1.4, 0.1),
            ("wait mmap_sem of p1/100 (Read)", "a (p0/tg-100) locks 1", 1.3, 0.1),
        ], locks);
    }

    [Fact]
    public void ChromeTrace_must_say_the_run_and_its_verdict()
    {
        var trace = Write(TraceText.RemoteFault());

        var other = trace.Root.GetProperty("otherData");
        Assert.Equal(("by hand", 7, true), (other.GetProperty("scenario").GetString(),
            other.GetProperty("seed").GetInt32(), other.GetProperty("held").GetBoolean()));
    }

    internal static ChromeFile Write(TraceText text)
    {
        var output = new MemoryStream();
        using (var chrome = new ChromeTrace(output))
        {
            new RunTimeline(chrome).ReadAll(text.Lines());
        }
        return new ChromeFile(JsonDocument.Parse(output.ToArray()).RootElement.Clone());
    }

    /// <summary>A Chrome trace read back, with the questions the specs ask of it.</summary>
    internal sealed class ChromeFile(JsonElement root)
    {
        public JsonElement Root { get; } = root;

        public List<ChromeEvent> All { get; } = [.. root.GetProperty("traceEvents")
            .EnumerateArray().Select(ChromeEvent.Of)];

        public List<ChromeEvent> Events(string phase) => [.. All.Where(e => e.Phase == phase)];

        public List<(int Pid, int Tid, string Name)> Metadata(string name) =>
        [
            .. Events("M").Where(e => e.Name == name)
                .Select(e => (e.Pid, e.Tid, e.Args.GetProperty("name").GetString()!)),
        ];

        public string TrackName(ChromeEvent e) =>
            Metadata("thread_name").Single(m => m.Pid == e.Pid && m.Tid == e.Tid).Name;

        /// <summary>Perfetto's reading of ts: microseconds, rounded to nanoseconds.</summary>
        public static long Ns(double micros) => (long)Math.Round(micros * 1000);

        public bool InsideSlice(ChromeEvent point) => Events("X").Any(x =>
            x.Pid == point.Pid && x.Tid == point.Tid && Ns(x.Ts) <= Ns(point.Ts)
            && Ns(point.Ts) <= Ns(x.Ts) + Ns(x.Duration));

        /// <summary>Slices of one track nest or follow each other; none crosses another.</summary>
        public void AssertNoTrackCrosses()
        {
            foreach (var track in Events("X").GroupBy(e => (e.Pid, e.Tid)))
            {
                var open = new Stack<(long Start, long End, string Name)>();
                foreach (var slice in track.OrderBy(e => Ns(e.Ts)).ThenByDescending(e => e.Duration))
                {
                    var (start, end) = (Ns(slice.Ts), Ns(slice.Ts) + Ns(slice.Duration));
                    while (open.Count > 0 && open.Peek().End <= start) open.Pop();
                    if (open.TryPeek(out var outer) && end > outer.End)
                        Assert.Fail($"{slice.Name} [{start}, {end}] crosses {outer.Name} on "
                            + $"{TrackName(slice)}");
                    open.Push((start, end, slice.Name));
                }
            }
        }
    }

    internal sealed record ChromeEvent(string Phase, string Name, string Category, int Pid,
        int Tid, double Ts, double Duration, long? Id, JsonElement Args)
    {
        public static ChromeEvent Of(JsonElement e) => new(
            e.GetProperty("ph").GetString()!,
            e.TryGetProperty("name", out var name) ? name.GetString()! : "",
            e.TryGetProperty("cat", out var category) ? category.GetString()! : "",
            e.GetProperty("pid").GetInt32(),
            e.TryGetProperty("tid", out var tid) ? tid.GetInt32() : 0,
            e.TryGetProperty("ts", out var ts) ? ts.GetDouble() : 0,
            e.TryGetProperty("dur", out var duration) ? duration.GetDouble() : 0,
            e.TryGetProperty("id", out var id) ? id.GetInt64() : null,
            e.TryGetProperty("args", out var args) ? args : default);
    }
}
