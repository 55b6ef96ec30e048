using Emulator.Partitions.Locks;

namespace Emulator.Host.Reports.Coverage;

/// <summary>One protocol state or fault-chain step that coverage counts.</summary>
public sealed record CoverageItem(string Area, string Name, string Meaning);

/// <summary>The areas coverage groups its items in, in the order a report lists them.</summary>
public static class CoverageArea
{
    public const string Segment = "segment";
    public const string Permit = "permit";
    public const string Attachment = "attachment";
    public const string Lock = "lock";
    public const string FaultChain = "fault chain";
    public const string Partition = "partition";

    public static IReadOnlyList<string> All { get; } =
        [Segment, Permit, Attachment, Lock, FaultChain, Partition];
}

/// <summary>
/// Every state and step coverage knows, in the order a report lists them, and how trace lines
/// and machine events map onto them. A state is named for what the trace shows of it (the actors
/// keep their states to themselves: a segment recalling is a <c>Recall</c> it was handed).
/// Both observers (trace lines, live events) map through here, so they count alike.
/// </summary>
public static class CoverageCatalogue
{
    /// <summary>Every lock kind, with the kernel's name for it.</summary>
    public static readonly IReadOnlyList<(LockKind Kind, string Name)> LockKinds =
    [
        .. Enum.GetValues<LockKind>().Select(kind => (kind, kind switch
        {
            LockKind.MmapSem => "mmap_sem",
            LockKind.SegSema => "seg->sema",
            LockKind.AttMutex => "att->mutex",
            _ => kind.ToString(),
        })),
    ];

    /// <summary>The stages of a lock visit, in <see cref="LockStage"/> order.</summary>
    private static readonly IReadOnlyList<(string Name, string Meaning)> LockStages =
    [
        ("waited for read", "a task was parked, wanting it for read"),
        ("waited for write", "a task was parked, wanting it for write"),
        ("held for read", "a task held it for read"),
        ("held for write", "a task held it for write"),
        ("released", "a holder let go of it"),
        ("stopped waiting", "a task stopped waiting without holding it (a read passing "
            + "through, its process died, or it backed off to retake its locks in order)"),
    ];

    private static readonly List<CoverageItem> All = [];
    private static readonly Dictionary<(string, string), int> ByName = [];
    private static readonly Dictionary<string, int[]> ByMessage = [];
    private static readonly Dictionary<string, int[]> ByChainMessage = [];
    private static readonly Dictionary<string, int[]> ByEvent = [];
    private static readonly Dictionary<(LockKind, LockStage), int> LockItems = [];

