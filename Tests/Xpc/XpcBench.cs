using Akka.Actor;
using Akka.Actor.Dsl;
using Emulator.Partitions;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Sim;
using Emulator.Partitions.Tracing;
using Emulator.Partitions.Xpc;
using Emulator.Protocol.Ids;
using Emulator.Tests.Sim;

namespace Emulator.Tests.Xpc;

/// <summary>
/// Real XPC endpoints on a sim system (seeded, virtual time, one thread), wired to recorders: one
/// per partition (what the endpoint tells its partition) and one receiver per partition (what it
/// hands over). Deliveries cost no time, so a timer's effect shows at its exact due time. With
/// <c>silentPeer</c>, partition 1's endpoint is a recorder too: it takes packets and answers none.
/// </summary>
internal sealed class XpcBench : IDisposable
{
    public static readonly PartitionId P0 = new(0);
    public static readonly PartitionId P1 = new(1);

    private readonly ActorSystem _system;

    public XpcBench(int seed, XpcSettings? settings = null, int partitions = 2,
        bool silentPeer = false)
    {
        (_system, Loop) = SimSpecs.Create("xpc", seed);
        Link = XpcLink.ForRun(seed);
        Wiring = new MachineWiring(Link);
        Trace = new RecordingTrace(Loop);
        var machine = new MachineContext(
            EmulatorSettings.Default with { Xpc = settings ?? XpcSettings.Default },
            new MachineMonitor(), Trace);
        var endpoints = new List<IActorRef>();
        for (var p = 0; p < partitions; p++)
        {
            Partition.Add(new List<(TimeSpan, object)>());
            Received.Add(new List<(TimeSpan, object)>());
            var id = new PartitionId(p);
            endpoints.Add(silentPeer && p == 1
                ? Recorder($"silent-xpc-{p}", SilentPeer)
                : _system.ActorOf(XpcActor.Props(machine, id, partitions, Wiring), $"xpc-p{p}"));
        }
        Receivers = [.. Enumerable.Range(0, partitions).Select(p => Recorder($"r{p}", Received[p]))];
        // Each partition stands in for one that tears a peer down at once (it has no processes).
        var partitionRecorders = Enumerable.Range(0, partitions)
            .Select(p => Recorder($"p{p}", Partition[p], (message, xpc) =>
            {
                if (message is Protocol.Partitions.Partition.PeerUnreachable unreachable)
                    xpc.Tell(new XpcActor.PeerTornDown(unreachable.Peer));
            })).ToList();
        Wiring.Wire(endpoints, partitionRecorders);
        Loop.RunUntilIdle();
    }

    public SimLoop Loop { get; }

    public XpcLink Link { get; }

    public MachineWiring Wiring { get; }

    public RecordingTrace Trace { get; }

    /// <summary>What each partition's endpoint told its partition, with when.</summary>
    public List<List<(TimeSpan At, object Message)>> Partition { get; } = [];

    /// <summary>What each partition's receiver was handed, with when.</summary>
    public List<List<(TimeSpan At, object Message)>> Received { get; } = [];

    /// <summary>With a silent peer: every packet partition 1's endpoint got.</summary>
    public List<(TimeSpan At, object Message)> SilentPeer { get; } = [];

    public IReadOnlyList<IActorRef> Receivers { get; }

    /// <summary>Sends <paramref name="message"/> from a partition to another's receiver.</summary>
    public void Send(int from, int to, object message) =>
        new XpcPort(new PartitionId(from), Wiring)
            .Send(new Endpoint(new PartitionId(to), Receivers[to]), message);

    /// <summary>The messages partition <paramref name="to"/>'s receiver got, in order.</summary>
    public List<object> MessagesAt(int to) => [.. Received[to].Select(r => r.Message)];

    /// <summary>Packets of type <typeparamref name="T"/> the endpoint at that path handled.</summary>
    public List<(TimeSpan At, T Packet)> PacketsAt<T>(string endpoint) =>
        [.. Trace.Deliveries.Where(d => d.Actor.EndsWith(endpoint, StringComparison.Ordinal)
            && d.Message is T).Select(d => (d.At, (T)d.Message))];

    public void Dispose() => SimSystem.Shutdown(_system);

    private IActorRef Recorder(string name, List<(TimeSpan, object)> log,
        Action<object, IActorRef>? answer = null)
    {
        var loop = Loop;
        return _system.ActorOf(act => act.ReceiveAny((message, context) =>
        {
            log.Add((loop.Now, message));
            answer?.Invoke(message, context.Sender);
        }), name);
    }
}

/// <summary>A trace that keeps every delivery to an emulator actor and every event.</summary>
internal sealed class RecordingTrace(SimLoop loop) : ITrace
{
    public List<(TimeSpan At, string Actor, object Message)> Deliveries { get; } = [];

    public List<(TimeSpan At, string Actor, ITraceEvent Event)> Events { get; } = [];

    public bool Enabled => true;

    public void Delivered(string actor, object message) =>
        Deliveries.Add((loop.Now,
            actor, message is IWrappedMessage wrapped ? wrapped.Message : message));

    public void Event(string actor, ITraceEvent @event) => Events.Add((loop.Now, actor, @event));
}
