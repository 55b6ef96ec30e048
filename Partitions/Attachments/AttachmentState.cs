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
/// by any address inside it. It maps attacher [At, At+Size) onto owner [Source, Source+Size).
/// </summary>
public sealed class AttachmentState(ApId permit, SegId segment, Endpoint segmentActor, ulong source,
    ulong at, ulong sizeBytes)
{
    public ApId Permit { get; } = permit;

    public SegId Segment { get; } = segment;

    public Endpoint SegmentActor { get; } = segmentActor;

    public ulong Source { get; } = source;

    public ulong At { get; } = at;

    public ulong SizeBytes { get; } = sizeBytes;

    /// <summary>Installed PTEs by attacher page address.</summary>
    public Dictionary<ulong, Frame> Ptes { get; } = [];

    public ulong SourceOf(ulong address) => Source + (address - At);

    /// <summary>Clears the PTEs whose source lies in [start, end); returns their pins.</summary>
    public List<long> Zap(ulong start, ulong end)
    {
        var pins = new List<long>();
        foreach (var (page, frame) in Ptes.ToList())
        {
            var source = SourceOf(page);
            if (source < start || source >= end) continue;
            Ptes.Remove(page);
            pins.Add(frame.PinId);
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
