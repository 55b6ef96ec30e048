using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Permits;

/// <summary>
/// A thread group's permits (the kernel's ap hash), by apid and by segment: a zap names a segment,
/// and must cost what that segment's permits cost, not what every permit of the process costs.
/// </summary>
public sealed class PermitTable
{
    private readonly Dictionary<long, PermitState> _byId = [];
    private readonly Dictionary<SegId, List<PermitState>> _bySegment = [];

    public int Count => _byId.Count;

    public IEnumerable<PermitState> All => _byId.Values;

    public PermitState? Find(long apid) => _byId.GetValueOrDefault(apid);

    /// <summary>The permits on <paramref name="segment"/> (none: empty).</summary>
    public IReadOnlyList<PermitState> Of(SegId segment) =>
        _bySegment.TryGetValue(segment, out var permits) ? permits : [];

    public void Add(PermitState permit)
    {
        _byId.Add(permit.Id.Value, permit);
        if (!_bySegment.TryGetValue(permit.Segment, out var permits))
            _bySegment[permit.Segment] = permits = [];
        permits.Add(permit);
    }

    public bool Remove(long apid, out PermitState permit)
    {
        if (!_byId.Remove(apid, out permit!)) return false;
        var permits = _bySegment[permit.Segment];
        permits.Remove(permit);
        if (permits.Count == 0) _bySegment.Remove(permit.Segment);
        return true;
    }

    public void Clear()
    {
        _byId.Clear();
        _bySegment.Clear();
    }
}
