using System.Text.Json;

namespace Emulator.Host.Reports.Timeline;

// What the reports see in a trace, read once by RunTimeline and handed to every view: the run's
// header and verdict, each delivery with its (inferred) sender and fault chain, and the spans the
// trace only marks at their ends (calls, lock holds, faults). Plain records, no JSON left in them.

/// <summary>The header line: what ran, how, with which processes.</summary>
public sealed record RunHeader(
    string File,
    string Name,
    int Seed,
    string Mode,
    int Partitions,
    string Emulator,
    long DeliveryTimeNs,
    long XpcDeliveryTimeNs,
    IReadOnlyList<(string Name, string? Actor)> Processes)
{
    /// <summary>The clock the trace's times are on, as a reader should call it.</summary>
    public string ClockName => Mode == "Sim" ? "virtual time" : "wall time";

    public static RunHeader Of(JsonElement json)
    {
        var processes = new List<(string, string?)>();
        if (json.TryGetProperty("processes", out var list)
            && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var process in list.EnumerateArray())
            {
                processes.Add((TraceLine.Text(process, "name") ?? "?",
                    TraceLine.Text(process, "actor")));
            }
        }
        return new RunHeader(
            TraceLine.Text(json, "file") ?? "",
            TraceLine.Text(json, "name") ?? "",
            Number(json, "seed") is { } seed ? (int)seed : 0,
            TraceLine.Text(json, "mode") ?? "Sim",
            (int)(Number(json, "partitions") ?? 0),
            TraceLine.Text(json, "emulator") ?? "",
            Number(json, "delivery_time_ns") ?? 0,
            Number(json, "xpc_delivery_time_ns") ?? 0,
            processes);
    }

    internal static long? Number(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            ? value.GetInt64() : null;
}

/// <summary>One checker's verdict, as the verdict line lists it.</summary>
public sealed record CheckVerdict(string Name, bool Held, string Detail);

/// <summary>
/// The verdict line: held or failed, why and where, the run's figures, the checkers.
/// </summary>
public sealed record RunVerdict(
    bool Held,
    string? Cause,
    string? Location,
    string? Step,
    string? Failure,
    long Steps,
    long Calls,
    long Faults,
    long Deliveries,
    long XpcMessages,
    long Pinned,
    long Unpinned,
    long VirtualTimeNs,
    IReadOnlyList<CheckVerdict> Checks)
{
    public static RunVerdict Of(JsonElement json)
    {
        var checks = new List<CheckVerdict>();
        if (json.TryGetProperty("checks", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var check in list.EnumerateArray())
            {
                checks.Add(new CheckVerdict(TraceLine.Text(check, "name") ?? "?",
                    check.TryGetProperty("held", out var held) && held.GetBoolean(),
                    TraceLine.Text(check, "detail") ?? ""));
            }
        }
        long Count(string name) => RunHeader.Number(json, name) ?? 0;
        return new RunVerdict(
            json.TryGetProperty("held", out var h) && h.GetBoolean(),
            TraceLine.Text(json, "cause"),
            TraceLine.Text(json, "location"),
            TraceLine.Text(json, "step"),
            TraceLine.Text(json, "failure"),
            Count("steps"), Count("calls"), Count("faults"), Count("deliveries"),
            Count("xpc_messages"), Count("pinned"), Count("unpinned"), Count("virtual_time_ns"),
            checks);
    }
}

/// <summary>
/// A page fault's request chain (docs/trace.md, "Reading a fault chain"): numbered in the order
/// the chains began, which also picks its colour.
/// </summary>
public sealed class FaultChain(int index, string requestId, string? attacher)
{
    public int Index { get; } = index;

    /// <summary>The chain's request id, <c>p0/100.3</c>.</summary>
    public string RequestId { get; } = requestId;

    /// <summary>The faulting thread group, <c>p0/100</c>.</summary>
    public string? Attacher { get; } = attacher;

    /// <summary>
    /// Where and when the attacher's <c>fault_started</c> was, if the trace has it.
    /// </summary>
    public (long Seq, long TimeNs, string Actor)? Started { get; set; }

    /// <summary>
    /// The chain's first delivery's time (its start when no fault_started matched).
    /// </summary>
    public long FirstTimeNs { get; set; }

    /// <summary>True once the attacher's thread group had its answer.</summary>
    public bool Answered { get; set; }
}

/// <summary>
/// An actor handled a message. <paramref name="Sender"/> is inferred (the trace names only the
/// receiver): the previous hop of the same request chain, the requester a request names as
/// <c>reply_to</c>, the XPC endpoint a packet came from, the actor itself for its timers; null
/// when nothing says who sent it.
/// </summary>
public sealed record Delivery(
    long Seq,
    long TimeNs,
    string Actor,
    string? Sender,
    string Type,
    string MessageType,
    string? RequestId,
    FaultChain? Chain)
{
    /// <summary>
    /// The arrow's text: the message, and the wrapper that carries it (<c>Pin via Carry</c>).
    /// </summary>
    public string Label => Type == MessageType ? MessageType : $"{MessageType} via {Type}";
}

/// <summary>
/// A call, from the runner's <c>call_started</c> to the process's <c>call_ended</c>
/// (<paramref name="Ended"/> false: the trace ended first, and <paramref name="EndNs"/> is its
/// last instant).
/// </summary>
public sealed record CallSpan(
    string RequestId,
    string Process,
    string? ThreadGroup,
    string Step,
    string? Location,
    string? Branch,
    string Kind,
    long StartNs,
    long StartSeq,
    long EndNs,
    long EndSeq,
    string Outcome,
    bool Ended);

/// <summary>
/// One task's visit to a lock (<paramref name="Lock"/>, <c>mmap_sem of p0/100</c>, of kind
/// <paramref name="LockKind"/>, <c>mmap_sem</c>): it waited from <paramref name="WaitNs"/> (null:
/// it got the lock at once), held it from <paramref name="AcquiredNs"/> (null: it stopped waiting
/// without holding it) for <paramref name="Mode"/> (<c>Read</c>, <c>Write</c>), and let go at
/// <paramref name="EndNs"/> (<paramref name="Released"/> false: still there when the trace ended).
/// <paramref name="Task"/> is the call it works for; <paramref name="Holder"/> that call's thread
/// group's path.
/// </summary>
public sealed record LockSpan(
    string Lock,
    string LockKind,
    string Mode,
    string Task,
    string Holder,
    long? WaitNs,
    long? WaitSeq,
    long? AcquiredNs,
    long? AcquiredSeq,
    long EndNs,
    long EndSeq,
    bool Released)
{
    public long StartNs => WaitNs ?? AcquiredNs ?? EndNs;

    public long StartSeq => WaitSeq ?? AcquiredSeq ?? EndSeq;
}

/// <summary>
/// How long a fault kept its thread waiting: from <c>fault_started</c> to the answer reaching
/// the attacher's thread group. <paramref name="Kind"/> says how it ended.
/// </summary>
public sealed record FaultSpan(FaultChain Chain, string Kind, long StartNs, long EndNs);
