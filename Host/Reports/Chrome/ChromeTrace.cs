using System.Text.Encodings.Web;
using System.Text.Json;
using Emulator.Host.Reports.Timeline;

namespace Emulator.Host.Reports.Chrome;

/// <summary>
/// The run as a Chrome trace-event file (<c>trace.chrome.json</c>, the JSON object form), which
/// Perfetto (ui.perfetto.dev) and chrome://tracing open: a process per partition (and one for the
/// runner), a thread track per actor (a thread group's fault actors share one), each delivery a
/// slice, every other event an instant, each call a slice on a track of its process's threads,
/// each lock visit (its wait, then its hold) a slice on a lock track of its holder, and each fault
/// chain a flow (<c>s</c>, <c>t</c>..., <c>f</c>) from the faulting thread group through the
/// segment and the owner and back. Streams as it reads: memory stays bounded by the open chains
/// and tracks, not the trace. Times are in microseconds, as the format wants.
/// </summary>
public sealed class ChromeTrace : ITimelineView, IDisposable
{
    public const string FileName = "trace.chrome.json";

    /// <summary>
    /// A delivery's slice in live and cluster runs, where the trace has no cost for it: short,
    /// and cut where the actor's next delivery begins.
    /// </summary>
    private const long LiveDeliveryNs = 1000;

    private const int FlushBytes = 1 << 16;

    private static readonly JsonWriterOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly Utf8JsonWriter _json;
    private readonly Dictionary<string, (int Pid, int Tid)> _tracks = [];
    private readonly Dictionary<int, int> _threadsPerPid = [];
    private readonly HashSet<int> _pids = [];
    private readonly Dictionary<string, string> _processNames = [];
    private readonly Dictionary<string, Pending> _pending = [];
    private readonly Dictionary<int, Flow> _flows = [];
    private readonly Dictionary<string, List<long>> _lanes = [];
    private RunHeader? _header;

    public ChromeTrace(Stream output)
    {
        _json = new Utf8JsonWriter(output, Options);
        // No displayTimeUnit: some Perfetto versions read "ns" there as the unit of ts itself.
        _json.WriteStartObject();
        _json.WriteStartArray("traceEvents");
    }

    public void Begin(RunHeader header)
    {
        _header = header;
        foreach (var (name, actor) in header.Processes)
        {
            if (actor is not null) _processNames[actor] = name;
        }
    }

    public void Delivered(Delivery delivery, TraceLine line)
    {
        if (line.Process is { } process && TraceActors.IsThreadGroup(line.Actor))
            _processNames.TryAdd(TraceActors.LocalOf(line.Actor), process);
        var key = TraceActors.TrackOf(delivery.Actor);
        var track = TrackOf(key);
        if (_pending.Remove(key, out var before)) WriteDelivery(before, delivery.TimeNs);
        // The line itself is the slice's args (its buffer is the reader's: keep a copy).
        _pending[key] = new Pending(track, delivery, line.Raw.ToArray());
        if (delivery.Chain is { } chain)
        {
            if (!_flows.TryGetValue(chain.Index, out var flow))
            {
                _flows[chain.Index] = flow = new Flow(chain);
                if (chain.Started is { } started)
                    Step(flow, TrackOf(TraceActors.TrackOf(started.Actor)), started.TimeNs);
            }
            Step(flow, track, delivery.TimeNs);
        }
    }

    public void Happened(TraceLine line)
    {
        var track = TrackOf(TraceActors.TrackOf(line.Actor));
        _json.WriteStartObject();
        _json.WriteString("ph", "i");
        _json.WriteString("s", "t");
        _json.WriteString("name", line.Kind);
        _json.WriteString("cat", "event");
        Where(track, line.TimeNs);
        _json.WritePropertyName("args");
        _json.WriteRawValue(line.Raw.Span, skipInputValidation: true);
        _json.WriteEndObject();
        FlushIfFull();
    }

    public void CallEnded(CallSpan call)
    {
        var owner = call.ThreadGroup ?? TraceActors.Runner;
        var lane = Lane($"{owner}#thread", call.StartNs, call.EndNs);
        var track = TrackOf($"{owner}#thread {lane}");
        _json.WriteStartObject();
        _json.WriteString("ph", "X");
        _json.WriteString("name", call.Step);
        _json.WriteString("cat", "call");
        Where(track, call.StartNs);
        _json.WriteNumber("dur", Micros(call.EndNs - call.StartNs));
        _json.WriteStartObject("args");
        _json.WriteString("request_id", call.RequestId);
        _json.WriteString("process", call.Process);
        if (call.Location is { } location) _json.WriteString("location", location);
        if (call.Branch is { } branch) _json.WriteString("branch", branch);
        _json.WriteString("outcome", call.Ended ? call.Outcome : "none: the trace ended first");
        _json.WriteEndObject();
        _json.WriteEndObject();
        FlushIfFull();
    }

