using Emulator.Partitions.Memory;
using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Attachments;

/// <summary>
/// A PTE of an attachment: the pin that holds the owner's page, and the page itself when the owner
/// is on this partition (same bytes). <see cref="Page"/> null: a remote PTE, reached by messages.
/// </summary>
public readonly record struct Frame(long PinId, Page? Page);

/// <summary>
/// An attachment (the kernel's xpmem_attachment): state inside the attacher's thread group, named
/// by any address inside it and numbered (<see cref="Id"/>) for checkers and traces. It maps
/// attacher [At, At+Size) onto owner [Source, Source+Size).
/// </summary>
public sealed class AttachmentState(long id, ApId permit, SegId segment, Endpoint segmentActor,
    ulong source, ulong at, ulong sizeBytes)
{
    private List<Action>? _whenDrained;

    public long Id { get; } = id;

    public ApId Permit { get; } = permit;

    public SegId Segment { get; } = segment;

    public TgId Owner => Segment.Owner;

    public Endpoint SegmentActor { get; } = segmentActor;

    public ulong Source { get; } = source;

    public ulong At { get; } = at;

    public ulong SizeBytes { get; } = sizeBytes;

    /// <summary>Installed PTEs by attacher page address.</summary>
    public Dictionary<ulong, Frame> Ptes { get; } = [];

    /// <summary>
    /// Loads and stores through remote PTEs whose reply has not come: the attachment is not gone
    /// until they end (the kernel's unmap waits for the TLB shootdown).
    /// </summary>
    public int RemoteInFlight { get; private set; }

    /// <summary>Its VMA is gone; it waits for the accesses in flight to end.</summary>
    public bool Unmapping { get; set; }

    /// <summary>
    /// Its segment's partition went down: a touch is SIGBUS (see the permit's Severed).
    /// </summary>
    public bool Severed { get; set; }

    public ulong SourceOf(ulong address) => Source + (address - At);

    public void RemoteStarted() => RemoteInFlight++;

    /// <summary>A remote access ended; runs what waited for the last one.</summary>
    public void RemoteEnded()
    {
        Invariant.Holds(RemoteInFlight > 0, $"attachment {Id}: more remote replies than requests");
        if (--RemoteInFlight > 0 || _whenDrained is not { } waiting) return;
        _whenDrained = null;
        foreach (var action in waiting) action();
    }

    /// <summary>Runs <paramref name="action"/> once no remote access is in flight.</summary>
    public void WhenDrained(Action action)
    {
        if (RemoteInFlight == 0) action();
        else (_whenDrained ??= []).Add(action);
    }

    /// <summary>Clears the PTEs whose source lies in [start, end); returns their pins.</summary>
    public List<long> Zap(ulong start, ulong end)
    {
        var pins = new List<long>();
        foreach (var (page, frame) in Ptes)
        {
            var source = SourceOf(page);
            if (source >= start && source < end) pins.Add(frame.PinId);
        }
        if (pins.Count == Ptes.Count) Ptes.Clear();
        else
        {
            foreach (var page in Ptes.Keys.Where(p => SourceOf(p) >= start && SourceOf(p) < end)
                .ToList()) Ptes.Remove(page);
        }
        return pins;
    }

    /// <summary>Clears every PTE; returns their pins.</summary>
    public List<long> ZapAll()
    {
        var pins = Ptes.Values.Select(f => f.PinId).ToList();
        Ptes.Clear();
        return pins;
    }
}
