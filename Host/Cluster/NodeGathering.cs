using System.Collections.Concurrent;
using Akka.Actor;
using Emulator.Host.Machines;
using Emulator.Partitions;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Cluster;
using Emulator.Partitions.Tracing;
using Emulator.Partitions.Xpc;
using Stopwatch = System.Diagnostics.Stopwatch;

namespace Emulator.Host.Cluster;

/// <summary>
/// How a cluster run's driver learns what happened on its nodes. It gathers in waves: each node
/// reports at a quiet moment of its own (<see cref="NodeReporter"/>), sending its new events
/// ahead of the report. Once two waves in a row find no new event on any node, the events
/// before the first are complete: nothing caused by them can still be missing, and nothing still
/// to come can have caused them; they are merged by logical clock (<see cref="EventMerge"/>)
/// and fed to the checkers and the trace. The same waves tell when the machine settled: every
/// node quiet, and XPC's counts of every direction, kept by the node of each end and merged
/// into the driver's link (which carries nothing: it mirrors theirs), balanced.
/// Used from the driver's one thread; every wait is bounded.
/// </summary>
public sealed class NodeGathering
{
    /// <summary>How long one wave waits for every node's report.</summary>
    private static readonly TimeSpan WaveLimit = NodeReporter.QuietBound * 5;

    /// <summary>How long a wave that found the machine still moving lets it move.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);

    private readonly Dictionary<string, IActorRef> _reporters = [];
    private readonly Dictionary<string, NodeReport> _last = [];
    private readonly HashSet<string> _gone = [];
    // Per partition, the highest pid the checkers saw start there.
    private readonly Dictionary<int, int> _lastPid = [];
    private readonly BlockingCollection<object> _gathered = new();
    private readonly IActorRef _gatherer;
    private readonly EventMerge _merge = new();
    private readonly MachineMonitor _monitor;
    private readonly ITrace _trace;
    private readonly XpcLink _mirror;
    private long _wave;

    /// <summary>
    /// Gathers into <paramref name="monitor"/> and <paramref name="trace"/>, and the nodes' XPC
    /// counts into <paramref name="mirror"/>, through an actor of <paramref name="driver"/>.
    /// </summary>
    public NodeGathering(ActorSystem driver, MachineMonitor monitor, ITrace trace, XpcLink mirror)
    {
        _monitor = monitor;
        _trace = trace;
        _mirror = mirror;
        _gatherer = driver.ActorOf(Produced.By(() => new InboxActor(_gathered.Add)), "gatherer");
    }

    /// <summary>Deliveries on every node, as of the last wave.</summary>
    public long Deliveries => _last.Values.Sum(report => report.Deliveries);

    /// <summary>The highest pid the checkers saw start on <paramref name="partition"/>.</summary>
    public int LastPid(int partition) => _lastPid.GetValueOrDefault(partition);

    /// <summary>Gathers from the node at <paramref name="node"/> from now on.</summary>
    public void Add(Address node, IActorRef reporter) => _reporters[node.ToString()] = reporter;

    /// <summary>
    /// The node at <paramref name="node"/> is gone (killed): no wave waits for it, and what it
    /// sent is released whole with the next release.
    /// </summary>
    public void Lose(Address node)
    {
        if (_reporters.Remove(node.ToString())) _gone.Add(node.ToString());
    }

    /// <summary>Drops what the lost <paramref name="node"/> sent after its last release.</summary>
    public void Forget(Address node) => _merge.Forget(node.ToString());

    /// <summary>Sends <paramref name="order"/> to every node's reporter, in order.</summary>
    public void TellEveryNode(object order)
    {
        foreach (var reporter in _reporters.Values) reporter.Tell(order);
    }

    /// <summary>
    /// Gathers until the machine settled and <paramref name="condition"/> holds on the checkers'
    /// state (true), or <paramref name="limit"/> passed or <paramref name="abandon"/> says there
    /// is no point (false).
    /// </summary>
    public bool Until(Func<bool> condition, TimeSpan limit, Func<bool>? abandon = null) =>
        Gather(limit, () => _mirror.Settled && condition(), quiet: true, abandon);

