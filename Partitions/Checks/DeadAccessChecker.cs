using Emulator.Protocol;
using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Checks;

/// <summary>
/// No access through the dead: a load or store through an attachment succeeds only while the
/// attachment is mapped and its segment not removed; no attachment is ever made through a RDONLY
/// permit, so no store goes through one. A removal marks the attachments of the segment it
/// removed (segids come back after a close and a new open, so the id alone cannot say which
/// incarnation an access went through).
/// A remote load or store is seen where it lands, on the owner's partition: one its attacher sent
/// before it unmapped (a detach, an exit, a crash of its partition) may land after, and it is no
/// breach, since the owner keeps the page pinned until it hears of the unmap and that news
/// follows the access on the ordered channel, as a store on NUMAlink drains before the unmap's
/// shootdown ends. A local access is seen as the attacher makes it, so none may follow.
/// </summary>
public sealed class DeadAccessChecker : IChecker
{
    private readonly Dictionary<(TgId Attacher, long Attachment), Live> _live = [];
    private readonly Dictionary<SegId, List<(TgId, long)>> _bySegment = [];
    // Attachments unmapped at their attacher: a remote access sent before may still land.
    private readonly HashSet<(TgId Attacher, long Attachment)> _unmapped = [];
    private long _attachments;
    private long _accesses;
    private long _breaches;

    public string Name => "no access through the dead";

    public CheckerBreach? Observe(MachineEvent e)
    {
        switch (e)
        {
            case AttachmentMapped mapped:
                _attachments++;
                var key = (mapped.Attacher, mapped.Attachment);
                _live[key] = new Live(mapped.PermitFlags, mapped.Segment);
                if (!_bySegment.TryGetValue(mapped.Segment, out var ofSegment))
                    _bySegment[mapped.Segment] = ofSegment = [];
                ofSegment.Add(key);
                if ((mapped.PermitFlags & Xpmem.RdOnly) == 0) return null;
                return Breach($"{mapped.Attacher} attached segment {mapped.Segment} through "
                    + $"RDONLY permit {mapped.Permit} (attach must refuse it: EACCES)",
                    mapped.Attacher);
            case AttachmentUnmapped unmapped:
                Unmap((unmapped.Attacher, unmapped.Attachment));
                return null;
            case SegmentRemoved removed:
                if (_bySegment.Remove(removed.Segment, out var attachments))
                {
                    foreach (var attachment in attachments) _live[attachment].SegmentRemoved = true;
                }
                return null;
            case Accessed access:
                return On(access);
            case PartitionCrashed crashed:
                // Its attachers are gone; attachments of its segments elsewhere stay (severed).
                Crashed(crashed.Partition);
                return null;
            default:
                return null;
        }
    }

    public CheckerBreach? On(Accessed access)
    {
        _accesses++;
        return Judge(access);
    }

    // A method of its own: a lambda in Observe would have C# make its closure as Observe starts,
    // for every event (32 bytes each; the machine emits several per fault).
    private void Crashed(PartitionId partition)
    {
        foreach (var dead in _live.Keys.Where(k => k.Attacher.Partition == partition).ToList())
            Unmap(dead);
    }

    public CheckerReport Final() => new(Name, _breaches == 0,
        $"{Counted.Of(_attachments, "attachment")}, {Counted.Of(_accesses, "access")} through "
        + $"them, {_breaches} through the dead");

    private CheckerBreach? Judge(Accessed access)
    {
        if (!_live.TryGetValue((access.Attacher, access.Attachment), out var live))
        {
            bool sentBefore = access.Attacher.Partition != access.Owner.Partition
                && _unmapped.Contains((access.Attacher, access.Attachment));
            return sentBefore
                ? null
                : Breach($"{Through(access)}, which is detached or released", access.Attacher);
        }
        if (live.SegmentRemoved)
            return Breach($"{Through(access)} of segment {access.Segment}, which is removed",
                access.Attacher);
        if (access.Write && (live.PermitFlags & Xpmem.RdOnly) != 0)
            return Breach($"{Through(access)}, made with a RDONLY permit", access.Attacher);
        return null;
    }

    // Formatted only for a breach: every access is judged.
    private static string Through(Accessed access) =>
        $"{access.Attacher} {(access.Write ? "stored" : "loaded")} through attachment "
        + $"{access.Attachment}";

    private void Unmap((TgId Attacher, long Attachment) key)
    {
        if (!_live.Remove(key, out var gone)) return;
        if (!gone.SegmentRemoved) _bySegment[gone.Segment].Remove(key);
        _unmapped.Add(key);
    }

    private CheckerBreach Breach(string what, TgId process)
    {
        _breaches++;
        return new CheckerBreach(what, process);
    }

    /// <summary>A mapped attachment: its permit's flags, its segment, is that removed.</summary>
    private sealed class Live(int permitFlags, SegId segment)
    {
        public int PermitFlags { get; } = permitFlags;

        public SegId Segment { get; } = segment;

        public bool SegmentRemoved { get; set; }
    }
}
