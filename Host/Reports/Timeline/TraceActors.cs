namespace Emulator.Host.Reports.Timeline;

/// <summary>
/// What a trace path says about its actor (docs/trace.md, <c>actor</c>): the partition it lives
/// on, whether it is a thread group, a segment, a fault or an XPC endpoint. A cluster trace's
/// paths start with the node's address; the machine's part is read after it. Pure functions.
/// </summary>
public static class TraceActors
{
    /// <summary>The runner's own path.</summary>
    public const string Runner = "runner";

    /// <summary>
    /// The partition <paramref name="actor"/> lives on (<c>p1/tg-100</c>, <c>xpc-p1</c> → 1);
    /// null for the runner and anything outside the partitions.
    /// </summary>
    public static int? PartitionOf(string actor)
    {
        var (partition, _) = Split(actor);
        return partition;
    }

    /// <summary>
    /// The machine's part of a path, as the header names actors: a cluster trace's
    /// <c>akka.tcp://xpmem@host:port/user/machine/p0/tg-100</c> is <c>p0/tg-100</c>.
    /// </summary>
    public static string LocalOf(string actor) => Split(actor).Local;

    /// <summary>
    /// The lifeline an actor is drawn on: a fault actor is a short-lived part of its thread
    /// group (<c>p0/tg-100/fault-3</c> → <c>p0/tg-100</c>); everything else is its own.
    /// </summary>
    public static string LifelineOf(string actor)
    {
        var cut = actor.LastIndexOf("/fault-", StringComparison.Ordinal);
        return cut < 0 ? actor : actor[..cut];
    }

    /// <summary>
    /// The track a delivery goes on in the Chrome trace: the faults of one thread group share
    /// one (<c>p0/tg-100/faults</c>), so a run of a thousand faults is not a thousand tracks.
    /// </summary>
    public static string TrackOf(string actor)
    {
        var cut = actor.LastIndexOf("/fault-", StringComparison.Ordinal);
        return cut < 0 ? actor : actor[..cut] + "/faults";
    }

    /// <summary>
    /// True for a thread group's own path (<c>p0/tg-100</c>), not its children's.
    /// </summary>
    public static bool IsThreadGroup(string actor)
    {
        var (_, local) = Split(actor);
        var parts = local.Split('/');
        return parts.Length == 2 && parts[1].StartsWith("tg-", StringComparison.Ordinal);
    }

    /// <summary>
    /// The thread group an actor is or lies under (<c>p0/tg-100/seg-1</c> → <c>p0/tg-100</c>);
    /// null for partitions, XPC endpoints and the runner.
    /// </summary>
    public static string? ThreadGroupOfActor(string actor)
    {
        var (partition, local) = Split(actor);
        if (partition is null) return null;
        var parts = local.Split('/');
        if (parts.Length < 2 || !parts[1].StartsWith("tg-", StringComparison.Ordinal)) return null;
        return actor[..(actor.Length - local.Length + parts[0].Length + 1 + parts[1].Length)];
    }

    /// <summary>
    /// The thread group path of <c>p0/100</c> (a <c>tg</c> field): <c>p0/tg-100</c>.
    /// </summary>
    public static string? ThreadGroupPath(string? tg)
    {
        if (tg is null) return null;
        var slash = tg.IndexOf('/');
        return slash < 0 ? null : $"{tg[..slash]}/tg-{tg[(slash + 1)..]}";
    }

    /// <summary>
    /// The thread group a request id's chain was started by, when a process started it
    /// (<c>p0/100.3</c> → <c>p0/tg-100</c>); null for the runner's calls (<c>p0/0.8</c>).
    /// </summary>
    public static string? ThreadGroupOfRequest(string? requestId)
    {
        if (requestId is null) return null;
        var slash = requestId.IndexOf('/');
        var dot = requestId.LastIndexOf('.');
        if (slash < 0 || dot < slash) return null;
        var pid = requestId[(slash + 1)..dot];
        return pid == "0" ? null : $"{requestId[..slash]}/tg-{pid}";
    }

    /// <summary>
    /// An order for lifelines and tracks: the runner, then each partition (the partition, its
    /// thread groups by pid, each followed by its children, then its XPC endpoint), then the rest.
    /// </summary>
    public static (int Partition, int Group, long Pid, string Path) OrderOf(string actor)
    {
        if (actor == Runner) return (-1, 0, 0, actor);
        var (partition, local) = Split(actor);
        if (partition is not { } p) return (int.MaxValue, 0, 0, actor);
        if (local.StartsWith("xpc-", StringComparison.Ordinal)) return (p, 3, 0, actor);
        var parts = local.Split('/');
        if (parts.Length == 1) return (p, 0, 0, actor);
        return parts[1].StartsWith("tg-", StringComparison.Ordinal)
            && long.TryParse(parts[1].AsSpan(3), out var pid)
            ? (p, 1, pid, actor)
            : (p, 2, 0, actor);
    }

    /// <summary>
    /// The partition and the machine's part of a path: from its first segment that is a
    /// partition (<c>p1</c>) or an XPC endpoint (<c>xpc-p1</c>).
    /// </summary>
    private static (int? Partition, string Local) Split(string actor)
    {
        var start = 0;
        while (start <= actor.Length)
        {
            var end = actor.IndexOf('/', start);
            if (end < 0) end = actor.Length;
            var segment = actor.AsSpan(start, end - start);
            if (segment.StartsWith("xpc-")) segment = segment[4..];
            if (segment.Length > 1 && segment[0] == 'p'
                && int.TryParse(segment[1..], out var partition) && partition >= 0)
                return (partition, actor[start..]);
            start = end + 1;
        }
        return (null, actor);
    }
}
