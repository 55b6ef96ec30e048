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
    /// <summary>Emptied tables kept for the next segments that pin (a few: they churn).</summary>
    private const int SpareTablesMax = 64;

    // What a held pin's report names, not the event: pins are held for long (an attachment's
    // life), and each kept event was an object of 80 bytes that every collection had to promote.
    // A small table a segment, by pin id: one table of every pin of the machine (147,456 on the
    // Altix run) grew by copying into ever larger arrays, each pin a random place in them.
    private readonly Dictionary<SegId, Dictionary<long, HeldPin>> _held = [];
    private readonly Stack<Dictionary<long, HeldPin>> _spareTables = new();
    private readonly FramePins _pinsByFrame = new();
    private readonly Dictionary<TgId, PinTally> _byOwner = [];
    private PinTally _lost;
    private long _breaches;
    private int _heldCount;

    public string Name => "pins balanced";

    /// <summary>Pins taken and given back so far, machine-wide.</summary>
    public PinTally Totals => _byOwner.Values.Aggregate(default(PinTally), (a, b) => a + b);

    public bool Balanced => _heldCount == 0;

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
        ref var pins = ref CollectionsMarshal.GetValueRefOrAddDefault(_held, pinned.Segment,
            out _);
        pins ??= _spareTables.TryPop(out var spare) ? spare : [];
        ref var held = ref CollectionsMarshal.GetValueRefOrAddDefault(pins, pinned.PinId,
            out var again);
        held = new HeldPin(pinned.SourcePage, pinned.Frame, pinned.Attacher, pinned.Attachment);
        if (!again) _heldCount++;
        _pinsByFrame.Pin(pinned.Frame);
        Tally(pinned.Segment.Owner, new PinTally(1, 0));
    }

    public CheckerBreach? On(Unpinned unpinned)
    {
        var owner = unpinned.Segment.Owner;
        Tally(owner, new PinTally(0, 1));
        if (!Release(unpinned.Segment, unpinned.PinId))
        {
            _breaches++;
            return new CheckerBreach(
                $"segment {unpinned.Segment} gave back pin {unpinned.PinId}, which it does not "
                + "hold",
                owner);
        }
        if (_pinsByFrame.Unpin(unpinned.Frame) >= 0) return null;
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
        if (_heldCount == 0) return "no pin is held";
        var lines = _held
            .OrderBy(g => g.Key.Owner.Partition.Value).ThenBy(g => g.Key.Owner.Pid)
            .ThenBy(g => g.Key.Value)
            .Select(g =>
            {
                var pins = g.Value.OrderBy(p => p.Key).ToList();
                var shown = string.Join(", ", pins.Take(pinsShownMax).Select(p =>
                    $"pin {p.Key} (page 0x{p.Value.SourcePage:x} for {p.Value.Attacher} "
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
        foreach (var segment in _held.Keys.Where(s => s.Owner.Partition == partition).ToList())
        {
            _held.Remove(segment, out var pins);
            foreach (var pin in pins!.Values) _pinsByFrame.Unpin(pin.Frame);
            _heldCount -= pins.Count;
        }
        foreach (var owner in _byOwner.Keys.Where(o => o.Partition == partition).ToList())
        {
            _lost += _byOwner[owner];
            _byOwner.Remove(owner);
        }
    }

    /// <summary>The segment gives the pin back: false if it does not hold it.</summary>
    private bool Release(SegId segment, long pinId)
    {
        if (!_held.TryGetValue(segment, out var pins) || !pins.Remove(pinId)) return false;
        _heldCount--;
        if (pins.Count > 0) return true;
        _held.Remove(segment);
        if (_spareTables.Count < SpareTablesMax) _spareTables.Push(pins);
        return true;
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
