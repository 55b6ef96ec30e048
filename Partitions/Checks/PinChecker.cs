using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Checks;

/// <summary>
/// Pins: a pin is given back once and only once, so no frame's pin count ever goes negative; at
/// the end every pin is given back, per owner process and per partition (the kernel's
/// /proc/xpmem/global_pages leak test). It also answers <c>expect pins balanced</c> mid-run,
/// naming who holds what.
/// </summary>
public sealed class PinChecker : IChecker
{
    // What a held pin's report names, not the event: pins are held for long (an attachment's
    // life), and each kept event was an object of 80 bytes that every collection had to promote.
    private readonly Dictionary<SegmentPin, HeldPin> _held = [];
    private readonly Dictionary<long, int> _pinsByFrame = [];
    private readonly Dictionary<TgId, PinTally> _byOwner = [];
    private PinTally _lost;
    private long _breaches;

    public string Name => "pins balanced";

    /// <summary>Pins taken and given back so far, machine-wide.</summary>
    public PinTally Totals => _byOwner.Values.Aggregate(default(PinTally), (a, b) => a + b);

    public bool Balanced => _held.Count == 0;

    public CheckerBreach? Observe(MachineEvent e)
    {
        switch (e)
        {
            case Pinned pinned:
                On(pinned);
                return null;
            case Unpinned unpinned:
                return On(unpinned);
            case PartitionCrashed crashed:
                Forget(crashed.Partition);
                return null;
            default:
                return null;
        }
    }

    public void On(Pinned pinned)
    {
        _held[new SegmentPin(pinned.Segment, pinned.PinId)] = new HeldPin(pinned.SourcePage,
            pinned.Frame, pinned.Attacher, pinned.Attachment);
        CollectionsMarshal.GetValueRefOrAddDefault(_pinsByFrame, pinned.Frame, out _)++;
        Tally(pinned.Segment.Owner, new PinTally(1, 0));
    }

    public CheckerBreach? On(Unpinned unpinned)
    {
        var owner = unpinned.Segment.Owner;
        Tally(owner, new PinTally(0, 1));
        if (!_held.Remove(new SegmentPin(unpinned.Segment, unpinned.PinId)))
        {
            _breaches++;
            return new CheckerBreach(
                $"segment {unpinned.Segment} gave back pin {unpinned.PinId}, which it does not "
                + "hold",
                owner);
        }
        if (FramePinsLeft(unpinned.Frame) >= 0) return null;
        _breaches++;
        return new CheckerBreach($"frame {unpinned.Frame} has a negative pin count", owner);
    }

    public CheckerReport Final()
    {
        var byPartition = string.Join(", ", _byOwner
            .GroupBy(p => p.Key.Partition.Value).OrderBy(g => g.Key)
            .Select(g =>
            {
                var tally = g.Aggregate(default(PinTally), (a, b) => a + b.Value);
                return $"p{g.Key}: {tally.Pinned}/{tally.Unpinned}";
            }));
        var totals = Totals;
        var saw = $"{totals.Pinned} pinned, {totals.Unpinned} unpinned"
            + (byPartition.Length > 0 ? $" (by partition {byPartition})" : "")
            + (_lost.Pinned > 0 ? $"; {_lost.Held} held by crashed partitions, gone with them"
                : "");
        return new(Name, Balanced && _breaches == 0, Balanced ? saw : $"{saw}; {Holders()}");
    }

    /// <summary>Who holds pins now: owner, segment, pins with their pages and attachers.</summary>
    public string Holders(int pinsShownMax = 8)
    {
        if (_held.Count == 0) return "no pin is held";
        var lines = _held
            .GroupBy(p => p.Key.Segment)
            .OrderBy(g => g.Key.Owner.Partition.Value).ThenBy(g => g.Key.Owner.Pid)
            .ThenBy(g => g.Key.Value)
            .Select(g =>
            {
                var pins = g.OrderBy(p => p.Key.PinId).ToList();
                var shown = string.Join(", ", pins.Take(pinsShownMax).Select(p =>
                    $"pin {p.Key.PinId} (page 0x{p.Value.SourcePage:x} for {p.Value.Attacher} "
                    + $"attachment {p.Value.Attachment})"));
                var more = pins.Count > pinsShownMax
                    ? $" and {pins.Count - pinsShownMax} more" : "";
                return $"{g.Key.Owner} holds {pins.Count} in segment {g.Key}: {shown}{more}";
            });
        return string.Join("; ", lines);
    }

    /// <summary>
    /// A crashed partition's segments are gone with the pins they held (its frames with them);
    /// its tallies leave the balance, which is the surviving partitions'.
    /// </summary>
    private void Forget(PartitionId partition)
    {
        foreach (var (key, pin) in _held.Where(h => h.Key.Segment.Owner.Partition == partition)
            .ToList())
        {
            _held.Remove(key);
            FramePinsLeft(pin.Frame);
        }
        foreach (var owner in _byOwner.Keys.Where(o => o.Partition == partition).ToList())
        {
            _lost += _byOwner[owner];
            _byOwner.Remove(owner);
        }
    }

    /// <summary>One pin of the frame fewer: how many are left (below 0: more unpins than pins).
    /// </summary>
    private int FramePinsLeft(long frame)
    {
        // One lookup, not two: every unpin comes here.
        ref var pins = ref CollectionsMarshal.GetValueRefOrNullRef(_pinsByFrame, frame);
        if (Unsafe.IsNullRef(ref pins)) return -1;
        var left = pins - 1;
        if (left > 0) pins = left;
        else _pinsByFrame.Remove(frame);
        return left;
    }

    private void Tally(TgId owner, PinTally change) =>
        CollectionsMarshal.GetValueRefOrAddDefault(_byOwner, owner, out _) += change;
}

/// <summary>A pin held: what names it in a report, and the frame it counts against.</summary>
internal readonly record struct HeldPin(ulong SourcePage, long Frame, TgId Attacher,
    long Attachment);

/// <summary>Pins taken and released.</summary>
public readonly record struct PinTally(long Pinned, long Unpinned)
{
    public long Held => Pinned - Unpinned;

    public bool Balanced => Pinned == Unpinned;

    public static PinTally operator +(PinTally a, PinTally b)
        => new(a.Pinned + b.Pinned, a.Unpinned + b.Unpinned);
}
