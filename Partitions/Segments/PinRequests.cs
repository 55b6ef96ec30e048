using Emulator.Protocol.Faults;
using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Segments;

/// <summary>
/// The faults a segment is serving, its readers of seg->sema, in two stages: a lookup waits for
/// the owner's mm to find and pin the page; a hold has its pin on the way to the attacher and ends
/// when the attacher says Done (the PTE is installed or the pin given back). A recall or remove
/// waits for the holds only (a lookup may be parked behind the very write that recalls). A remove
/// marks the lookups it overtakes invalid (SGI's page_requests): their answers are given back and
/// the faults refused, as the segment is gone. Plain state, no actor.
/// </summary>
public sealed class PinRequests
{
    private readonly Dictionary<RequestId, Lookup> _lookups = [];
    private readonly Dictionary<RequestId, Held> _holds = [];

    /// <summary>A fault whose page is pinned under <paramref name="PinId"/>.</summary>
    public readonly record struct Held(long PinId, Fault.Pin Pin);

    /// <summary>One lookup in flight, with what has happened to it meanwhile.</summary>
    public sealed class Lookup(Fault.Pin pin)
    {
        public Fault.Pin Pin { get; } = pin;

        /// <summary>An invalidation overlapped it: its answer must not be used.</summary>
        public bool Invalid { get; set; }

        /// <summary>Its fault timed out: nobody takes the answer.</summary>
        public bool Abandoned { get; set; }
    }

    public int Lookups => _lookups.Count;

    public int Holds => _holds.Count;

    /// <summary>No reader at all: the segment may be freed.</summary>
    public bool Idle => _lookups.Count == 0 && _holds.Count == 0;

    public void StartLookup(Fault.Pin pin)
    {
        Invariant.Holds(!_lookups.ContainsKey(pin.RequestId) && !_holds.ContainsKey(pin.RequestId),
            $"fault {pin.RequestId} is already served");
        _lookups[pin.RequestId] = new Lookup(pin);
    }

    /// <summary>The owner answered a lookup: it leaves the lookups (it must be one).</summary>
    public Lookup EndLookup(RequestId id)
    {
        Invariant.Holds(_lookups.Remove(id, out var lookup),
            $"the owner answered lookup {id}, which the segment does not have");
        return lookup!;
    }

    /// <summary>The page is pinned under <paramref name="pinId"/> and on its way.</summary>
    public void Hold(Fault.Pin pin, long pinId) => _holds[pin.RequestId] = new Held(pinId, pin);

    /// <summary>The attacher is done with the hold; null if there was none (stale).</summary>
    public Held? EndHold(RequestId id) => _holds.Remove(id, out var held) ? held : null;

    /// <summary>
    /// Marks the lookups whose source lies in [start, end) invalid; returns how many.
    /// </summary>
    public int Invalidate(ulong start, ulong end)
    {
        var marked = 0;
        foreach (var lookup in _lookups.Values)
        {
            if (lookup.Pin.SourceAddress < start || lookup.Pin.SourceAddress >= end) continue;
            lookup.Invalid = true;
            marked++;
        }
        return marked;
    }

    /// <summary>
    /// Partition <paramref name="peer"/> went down: the faults of its attachers are abandoned
    /// (their ids carry the partition they started on); returns their holds, whose pins are to
    /// be unpinned.
    /// </summary>
    public List<Held> AbandonFrom(PartitionId peer)
    {
        foreach (var lookup in _lookups.Values)
        {
            if (lookup.Pin.RequestId.Origin == peer) lookup.Abandoned = true;
        }
        var held = _holds.Where(h => h.Key.Origin == peer).OrderBy(h => h.Key).ToList();
        foreach (var (id, _) in held) _holds.Remove(id);
        return held.Select(h => h.Value).ToList();
    }

    /// <summary>
    /// A fault nobody waits for: a lookup is marked (its answer will be given back); a hold ends at
    /// once and is returned, its pin to be unpinned (the attacher never got it).
    /// </summary>
    public Held? Abandon(RequestId id)
    {
        if (_lookups.TryGetValue(id, out var lookup))
        {
            lookup.Abandoned = true;
            return null;
        }
        return _holds.Remove(id, out var held) ? held : null;
    }
}
