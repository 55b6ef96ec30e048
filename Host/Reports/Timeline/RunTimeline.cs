using System.Text.Json;

namespace Emulator.Host.Reports.Timeline;

/// <summary>
/// What a report draws, told line by line in trace order. Spans come when they end (the trace
/// marks both ends, a view sees them once, whole); whatever is still open when the trace ends
/// comes at <see cref="End"/>, marked as not ended. A view implements what it draws.
/// </summary>
public interface ITimelineView
{
    void Begin(RunHeader header)
    {
    }

    void Delivered(Delivery delivery, TraceLine line)
    {
    }

    /// <summary>An event line that is no call or lock event (those come as spans).</summary>
    void Happened(TraceLine line)
    {
    }

    void CallEnded(CallSpan call)
    {
    }

    void LockLeft(LockSpan visit)
    {
    }

    void FaultAnswered(FaultSpan fault)
    {
    }

    /// <summary>
    /// The trace is over; <paramref name="verdict"/> is null for a trace cut short.
    /// </summary>
    void End(RunVerdict? verdict)
    {
    }
}

/// <summary>
/// Reads a trace's lines into the run's timeline for the views: infers each delivery's sender,
/// groups fault chains, pairs call starts with their ends and lock waits with acquisitions and
/// releases, and times each fault. State is per open chain, call and lock visit, so a long trace
/// costs time in proportion to its lines.
/// </summary>
public sealed class RunTimeline(params ITimelineView[] views)
{
    /// <summary>Messages an actor sends itself (timers, its own stop).</summary>
    private static readonly HashSet<string> SelfMessages =
        ["PinTimedOut", "RetransmitTick", "AckTick", "HeartbeatTick", "Free"];

    /// <summary>Answers that end a fault for the faulting thread group.</summary>
    private static readonly Dictionary<string, string> FaultEnds = new()
    {
        ["LocalPinned"] = "fault, same partition",
        ["Pinned"] = "fault, across partitions",
        ["Refused"] = "fault refused",
        ["TimedOut"] = "fault timed out",
    };

    private readonly Dictionary<string, Hop> _lastHop = [];
    private readonly Dictionary<string, FaultChain> _chains = [];
    private readonly Dictionary<string, Queue<(long, long, string)>> _faultStarts = [];
    private readonly Dictionary<string, CallSpan> _calls = [];
    private readonly Dictionary<(string Lock, string Task), LockSpan> _locks = [];
    private long _lastSeq;
    private long _lastNs;
    private RunVerdict? _verdict;

    /// <summary>How many fault chains began so far.</summary>
    public int Chains => _chains.Count;

    /// <summary>Reads every line of <paramref name="lines"/>, then ends the views.</summary>
    public void ReadAll(IEnumerable<TraceLine> lines)
    {
        foreach (var line in lines) Read(line);
        End();
    }

    public void Read(TraceLine line)
    {
        if (line.Kind is not ("header" or "verdict"))
        {
            _lastSeq = Math.Max(_lastSeq, line.Seq);
            _lastNs = Math.Max(_lastNs, line.TimeNs);
        }
        switch (line.Kind)
        {
            case "header":
                foreach (var view in views) view.Begin(RunHeader.Of(line.Json));
                return;
            case "verdict":
                _verdict = RunVerdict.Of(line.Json);
                return;
            case "deliver":
                var delivery = Deliver(line);
                foreach (var view in views) view.Delivered(delivery, line);
                if (delivery.Chain is { Answered: false } chain
                    && TraceActors.IsThreadGroup(line.Actor)
                    && FaultEnds.TryGetValue(delivery.MessageType, out var kind))
                {
                    chain.Answered = true;
                    var fault = new FaultSpan(chain, kind,
                        chain.Started?.TimeNs ?? chain.FirstTimeNs, line.TimeNs);
                    foreach (var view in views) view.FaultAnswered(fault);
                }
                return;
            case "call_started":
                CallStarted(line);
                return;
            case "call_ended":
                CallEnded(line);
                return;
            case "lock_waiting" or "lock_acquired" or "lock_released":
                Lock(line);
                return;
            case "fault_started":
                if (TraceLine.Text(line.Json, "attacher") is { } attacher)
                {
                    if (!_faultStarts.TryGetValue(attacher, out var starts))
                        _faultStarts[attacher] = starts = new();
                    starts.Enqueue((line.Seq, line.TimeNs, line.Actor));
                }
                break;
        }
        foreach (var view in views) view.Happened(line);
    }