    static CoverageCatalogue()
    {
        Item(CoverageArea.Segment, "made", "xpmem_make exported it", events: ["segment_made"]);
        Item(CoverageArea.Segment, "granted", "it granted a permit (xpmem_get)",
            messages: ["Granted"]);
        Item(CoverageArea.Segment, "checked for an attach", "xpmem_attach found it alive",
            messages: ["Checked"]);
        Item(CoverageArea.Segment, "recalling", "a munmap of its pages took its sema for write",
            messages: ["Recall"]);
        Item(CoverageArea.Segment, "zapping", "it cleared its attachers' PTEs", messages: ["Zap"]);
        Item(CoverageArea.Segment, "removing", "xpmem_remove took its sema for write",
            messages: ["Remove"]);
        Item(CoverageArea.Segment, "removed", "removed: no access may go through it",
            events: ["segment_removed"]);
        Item(CoverageArea.Segment, "unlinked", "a released permit dropped its reference",
            messages: ["Unlink"]);
        Item(CoverageArea.Segment, "freed", "its last reference went", events: ["segment_freed"]);

        Item(CoverageArea.Permit, "got", "xpmem_get gave a permit", messages: ["Granted"]);
        Item(CoverageArea.Permit, "attached through", "an attachment was made through it",
            events: ["attachment_mapped"]);
        Item(CoverageArea.Permit, "released", "xpmem_release (or exit) let it go",
            messages: ["Unlink"]);
        Item(CoverageArea.Permit, "probed", "its owner's liveness was asked (NOPROC)",
            messages: ["Probe"]);

        Item(CoverageArea.Attachment, "mapped", "xpmem_attach mapped it",
            events: ["attachment_mapped"]);
        Item(CoverageArea.Attachment, "faulted", "a touch found no PTE", events: ["fault_started"]);
        Item(CoverageArea.Attachment, "loaded through", "a load went through it",
            events: ["accessed/read"]);
        Item(CoverageArea.Attachment, "stored through", "a store went through it",
            events: ["accessed/write"]);
        Item(CoverageArea.Attachment, "loaded across XPC", "a load went to the owner's partition",
            messages: ["Read"]);
        Item(CoverageArea.Attachment, "stored across XPC", "a store went to the owner's partition",
            messages: ["Write"]);
        Item(CoverageArea.Attachment, "zapped", "its PTEs were cleared by a recall or remove",
            messages: ["Zapped"]);
        Item(CoverageArea.Attachment, "unmapped", "detached, released or torn down",
            events: ["attachment_unmapped"]);

        foreach (var (kind, name) in LockKinds)
        {
            for (var stage = 0; stage < LockStages.Count; stage++)
            {
                // A mutex has no readers: its read stages are no state it can reach.
                if (kind == LockKind.AttMutex && (LockStage)stage
                    is LockStage.WaitedForRead or LockStage.HeldForRead) continue;
                LockItems[(kind, (LockStage)stage)] = All.Count;
                var (stageName, meaning) = LockStages[stage];
                Item(CoverageArea.Lock, $"{name} {stageName}", meaning);
            }
        }

        Item(CoverageArea.FaultChain, "started", "a fault actor began the chain",
            events: ["fault_started"]);
        Item(CoverageArea.FaultChain, "Pin at the segment",
            "the segment took the fault (seg->sema read)",
            chain: ["Pin"]);
        Item(CoverageArea.FaultChain, "crossed partitions", "a message of the chain went over XPC",
            chain: ["Sequenced"]);
        Item(CoverageArea.FaultChain, "FindPage at the owner", "the owner's mm looked the page up",
            chain: ["FindPage"]);
        Item(CoverageArea.FaultChain, "lookup retried",
            "an invalidation made the pin look the page up again");
        Item(CoverageArea.FaultChain, "page found", "the owner found (and pinned) the page",
            chain: ["PageFound"]);
        Item(CoverageArea.FaultChain, "pinned", "the segment entered the pin in its table",
            events: ["pinned"]);
        Item(CoverageArea.FaultChain, "handed over",
            "the page went to an attacher on its partition",
            chain: ["LocalPinned"]);
        Item(CoverageArea.FaultChain, "pinned for a remote attacher", "the pin went back over XPC",
            chain: ["Pinned"]);
        Item(CoverageArea.FaultChain, "done", "the attacher ended the fault (up_read)",
            chain: ["Done"]);
        Item(CoverageArea.FaultChain, "refused", "the chain was refused (the toucher gets SIGBUS)",
            chain: ["Refused"]);
        Item(CoverageArea.FaultChain, "timer fired", "the fault's request timeout passed",
            chain: ["PinTimedOut"]);
        Item(CoverageArea.FaultChain, "timed out", "the attacher was told the outcome is unknown",
            chain: ["TimedOut"]);
        Item(CoverageArea.FaultChain, "abandoned", "the segment dropped the timed-out fault",
            chain: ["Abandon"]);

        Item(CoverageArea.Partition, "crashed", "a partition crashed",
            events: ["partition_crashed"]);
        Item(CoverageArea.Partition, "restarted", "a partition booted again",
            events: ["partition_restarted"]);
        Item(CoverageArea.Partition, "peer going down", "a peer was declared unreachable",
            events: ["peer_state_changed/GoingDown"]);
        Item(CoverageArea.Partition, "peer down", "nothing of a peer was left here",
            events: ["peer_state_changed/Down"]);
        Item(CoverageArea.Partition, "peer up", "a peer was heard again",
            events: ["peer_state_changed/Up"]);
        Item(CoverageArea.Partition, "packet dropped", "the link lost a packet",
            events: ["packet_dropped"]);
        Item(CoverageArea.Partition, "packet duplicated", "the link doubled a packet",
            events: ["packet_duplicated"]);
        Item(CoverageArea.Partition, "packet delayed", "the link held a packet back",
            events: ["packet_delayed"]);
        Item(CoverageArea.Partition, "disconnected", "an XPC session ended",
            events: ["xpc_disconnected"]);
        Item(CoverageArea.Partition, "connected", "an XPC session began",
            events: ["xpc_connected"]);
        LookupRetried = IndexOf(CoverageArea.FaultChain, "lookup retried");
    }

