using System.Runtime.InteropServices;
using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Checks;

/// <summary>
/// Refcounts back to zero: after the run's teardown every segment is freed (no permit or pin
/// refers to it) and every thread group has stopped (no segment of it is referenced). Segments
/// are counted per id: after a close and a new open, a segid can name a removed segment still
/// referenced and a new one at once.
/// </summary>
public sealed class RefcountChecker : IChecker
{
    private static readonly Comparer<TgId> ByPartitionThenPid = Comparer<TgId>.Create((a, b) =>
        a.Partition.Value != b.Partition.Value ? a.Partition.Value.CompareTo(b.Partition.Value)
        : a.Pid.CompareTo(b.Pid));

    // Hashed, not sorted: only a failed verdict lists what is left, and sorts it then (a sorted
    // set through a comparer delegate cost a microsecond a process start and stop).
    private readonly Dictionary<long, int> _segments = [];
    private readonly HashSet<TgId> _threadGroups = [];
    private long _segmentsMade;
    private long _threadGroupsStarted;

    public string Name => "refcounts back to zero";

    public int ThreadGroupsAlive => _threadGroups.Count;

    public int SegmentsAlive => _segments.Values.Sum();

    public CheckerBreach? Observe(MachineEvent e)
    {
        switch (e)
        {
            case SegmentMade made:
                _segmentsMade++;
                CollectionsMarshal.GetValueRefOrAddDefault(_segments, made.Segment.Value, out _)++;
                break;
            case SegmentFreed freed:
                var left = _segments.GetValueOrDefault(freed.Segment.Value) - 1;
                if (left > 0) _segments[freed.Segment.Value] = left;
                else _segments.Remove(freed.Segment.Value);
                break;
            case ThreadGroupStarted started:
                _threadGroupsStarted++;
                _threadGroups.Add(started.Tg);
                break;
            case ThreadGroupStopped stopped:
                _threadGroups.Remove(stopped.Tg);
                break;
            case PartitionCrashed crashed:
                // Gone at once, without teardown: nothing of it can be freed any more.
                Crashed(crashed.Partition);
                break;
        }
        return null;
    }

    // A method of its own: a lambda in Observe would have C# make its closure as Observe starts,
    // for every event (32 bytes each; the machine emits several per fault).
    private void Crashed(PartitionId partition)
    {
        _threadGroups.RemoveWhere(tg => tg.Partition == partition);
        foreach (var segment in _segments.Keys
            .Where(s => new SegId(s).Owner.Partition == partition).ToList())
            _segments.Remove(segment);
    }

    public CheckerReport Final()
    {
        var saw = $"{Counted.Of(_segmentsMade, "segment")} made, "
            + $"{Counted.Of(_threadGroupsStarted, "thread group")} started, all freed";
        if (_segments.Count == 0 && _threadGroups.Count == 0) return new(Name, true, saw);
        var segments = string.Join(", ",
            _segments.Keys.Order().Take(8).Select(id => new SegId(id)));
        saw = saw[..saw.LastIndexOf(',')];
        return new(Name, false, $"{saw}; left: {SegmentsAlive} segments "
            + $"({segments}), {_threadGroups.Count} thread groups "
            + $"({string.Join(", ", _threadGroups.Order(ByPartitionThenPid).Take(8))})");
    }
}
