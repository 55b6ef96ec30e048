using Emulator.Protocol;
using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Checks;

/// <summary>
/// No access through the dead: a load or store through an attachment succeeds only while the
/// attachment is mapped and its segment not removed; no attachment is ever made through a RDONLY
/// permit, so no store goes through one. A removal marks the attachments of the segment it
/// removed (segids come back after a close and a new open, so the id alone cannot say which
/// incarnation an access went through).
/// </summary>
public sealed class DeadAccessChecker : IChecker
{
    private readonly Dictionary<(TgId Attacher, long Attachment), Live> _live = [];
    private readonly Dictionary<SegId, List<(TgId, long)>> _bySegment = [];
    // Attachments of processes that died in a crash: a store they sent before it may still land.
    private readonly HashSet<(TgId Attacher, long Attachment)> _crashed = [];
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
                if (_live.Remove((unmapped.Attacher, unmapped.Attachment), out var gone)
                    && !gone.SegmentRemoved)
                    _bySegment[gone.Segment].Remove((unmapped.Attacher, unmapped.Attachment));
                return null;
            case SegmentRemoved removed:
                if (_bySegment.Remove(removed.Segment, out var attachments))
                {
                    foreach (var attachment in attachments) _live[attachment].SegmentRemoved = true;
                }
                return null;
            case Accessed access:
                _accesses++;
                return Judge(access);
            case PartitionCrashed crashed:
                // Its attachers are gone; attachments of its segments elsewhere stay (severed).
                foreach (var dead in _live.Keys
                    .Where(k => k.Attacher.Partition == crashed.Partition).ToList())
                {
                    Observe(new AttachmentUnmapped(dead.Attacher, dead.Attachment));
                    _crashed.Add(dead);
                }
                return null;
            default:
                return null;
        }
    }

    public CheckerReport Final() => new(Name, _breaches == 0,
        $"{Counted.Of(_attachments, "attachment")}, {Counted.Of(_accesses, "access")} through "
        + $"them, {_breaches} through the dead");

    private CheckerBreach? Judge(Accessed access)
    {
        var verb = access.Write ? "stored" : "loaded";
        var through = $"{access.Attacher} {verb} through attachment {access.Attachment}";
        if (!_live.TryGetValue((access.Attacher, access.Attachment), out var live))
        {
            // A load or store its process sent before its partition crashed, landing after it
            // (the owner's segment still holds the pin until it hears of the crash).
            if (_crashed.Contains((access.Attacher, access.Attachment))) return null;
            return Breach($"{through}, which is detached or released", access.Attacher);
        }
        if (live.SegmentRemoved)
            return Breach($"{through} of segment {access.Segment}, which is removed",
                access.Attacher);
        if (access.Write && (live.PermitFlags & Xpmem.RdOnly) != 0)
            return Breach($"{through}, made with a RDONLY permit", access.Attacher);
        return null;
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