    public static IReadOnlyList<CoverageItem> Items => All;

    /// <summary>The one step no single line shows: a chain's second <c>FindPage</c>.</summary>
    public static int LookupRetried { get; }

    /// <summary>The index of an item; an unknown one is a bug in the caller.</summary>
    public static int IndexOf(string area, string name) =>
        ByName.TryGetValue((area, name), out var index) ? index
            : throw new ArgumentException($"no coverage item '{area}: {name}'");

    /// <summary>
    /// The items a delivered message (the innermost one) reaches; more when it belongs to a
    /// fault chain (the wrapper's type counts there too: a chain's <c>Sequenced</c>).
    /// </summary>
    public static void ForMessage(string type, bool inFaultChain, List<int> into)
    {
        if (ByMessage.TryGetValue(type, out var items)) into.AddRange(items);
        if (inFaultChain && ByChainMessage.TryGetValue(type, out var steps)) into.AddRange(steps);
    }

    /// <summary>
    /// The items an event reaches: by its kind, and for some by what it says
    /// (<c>accessed/write</c>, <c>peer_state_changed/Down</c>).
    /// </summary>
    public static void ForEvent(string kind, string? detail, List<int> into)
    {
        if (ByEvent.TryGetValue(kind, out var items)) into.AddRange(items);
        if (detail is not null && ByEvent.TryGetValue($"{kind}/{detail}", out var detailed))
            into.AddRange(detailed);
    }

    /// <summary>
    /// Adds the item of <paramref name="kind"/> at <paramref name="stage"/> to
    /// <paramref name="into"/>, if the kind has that stage (a mutex is never read).
    /// </summary>
    public static void ForLock(LockKind kind, LockStage stage, List<int> into)
    {
        if (LockItems.TryGetValue((kind, stage), out var item)) into.Add(item);
    }

    /// <summary>The stage a wait or a hold in <paramref name="mode"/> is.</summary>
    public static LockStage Waited(LockMode mode) =>
        mode == LockMode.Read ? LockStage.WaitedForRead : LockStage.WaitedForWrite;

    public static LockStage Held(LockMode mode) =>
        mode == LockMode.Read ? LockStage.HeldForRead : LockStage.HeldForWrite;

    private static void Item(string area, string name, string meaning,
        string[]? messages = null, string[]? chain = null, string[]? events = null)
    {
        var index = All.Count;
        All.Add(new CoverageItem(area, name, meaning));
        ByName[(area, name)] = index;
        Map(ByMessage, messages, index);
        Map(ByChainMessage, chain, index);
        Map(ByEvent, events, index);
    }

    private static void Map(Dictionary<string, int[]> map, string[]? keys, int index)
    {
        foreach (var key in keys ?? [])
            map[key] = map.TryGetValue(key, out var known) ? [.. known, index] : [index];
    }
}

/// <summary>Where a task's visit to a lock got to (coverage counts each).</summary>
public enum LockStage
{
    WaitedForRead,
    WaitedForWrite,
    HeldForRead,
    HeldForWrite,
    Released,
    StoppedWaiting,
}
