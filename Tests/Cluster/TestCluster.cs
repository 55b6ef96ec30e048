using System.Collections.Concurrent;
using Akka.Actor;
using Emulator.Host;
using Emulator.Host.Cluster;
using Emulator.Partitions;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Partitions;
using Emulator.Protocol.Processes;
using Xunit;
using Process = Emulator.Protocol.Partitions.Process;
using Settings = Emulator.Host.Settings;
using Stopwatch = System.Diagnostics.Stopwatch;

namespace Emulator.Tests.Cluster;

/// <summary>
/// A cluster of <see cref="ClusterNode"/>s in the test process, each its own ActorSystem on a
/// free port of 127.0.0.1, the first one the seed; and a driver for the machine they make
/// together, as Host/Sim/SimMachine drives one in sim (spawn, call, wait), with real time and
/// a deadline on every wait. Each node has an inbox for the replies of the partitions it hosts,
/// so a call's request and reply stay on the caller's node and only XPC crosses nodes.
/// </summary>
internal sealed class TestCluster : IDisposable
{
    public static readonly TimeSpan FormTimeout = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    private readonly Dictionary<int, ClusterNode> _hostOf = [];
    private readonly List<BlockingCollection<object>> _inboxes = [];
    private readonly List<IActorRef> _inboxActors = [];
    private long _nextRequest;

    private TestCluster(IReadOnlyList<ClusterNode> nodes, bool driving = false)
    {
        Nodes = nodes;
        foreach (var node in nodes)
        {
            // A driver hosts no partition: every call goes from it to the partition's node.
            var partitions = driving
                ? Enumerable.Range(0, node.Options.Partitions)
                : node.Options.Hosted;
            foreach (var p in partitions) _hostOf[p] = node;
            var inbox = new BlockingCollection<object>();
            _inboxes.Add(inbox);
            _inboxActors.Add(node.System.ActorOf(Props.Create(() => new InboxActor(inbox)),
                "driver"));
        }
    }

    public IReadOnlyList<ClusterNode> Nodes { get; }

    /// <summary>From the first node's start to every node's machine wired and connected.</summary>
    public TimeSpan FormedAfter { get; private set; }

