using System.Runtime.InteropServices;
using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Checks;

/// <summary>
/// Coherence: every load or store through an attachment touches the very frame its owner maps at
/// that source address at that moment. It keeps a shadow of every process's page table, built
/// from <see cref="PageMapped"/> and <see cref="PageUnmapped"/>, and holds each
/// <see cref="Accessed"/> against it. An attacher still using a frame the owner dropped (a missed
/// invalidation after munmap, a fixed mmap or a copy-on-write break) breaks it at that access.
/// </summary>
public sealed class CoherenceChecker : IChecker
{
    // A small table a thread group, by page: one table of every mapped page of the machine
    // (147,456 on the Altix run) grew by copying into ever larger arrays, each page a random
    // place in them. A thread group's table goes when its last page does.
    private readonly Dictionary<TgId, Dictionary<ulong, long>> _frames = [];
    private long _accesses;
    private long _breaches;

    public string Name => "coherence";

    public CheckerBreach? Observe(MachineEvent e)
    {
        switch (e)
        {
            case PageMapped mapped:
                On(mapped);
                return null;
            case PageUnmapped unmapped:
                On(unmapped);
                return null;
            case Accessed access:
                return On(access);
            case PartitionCrashed crashed:
                Crashed(crashed.Partition);
                return null;
            default:
                return null;
        }
    }

    public void On(PageMapped mapped)
    {
        ref var pages = ref CollectionsMarshal.GetValueRefOrAddDefault(_frames, mapped.Tg, out _);
        pages ??= [];
        pages[mapped.PageAddress] = mapped.Frame;
    }

    public void On(PageUnmapped unmapped)
    {
        if (!_frames.TryGetValue(unmapped.Tg, out var pages)) return;
        // One lookup for the usual unmap of the frame mapped there; a frame mapped over it
        // since goes back (the shadow's order says nothing).
        if (!pages.Remove(unmapped.PageAddress, out var frame)) return;
        if (frame != unmapped.Frame) pages[unmapped.PageAddress] = frame;
        else if (pages.Count == 0) _frames.Remove(unmapped.Tg);
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
        foreach (var tg in _frames.Keys.Where(tg => tg.Partition == partition).ToList())
            _frames.Remove(tg);
    }

    public CheckerReport Final() => new(Name, _breaches == 0,
        $"{Counted.Of(_accesses, "access")} through attachments, {_breaches} to a frame the "
        + "owner did not map");

    private CheckerBreach? Judge(Accessed access)
    {
        long frame = 0;
        var owned = _frames.TryGetValue(access.Owner, out var pages)
            && pages.TryGetValue(access.SourcePage, out frame);
        if (owned && frame == access.Frame) return null;
        _breaches++;
        var verb = access.Write ? "stored to" : "loaded from";
        var mapping = owned ? $"frame {frame}" : "nothing";
        return new CheckerBreach(
            $"{access.Attacher} {verb} frame {access.Frame} through attachment "
            + $"{access.Attachment} (segment {access.Segment}, source 0x{access.SourcePage:x}), "
            + $"but owner {access.Owner} maps {mapping} there", access.Attacher);
    }
}
