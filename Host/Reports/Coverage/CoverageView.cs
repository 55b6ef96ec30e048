using Emulator.Host.Reports.Timeline;
using Emulator.Partitions.Locks;

namespace Emulator.Host.Reports.Coverage;

/// <summary>
/// Counts one run's coverage from its trace read back (the report's way): the same items
/// <see cref="CoverageTrace"/> counts from the live run, by the same catalogue.
/// </summary>
public sealed class CoverageView : ITimelineView
{
    private readonly ProtocolCoverage _coverage;
    private readonly HashSet<int> _lookedUp = [];
    private readonly List<int> _items = [];

    internal CoverageView(ProtocolCoverage coverage) => _coverage = coverage;

    public void Delivered(Delivery delivery, TraceLine line)
    {
        var inChain = delivery.Chain is not null;
        var wrapped = delivery.Type != delivery.MessageType;
        if (!wrapped) CoverageCatalogue.ForMessage(delivery.MessageType, inChain, _items);
        else if (inChain) CoverageCatalogue.ForMessage(delivery.Type, true, _items);
        if (delivery.Chain is { } chain && !wrapped && delivery.MessageType == "FindPage"
            && !_lookedUp.Add(chain.Index)) _items.Add(CoverageCatalogue.LookupRetried);
        Flush();
    }

    public void Happened(TraceLine line)
    {
        var detail = line.Kind switch
        {
            "accessed" => line.Json.TryGetProperty("write", out var write) && write.GetBoolean()
                ? "write" : "read",
            "peer_state_changed" => TraceLine.Text(line.Json, "state"),
            _ => null,
        };
        CoverageCatalogue.ForEvent(line.Kind, detail, _items);
        Flush();
    }

    public void LockLeft(LockSpan visit)
    {
        if (!CoverageCatalogue.LockKinds.Any(k => k.Name == visit.LockKind)) return;
        var kind = CoverageCatalogue.LockKinds.First(k => k.Name == visit.LockKind).Kind;
        var mode = visit.Mode == nameof(LockMode.Write) ? LockMode.Write : LockMode.Read;
        if (visit.WaitNs is not null)
            CoverageCatalogue.ForLock(kind, CoverageCatalogue.Waited(mode), _items);
        if (visit.AcquiredNs is not null)
            CoverageCatalogue.ForLock(kind, CoverageCatalogue.Held(mode), _items);
        if (visit.Released)
        {
            CoverageCatalogue.ForLock(kind,
                visit.AcquiredNs is null ? LockStage.StoppedWaiting : LockStage.Released, _items);
        }
        Flush();
    }

    private void Flush()
    {
        foreach (var item in _items) _coverage.Count(item);
        _items.Clear();
    }
}