    /// <summary>
    /// Starts one node per entry of <paramref name="placement"/> (the partitions it hosts), waits
    /// until every node sees every partition on an Up member, wires the machine on every node and
    /// waits until every partition's XPC sees every peer Up.
    /// </summary>
    public static async Task<TestCluster> StartAsync(int[][] placement, string? overrides = null)
    {
        var settings = Settings.Load(overrides);
        var partitions = placement.Sum(hosted => hosted.Length);
        var clock = Stopwatch.StartNew();
        var nodes = new List<ClusterNode>();
        try
        {
            nodes.Add(ClusterNode.Start(new(partitions, placement[0], []), settings));
            foreach (var hosted in placement.Skip(1))
                nodes.Add(ClusterNode.Start(new(partitions, hosted, [nodes[0].Address]), settings));
            foreach (var node in nodes)
            {
                if (!await node.WaitForPartitionsAsync(FormTimeout))
                    throw new TimeoutException($"{node.Address} never saw every partition Up");
            }
            var unwired = await Task.WhenAll(nodes.Select(node => node.WireAsync(FormTimeout)));
            if (unwired.Any(left => left.Count > 0))
                throw new TimeoutException("a node could not find every partition");
            var cluster = new TestCluster(nodes);
            cluster.WaitUntil(cluster.AllConnected, FormTimeout, "XPC never connected");
            cluster.FormedAfter = clock.Elapsed;
            return cluster;
        }
        catch
        {
            foreach (var node in nodes) node.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Drives a machine whose partitions live on other nodes (other processes) from
    /// <paramref name="driver"/>, a node that hosts none and is wired to them all: requests and
    /// replies cross nodes. Disposing the result disposes the driver.
    /// </summary>
    public static TestCluster Driving(ClusterNode driver) => new([driver], driving: true);

    public ClusterNode HostOf(int partition) => _hostOf[partition];

    /// <summary>Starts a process on <paramref name="partition"/> and waits for its pid.</summary>
    public TgId Spawn(int partition)
    {
        var id = NextRequestId();
        var on = new PartitionId(partition);
        var node = HostOf(partition);
        node.Wiring.Partitions[partition].Tell(new Partition.Spawn(id,
            new Credentials(1000, 1000), LibraryMode.Libxpmem, new Endpoint(on, InboxOf(node))));
        var spawned = (Partition.Spawned)Receive(node, id);
        return new TgId(on, spawned.Pid);
    }

    /// <summary>Makes one call and waits for how it ended.</summary>
    public Outcome Call(TgId process, Call call)
    {
        var id = Start(process, call);
        return OutcomeOf(Receive(HostOf(process.Partition.Value), id));
    }

    /// <summary>Sends one call; <see cref="Await"/> waits for it.</summary>
    public RequestId Start(TgId process, Call call)
    {
        var id = NextRequestId();
        var node = HostOf(process.Partition.Value);
        node.Wiring.Partitions[process.Partition.Value].Tell(new Partition.Deliver(process,
            new Process.Run(id, call, new Endpoint(process.Partition, InboxOf(node)))));
        return id;
    }

    public Outcome Await(TgId process, RequestId id) =>
        OutcomeOf(Receive(HostOf(process.Partition.Value), id));

    /// <summary>A call that must succeed: its value.</summary>
    public ulong Ok(TgId process, Call call)
    {
        var outcome = Call(process, call);
        Assert.True(outcome.Kind == OutcomeKind.Ok, $"{call} on {process}: {outcome}");
        return outcome.Value;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or the deadline passes.</summary>
    public void WaitUntil(Func<bool> condition, TimeSpan timeout, string what)
    {
        if (!TryWaitUntil(condition, timeout)) throw new TimeoutException($"{what} in {timeout}");
    }

    /// <summary>Polls <paramref name="condition"/>: true once it holds, false at the deadline.</summary>
    public bool TryWaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > timeout) return false;
            Thread.Sleep(10);
        }
        return true;
    }

    /// <summary>
    /// Every partition sees every other one Up on the node that hosts it (XPC connected).
    /// </summary>
    private bool AllConnected() => _hostOf.All(entry => entry.Value.Monitor.Read(monitor =>
        _hostOf.Keys.Where(peer => peer != entry.Key).All(peer =>
            monitor.Peers.UpSince(new(entry.Key), new(peer), 0, orStayed: true))));

    private object Receive(ClusterNode node, RequestId id)
    {
        var inbox = _inboxes[Index(node)];
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < CallTimeout)
        {
            if (!inbox.TryTake(out var reply, CallTimeout - deadline.Elapsed)) break;
            // A reply to an earlier call that was given up on is stale.
            if (IdOf(reply) == id) return reply;
        }
        throw new TimeoutException($"no reply to {id} on {node.Address} in {CallTimeout}");
    }

    private static RequestId? IdOf(object reply) => reply switch
    {
        Partition.Spawned spawned => spawned.RequestId,
        Process.Completed completed => completed.RequestId,
        Refused refused => refused.RequestId,
        _ => null,
    };

    private static Outcome OutcomeOf(object reply) => reply switch
    {
        Process.Completed completed => completed.Outcome,
        Refused => Outcome.Dead(),
        _ => throw new InvalidOperationException($"unexpected reply {reply}"),
    };

    private IActorRef InboxOf(ClusterNode node) => _inboxActors[Index(node)];

    private int Index(ClusterNode node) => Nodes.ToList().IndexOf(node);

    private RequestId NextRequestId() =>
        new(new PartitionId(0), Interlocked.Increment(ref _nextRequest));

    /// <summary>Every node leaves and stops, together; those already stopped are skipped.</summary>
    public void Dispose() =>
        Task.WhenAll(Nodes.Select(node => Task.Run(node.Dispose))).Wait(TimeSpan.FromSeconds(30));

    private sealed class InboxActor : ReceiveActor
    {
        public InboxActor(BlockingCollection<object> inbox) => ReceiveAny(inbox.Add);
    }
}
