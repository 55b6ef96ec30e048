using Akka.Actor;
using Emulator.Partitions.Tracing;

namespace Emulator.Partitions.Cluster;

/// <summary>
/// A cluster node's trace: every event its actors report, numbered and stamped with the node's
/// <see cref="LogicalClock"/> in the order they happen here, then sent to the driver that asked
/// for them (in chunks, as they fill, and at each report), so the driver's checkers judge the
/// whole machine's events merged into one order (<c>ClusterMachine</c>). Deliveries are not
/// sent: they are the bulk of a trace and say nothing a checker needs. Until a driver asks,
/// events wait here. Thread safe: actors report from pool threads; each event is stamped and
/// queued under one lock, so the numbering, the stamps and the order sent agree.
/// </summary>
public sealed class EventLog(LogicalClock clock, string node) : ITrace
{
    /// <summary>Events per chunk: a chunk stays well under a remoting frame (128 kB).</summary>
    public const int ChunkEvents = 256;

    private readonly object _gate = new();
    private List<StampedEvent> _pending = [];
    private long _emitted;
    private IActorRef? _driver;

    public bool Enabled => true;

    /// <summary>How many events happened here so far.</summary>
    public long Emitted
    {
        get
        {
            lock (_gate) return _emitted;
        }
    }

    public void Delivered(string actor, object message)
    {
    }

    public void Event(string actor, ITraceEvent @event)
    {
        lock (_gate)
        {
            _pending.Add(new StampedEvent(_emitted++, clock.Tick(), actor, @event));
            if (_driver is not null && _pending.Count >= ChunkEvents) Ship(_driver);
        }
    }

    /// <summary>
    /// Sends every event still here to <paramref name="driver"/>, then <paramref name="report"/>,
    /// in that order; from now on chunks go to <paramref name="driver"/> as they fill.
    /// </summary>
    public void Report(IActorRef driver, NodeReport report)
    {
        lock (_gate)
        {
            _driver = driver;
            if (_pending.Count > 0) Ship(driver);
            driver.Tell(report, ActorRefs.NoSender);
        }
    }

    private void Ship(IActorRef driver)
    {
        driver.Tell(new EventChunk(node, _pending), ActorRefs.NoSender);
        _pending = [];
    }
}
