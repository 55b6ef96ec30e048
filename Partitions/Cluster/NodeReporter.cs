using Akka.Actor;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Live;
using Emulator.Partitions.Xpc;

namespace Emulator.Partitions.Cluster;

/// <summary>
/// A cluster node's side of the driver's gathering: reports the node's state at its next quiet
/// moment (<see cref="ReportRequest"/>), and sets the link faults the driver orders on the
/// node's own link (<see cref="LinkOrder"/>), in the order they come. A system actor, so its own
/// work never counts against the quiet it waits for. The wait for quiet blocks, so it runs on a
/// pool thread of its own and answers from there, bounded.
/// Level: beside the machine; it reads the node's counters and waits for no actor.
/// </summary>
public sealed class NodeReporter : ReceiveActor
{
    /// <summary>
    /// How long one report waits for a quiet moment before it says it found none.
    /// </summary>
    public static readonly TimeSpan QuietBound = TimeSpan.FromSeconds(1);

    /// <summary>Its name under <c>/system</c> on every node.</summary>
    public const string Name = "xpmem-reporter";

    public NodeReporter(string node, EventLog log, LiveActivity activity, MachineWiring wiring,
        MachineMonitor monitor)
    {
        Receive<ReportRequest>(request => Task.Run(() =>
        {
            NodeReport? report = null;
            // Read at the quiet moment itself, under the activity's lock: no handler runs then.
            var quiet = activity.WaitUntilQuiet(() =>
            {
                report = Read(request.Wave, quiet: true);
                return true;
            }, QuietBound);
            log.Report(request.ReplyTo, report ?? Read(request.Wave, quiet));
        }));
        Receive<LinkOrder>(order => order.Fault.ApplyTo(wiring.Link));

        NodeReport Read(long wave, bool quiet) => new(node, wave, quiet, log.Emitted,
            wiring.Link.Marks(), monitor.XpcMessages, activity.Deliveries, monitor.Failures);
    }

    public static Props Props(string node, EventLog log, LiveActivity activity,
        MachineWiring wiring, MachineMonitor monitor) =>
        Produced.By(() => new NodeReporter(node, log, activity, wiring, monitor));
}