    /// <summary>Ends what is still open (a run that failed mid-call), then the views.</summary>
    public void End()
    {
        foreach (var call in _calls.Values.OrderBy(c => c.StartSeq))
        {
            var open = call with { EndNs = _lastNs, EndSeq = _lastSeq, Outcome = "no end" };
            foreach (var view in views) view.CallEnded(open);
        }
        _calls.Clear();
        foreach (var visit in _locks.Values.OrderBy(l => l.StartSeq))
        {
            var open = visit with { EndNs = _lastNs, EndSeq = _lastSeq };
            foreach (var view in views) view.LockLeft(open);
        }
        _locks.Clear();
        foreach (var view in views) view.End(_verdict);
    }

    private Delivery Deliver(TraceLine line)
    {
        var type = line.Type ?? "?";
        var messageType = line.MessageType ?? type;
        var id = line.RequestId ?? FaultRequestOf(line.Actor);
        FaultChain? chain = null;
        if (id is not null && !_chains.TryGetValue(id, out chain) && messageType == "Pin"
            && line.RequestId is not null)
        {
            var attacher = TraceLine.Text(line.Message, "attacher");
            chain = new FaultChain(_chains.Count, id, attacher) { FirstTimeNs = line.TimeNs };
            if (attacher is not null && _faultStarts.TryGetValue(attacher, out var starts)
                && starts.TryDequeue(out var started)) chain.Started = started;
            _chains[id] = chain;
        }
        var sender = SenderOf(line, type, messageType, id);
        if (id is not null) _lastHop[id] = new Hop(line.Actor, type, messageType);
        return new Delivery(line.Seq, line.TimeNs, line.Actor, sender, type, messageType, id,
            chain);
    }

    /// <summary>
    /// Who sent a delivered message: the trace does not say, so the protocol's shape does (see
    /// <see cref="Delivery"/>).
    /// </summary>
    private string? SenderOf(TraceLine line, string type, string messageType, string? id)
    {
        if (type is "Sequenced" or "Ack" or "Heartbeat"
            && TraceLine.Text(line.Json, "from") is { } from) return $"xpc-{from}";
        if (type == "Terminated") return TraceLine.Text(line.Json, "stopped");
        if (SelfMessages.Contains(messageType)) return line.Actor;
        if (messageType == "Zapped" && TraceLine.Text(line.Message, "attacher") is { } zapped)
            return zapped;
        var replyTo = TraceLine.Text(line.Message, "reply_to");
        if (id is null || !_lastHop.TryGetValue(id, out var last)) return replyTo;
        // The same message one hop on (routed, carried, unpacked): from the hop before.
        if (last.MessageType == messageType && last.Type != last.MessageType) return last.Actor;
        return replyTo ?? last.Actor;
    }

    /// <summary>
    /// A fault actor's own timer belongs to its chain: fault-3 of p0/tg-100 is p0/100.3.
    /// </summary>
    private static string? FaultRequestOf(string actor)
    {
        var cut = actor.LastIndexOf("/fault-", StringComparison.Ordinal);
        if (cut < 0) return null;
        var group = actor[..cut];
        var tg = group.LastIndexOf("/tg-", StringComparison.Ordinal);
        return tg < 0 ? null : $"{group[..tg]}/{group[(tg + 4)..]}.{actor[(cut + 7)..]}";
    }