    public void LockLeft(LockSpan visit)
    {
        var lane = Lane($"{visit.Holder}#locks", visit.StartNs, visit.EndNs);
        var track = TrackOf($"{visit.Holder}#locks {lane}");
        if (visit.WaitNs is { } waited)
            WriteLock(track, $"wait {visit.Lock} ({visit.Mode})", visit, waited,
                visit.AcquiredNs ?? visit.EndNs);
        if (visit.AcquiredNs is { } acquired)
            WriteLock(track, $"{visit.Lock} ({visit.Mode})", visit, acquired, visit.EndNs);
        FlushIfFull();
    }

    public void End(RunVerdict? verdict)
    {
        foreach (var pending in _pending.Values.OrderBy(p => p.Delivery.Seq))
            WriteDelivery(pending, long.MaxValue);
        _pending.Clear();
        foreach (var flow in _flows.Values.OrderBy(f => f.Chain.Index))
        {
            // A flow needs two ends: a chain of one delivery has no arrow to draw.
            if (flow.Held is { } last && flow.Emitted) WriteFlow(flow, "f", last);
        }
        _flows.Clear();
        _json.WriteEndArray();
        _json.WriteStartObject("otherData");
        if (_header is { } header)
        {
            _json.WriteString("scenario", header.Name);
            _json.WriteString("file", header.File);
            _json.WriteNumber("seed", header.Seed);
            _json.WriteString("mode", header.Mode);
            _json.WriteString("emulator", header.Emulator);
        }
        if (verdict is not null)
        {
            _json.WriteBoolean("held", verdict.Held);
            if (verdict.Failure is { } failure) _json.WriteString("failure", failure);
        }
        else _json.WriteString("verdict", "none: the trace ended before its verdict");
        _json.WriteEndObject();
        _json.WriteEndObject();
        _json.Flush();
    }

    public void Dispose() => _json.Dispose();

    private void WriteDelivery(Pending pending, long nextNs)
    {
        var delivery = pending.Delivery;
        var nominal = _header?.Mode == "Sim"
            ? delivery.Type is "Sequenced" or "Ack" or "Heartbeat"
                ? _header.XpcDeliveryTimeNs : _header.DeliveryTimeNs
            : LiveDeliveryNs;
        _json.WriteStartObject();
        _json.WriteString("ph", "X");
        _json.WriteString("name", delivery.Label);
        _json.WriteString("cat", delivery.Chain is null ? "deliver" : "deliver,fault");
        Where(pending.Track, delivery.TimeNs);
        _json.WriteNumber("dur", Micros(Math.Max(0, Math.Min(nominal, nextNs - delivery.TimeNs))));
        _json.WritePropertyName("args");
        _json.WriteRawValue(pending.Args, skipInputValidation: true);
        _json.WriteEndObject();
        FlushIfFull();
    }

    /// <summary>
    /// The writer holds what it wrote until flushed: hand it to the stream every 64 KiB, so a
    /// long trace never sits in memory whole.
    /// </summary>
    private void FlushIfFull()
    {
        if (_json.BytesPending >= FlushBytes) _json.Flush();
    }

    private void WriteLock(Track track, string name, LockSpan visit, long startNs, long endNs)
    {
        _json.WriteStartObject();
        _json.WriteString("ph", "X");
        _json.WriteString("name", name);
        _json.WriteString("cat", "lock");
        Where(track, startNs);
        _json.WriteNumber("dur", Micros(endNs - startNs));
        _json.WriteStartObject("args");
        _json.WriteString("lock", visit.Lock);
        _json.WriteString("task", visit.Task);
        _json.WriteString("mode", visit.Mode);
        if (!visit.Released) _json.WriteBoolean("held_at_end", true);
        _json.WriteEndObject();
        _json.WriteEndObject();
    }

    /// <summary>One more point of a chain's flow; the one before it is written now.</summary>
    private void Step(Flow flow, Track track, long timeNs)
    {
        if (flow.Held is { } held)
        {
            WriteFlow(flow, flow.Emitted ? "t" : "s", held);
            flow.Emitted = true;
        }
        flow.Held = (track, timeNs);
    }

    private void WriteFlow(Flow flow, string phase, (Track Track, long TimeNs) at)
    {
        _json.WriteStartObject();
        _json.WriteString("ph", phase);
        _json.WriteString("name", $"fault {flow.Chain.RequestId}");
        _json.WriteString("cat", "fault");
        _json.WriteNumber("id", flow.Chain.Index + 1);
        // Bound to the slice around the point (the delivery), not the next one.
        _json.WriteString("bp", "e");
        Where(at.Track, at.TimeNs);
        _json.WriteEndObject();
    }

