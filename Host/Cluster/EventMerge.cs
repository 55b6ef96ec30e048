using Emulator.Partitions.Cluster;

namespace Emulator.Host.Cluster;

/// <summary>
/// Merges the events a cluster run's nodes send into one order the checkers can judge: each
/// node's arrive in its own order (one connection each), and are released only up to the count a
/// report said was complete, all nodes' together, by logical clock stamp, then node, then the
/// node's own numbering. Stamps order every event after any that could have caused it
/// (<see cref="LogicalClock"/>), so the merged order is one the machine could have run in.
/// Plain state; the driver's one thread uses it.
/// </summary>
public sealed class EventMerge
{
    private readonly Dictionary<string, List<StampedEvent>> _waiting = [];
    private readonly List<string> _nodes = [];
    private readonly HashSet<string> _forgotten = [];

    /// <summary>Events received and not released yet.</summary>
    public int Waiting => _waiting.Values.Sum(events => events.Count);

    /// <summary>Takes a chunk as it came.</summary>
    public void Add(EventChunk chunk)
    {
        if (!_waiting.TryGetValue(chunk.Node, out var events))
        {
            _waiting[chunk.Node] = events = [];
            _nodes.Add(chunk.Node);
        }
        events.AddRange(chunk.Events);
    }

    /// <summary>
    /// Drops what <paramref name="node"/> sent and will send: it is gone, and the checkers were
    /// told so.
    /// </summary>
    public void Forget(string node)
    {
        _forgotten.Add(node);
        if (_waiting.TryGetValue(node, out var events)) events.Clear();
    }

    /// <summary>True for a node <see cref="Forget"/> dropped.</summary>
    public bool Forgotten(string node) => _forgotten.Contains(node);

    /// <summary>
    /// The events numbered below each node's count in <paramref name="complete"/> (a node not
    /// named releases nothing; <see cref="long.MaxValue"/> releases all it sent, for a node that
    /// is gone), merged, oldest first; they leave the merge.
    /// </summary>
    public List<(string Node, StampedEvent Event)> Release(
        IReadOnlyDictionary<string, long> complete)
    {
        var released = new List<(string Node, StampedEvent Event, int Rank)>();
        for (var rank = 0; rank < _nodes.Count; rank++)
        {
            var node = _nodes[rank];
            if (!complete.TryGetValue(node, out var count)) continue;
            var events = _waiting[node];
            var ready = events.TakeWhile(e => e.Sequence < count).Count();
            released.AddRange(events.Take(ready).Select(e => (node, e, rank)));
            events.RemoveRange(0, ready);
        }
        released.Sort((a, b) => a.Event.Stamp != b.Event.Stamp
            ? a.Event.Stamp.CompareTo(b.Event.Stamp)
            : a.Rank != b.Rank ? a.Rank.CompareTo(b.Rank)
            : a.Event.Sequence.CompareTo(b.Event.Sequence));
        return [.. released.Select(r => (r.Node, r.Event))];
    }
}