    private void CallStarted(TraceLine line)
    {
        if (TraceLine.Text(line.Json, "request_id") is not { } id) return;
        var call = line.Json.TryGetProperty("call", out var c) ? TraceLine.Text(c, "type") : null;
        _calls[id] = new CallSpan(id, line.Process ?? "?",
            TraceActors.ThreadGroupPath(TraceLine.Text(line.Json, "tg")),
            TraceLine.Text(line.Json, "step") ?? call ?? "call",
            TraceLine.Text(line.Json, "location"), TraceLine.Text(line.Json, "branch"),
            CallKind(call), line.TimeNs, line.Seq, line.TimeNs, line.Seq, "", Ended: false);
    }

    private void CallEnded(TraceLine line)
    {
        if (TraceLine.Text(line.Json, "request_id") is not { } id
            || !_calls.Remove(id, out var started)) return;
        var ended = started with
        {
            EndNs = line.TimeNs,
            EndSeq = line.Seq,
            Outcome = OutcomeText(line.Json),
            Ended = true,
        };
        foreach (var view in views) view.CallEnded(ended);
    }

    /// <summary><c>Add32Call</c> → <c>add32</c>, as the language spells the command.</summary>
    public static string CallKind(string? type)
    {
        if (type is null) return "call";
        var name = type.EndsWith("Call", StringComparison.Ordinal) ? type[..^4] : type;
        return name.ToLowerInvariant();
    }

    private static string OutcomeText(JsonElement json)
    {
        if (!json.TryGetProperty("outcome", out var outcome)) return "?";
        return TraceLine.Text(outcome, "kind") switch
        {
            "Ok" => TraceLine.Text(outcome, "value") is { } value ? $"ok {value}" : "ok",
            "Failed" => TraceLine.Text(outcome, "errno") ?? "failed",
            "Signalled" => TraceLine.Text(outcome, "signal") ?? "signalled",
            "Mismatch" => "mismatch",
            { } other => other.ToLowerInvariant(),
            null => "?",
        };
    }

    private void Lock(TraceLine line)
    {
        if (TraceLine.Text(line.Json, "lock") is not { } name
            || TraceLine.Text(line.Json, "task") is not { } task) return;
        var key = (name, task);
        var access = TraceLine.Text(line.Json, "access");
        _locks.TryGetValue(key, out var visit);
        switch (line.Kind)
        {
            case "lock_waiting":
                _locks[key] = NewVisit(name, access, task, line) with
                {
                    WaitNs = line.TimeNs,
                    WaitSeq = line.Seq,
                };
                return;
            case "lock_acquired":
                _locks[key] = (visit ?? NewVisit(name, access, task, line)) with
                {
                    Mode = access ?? visit?.Mode ?? "?",
                    AcquiredNs = line.TimeNs,
                    AcquiredSeq = line.Seq,
                };
                return;
            default:
                if (visit is null || !_locks.Remove(key)) return;
                var left = visit with { EndNs = line.TimeNs, EndSeq = line.Seq, Released = true };
                foreach (var view in views) view.LockLeft(left);
                return;
        }
    }

    /// <summary>
    /// A visit begins: the lock's kind is its name's first words (<c>mmap_sem</c> of
    /// <c>mmap_sem of p0/100</c>); the holder is the thread group of the task's call
    /// (<c>p0/101 (call p0/0.8)</c>: a fault takes the owner's mm for the attacher's call).
    /// </summary>
    private static LockSpan NewVisit(string name, string? access, string task, TraceLine line)
    {
        var of = name.IndexOf(" of ", StringComparison.Ordinal);
        var call = task.IndexOf(" (call ", StringComparison.Ordinal);
        var holder = TraceActors.ThreadGroupPath(call < 0 ? null : task[..call])
            ?? TraceActors.LifelineOf(line.Actor);
        return new LockSpan(name, of < 0 ? name : name[..of], access ?? "?", task, holder, null,
            null, null, null, line.TimeNs, line.Seq, Released: false);
    }

    /// <summary>The last delivery of a request chain: who got what, in which wrapper.</summary>
    private readonly record struct Hop(string Actor, string Type, string MessageType);
}