    private void Where(Track track, long timeNs)
    {
        _json.WriteNumber("pid", track.Pid);
        _json.WriteNumber("tid", track.Tid);
        _json.WriteNumber("ts", Micros(timeNs));
    }

    private static double Micros(long nanoseconds) => nanoseconds / 1000.0;

    /// <summary>
    /// The lowest lane of <paramref name="family"/> free over the span (spans come in the order
    /// they end, so a lane whose last span ended by this one's start is free for all of it).
    /// </summary>
    private int Lane(string family, long startNs, long endNs)
    {
        if (!_lanes.TryGetValue(family, out var ends)) _lanes[family] = ends = [];
        var lane = ends.FindIndex(end => end <= startNs);
        if (lane < 0)
        {
            ends.Add(endNs);
            return ends.Count;
        }
        ends[lane] = endNs;
        return lane + 1;
    }

    /// <summary>
    /// The track of a key, announced (named and ordered) the first time it is used.
    /// </summary>
    private Track TrackOf(string key)
    {
        if (_tracks.TryGetValue(key, out var known)) return new Track(known.Pid, known.Tid);
        var actor = key.Split('#')[0];
        var pid = TraceActors.PartitionOf(actor) is { } partition ? partition + 1 : 0;
        if (_pids.Add(pid)) Announce(pid);
        var tid = _threadsPerPid[pid] = _threadsPerPid.GetValueOrDefault(pid) + 1;
        _tracks[key] = (pid, tid);
        Metadata("thread_name", pid, tid, "name", TrackName(key, actor));
        Metadata("thread_sort_index", pid, tid, "sort_index", SortIndex(key, actor));
        return new Track(pid, tid);
    }

    private void Announce(int pid)
    {
        Metadata("process_name", pid, null, "name", pid == 0 ? "runner" : $"partition p{pid - 1}");
        Metadata("process_sort_index", pid, null, "sort_index", pid);
    }

    private string TrackName(string key, string actor)
    {
        var faults = actor.EndsWith("/faults", StringComparison.Ordinal);
        var owner = faults ? actor[..^"/faults".Length] : actor;
        var name = _processNames.TryGetValue(TraceActors.LocalOf(owner), out var process)
            ? $"{process} " : "";
        var hash = key.IndexOf('#');
        if (hash >= 0) return $"{name}({owner}) {key[(hash + 1)..]}";
        return name.Length == 0 ? actor : $"{actor} ({process})";
    }

    /// <summary>
    /// The partition first, then each thread group by pid with its threads, lock tracks,
    /// faults and segments under it, the XPC endpoint last.
    /// </summary>
    private static long SortIndex(string key, string actor)
    {
        var hash = key.IndexOf('#');
        var lane = hash < 0 || !int.TryParse(key.AsSpan(key.LastIndexOf(' ') + 1), out var n)
            ? 1 : Math.Clamp(n, 1, 19);
        long place = hash >= 0 ? (key.AsSpan(hash).StartsWith("#thread") ? 0 : 20) + lane
            : actor.EndsWith("/faults", StringComparison.Ordinal) ? 40
            : TraceActors.IsThreadGroup(actor) ? 0 : 50;
        var owner = TraceActors.ThreadGroupOfActor(actor);
        if (owner is null) place = 0;
        var (_, group, pid, _) = TraceActors.OrderOf(owner ?? actor);
        return (group + 1) * 100_000_000L + Math.Min(pid, 999_999) * 100 + place;
    }

    private void Metadata(string name, int pid, int? tid, string field, object value)
    {
        _json.WriteStartObject();
        _json.WriteString("ph", "M");
        _json.WriteString("name", name);
        _json.WriteNumber("pid", pid);
        if (tid is { } thread) _json.WriteNumber("tid", thread);
        _json.WriteStartObject("args");
        if (value is string text) _json.WriteString(field, text);
        else _json.WriteNumber(field, Convert.ToInt64(value));
        _json.WriteEndObject();
        _json.WriteEndObject();
    }

    private readonly record struct Track(int Pid, int Tid);

    private sealed record Pending(Track Track, Delivery Delivery, byte[] Args);

    /// <summary>
    /// A chain's flow so far: its last point is held until the next (or the end).
    /// </summary>
    private sealed class Flow(FaultChain chain)
    {
        public FaultChain Chain { get; } = chain;

        public bool Emitted { get; set; }

        public (Track Track, long TimeNs)? Held { get; set; }
    }
}