    /// <summary>Waves until one release, bounded (after a fault order, at a kill).</summary>
    public void Once() => Gather(WaveLimit * 4, () => true, quiet: false);

    /// <summary>
    /// Waves, each compared with the one before: when two in a row saw the same count of events
    /// on every node, those are released, and the gathering ends if <paramref name="done"/>
    /// (and, with <paramref name="quiet"/>, every node was quiet at the second).
    /// </summary>
    private bool Gather(TimeSpan limit, Func<bool> done, bool quiet, Func<bool>? abandon = null)
    {
        var watch = Stopwatch.StartNew();
        Dictionary<string, NodeReport>? previous = null;
        while (watch.Elapsed <= limit && abandon?.Invoke() != true)
        {
            var current = Wave();
            if (current is not null && previous is not null && current.All(entry =>
                previous.TryGetValue(entry.Key, out var before)
                && before.Emitted == entry.Value.Emitted))
            {
                Release(current.ToDictionary(entry => entry.Key, entry => entry.Value.Emitted));
                Absorb(current);
                if ((!quiet || current.Values.All(report => report.Quiet)) && done()) return true;
                // Not there yet (XPC owes a resend, a timer is due): let the machine move.
                Thread.Sleep(PollInterval);
            }
            previous = current;
        }
        return false;
    }

    /// <summary>
    /// Asks every node for a report and waits for all of them (the chunks of events each sends
    /// ahead of its report go to the merge); null if one did not come within
    /// <see cref="WaveLimit"/>.
    /// </summary>
    private Dictionary<string, NodeReport>? Wave()
    {
        var wave = ++_wave;
        TellEveryNode(new ReportRequest(wave, _gatherer));
        var reports = new Dictionary<string, NodeReport>();
        var watch = Stopwatch.StartNew();
        while (reports.Count < _reporters.Count)
        {
            var left = WaveLimit - watch.Elapsed;
            if (left <= TimeSpan.Zero || !_gathered.TryTake(out var message, left)) return null;
            switch (message)
            {
                case EventChunk chunk when !_merge.Forgotten(chunk.Node):
                    _merge.Add(chunk);
                    break;
                case NodeReport report when report.Wave == wave:
                    reports[report.Node] = report;
                    break;
            }
        }
        return reports;
    }

    /// <summary>
    /// Feeds the released events to the checkers and the trace, in merged order; a node that is
    /// gone releases all it sent.
    /// </summary>
    private void Release(Dictionary<string, long> complete)
    {
        foreach (var gone in _gone) complete[gone] = long.MaxValue;
        foreach (var (node, stamped) in _merge.Release(complete))
        {
            if (stamped.Event is ThreadGroupStarted { Tg: var tg })
            {
                _lastPid[tg.Partition.Value] =
                    Math.Max(_lastPid.GetValueOrDefault(tg.Partition.Value), tg.Pid);
            }
            if (stamped.Event is MachineEvent e) _monitor.Observe(e);
            if (_trace.Enabled) _trace.Event(node + stamped.Actor, stamped.Event);
        }
    }

    /// <summary>
    /// Takes what the nodes count: XPC's ledgers, messages carried, actors that threw.
    /// </summary>
    private void Absorb(Dictionary<string, NodeReport> reports)
    {
        foreach (var (node, report) in reports)
        {
            foreach (var mark in report.Ledger) _mirror.Record(mark);
            var last = _last.GetValueOrDefault(node);
            _monitor.XpcCarried(report.XpcCarried - (last?.XpcCarried ?? 0));
            foreach (var failure in report.Failures.Skip(last?.Failures.Count ?? 0))
                _monitor.ActorFailed($"{node}: {failure}");
            _last[node] = report;
        }
    }
}
