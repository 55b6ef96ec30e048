using Akka.Actor;
using Akka.Configuration;
using Emulator.Partitions;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Cluster;
using Emulator.Partitions.Live;
using Emulator.Partitions.Serialization;
using Emulator.Partitions.Xpc;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Emulator.Host.Cluster;

/// <summary>
/// What a node is told at its start: the machine's size, the partitions it hosts, where it
/// listens (port 0: a free port the OS chooses; <see cref="ClusterNode.Address"/> tells which),
/// and the seed nodes it joins (none: it founds the cluster, joining itself). A node started
/// again for a restart boots its partitions as incarnation <see cref="Incarnation"/> and numbers
/// their processes from <see cref="FirstPid"/> (null: akka.hocon's <c>first-pid</c>), above
/// every pid of the last incarnation, so no id from before names a new process.
/// </summary>
public sealed record ClusterNodeOptions(int Partitions, IReadOnlyList<int> Hosted,
    IReadOnlyList<Address> SeedNodes, string Hostname = "127.0.0.1", int Port = 0,
    int Incarnation = 1, int? FirstPid = null);

/// <summary>
/// One member of a cluster run (issue 7): an ActorSystem named <see cref="SystemName"/> with
/// Akka.Cluster, our serializer for everything that crosses nodes, and its part of the machine
/// (the hosted partitions and their XPC endpoints, <see cref="MachineActor.Hosting"/>) with its
/// own checkers' monitor. The other partitions are wired once found on their nodes
/// (<see cref="PartitionFinder"/>; <see cref="WireAsync"/> waits for it), so XPC between nodes
/// rides Akka remoting.
/// Everything here runs outside actors (the process's edge), so it may wait, always bounded.
/// </summary>
public sealed class ClusterNode : IDisposable
{
    /// <summary>Every node's system has this name: the actor paths of a partition differ only
    /// by the node's address.</summary>
    public const string SystemName = "xpmem";

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan IdentifyTimeout = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(10);

    private readonly AkkaCluster _cluster;

    private ClusterNode(ActorSystem system, ClusterNodeOptions options, Config config)
    {
        System = system;
        Options = options;
        _cluster = AkkaCluster.Get(system);
        Settings = EmulatorSettings.Create(config);
        Monitor = new MachineMonitor(Settings.LockOrder);
        Log = new EventLog(LogicalClock.Of(system), Address.ToString());
        Context = new MachineContext(Settings, Monitor, Log);
        system.ActorOf(MachineActor.Hosting(Context, options.Partitions, options.Hosted, Wiring,
            options.Incarnation), PartitionPlacement.MachineName);
        system.ActorOf(MembershipWatch.Props(Wiring, options.Hosted), "membership");
        system.ActorOf(PartitionFinder.Props(Wiring, options.Hosted), "finder");
        ((ExtendedActorSystem)system).SystemActorOf(NodeReporter.Props(Address.ToString(), Log,
            LiveSystem.ActivityOf(system), Wiring, Monitor), NodeReporter.Name);
    }

    public ActorSystem System { get; }

    public ClusterNodeOptions Options { get; }

    public EmulatorSettings Settings { get; }

    public MachineContext Context { get; }

    /// <summary>
    /// Every event of this node's actors, for a driver that gathers the machine's
    /// (<see cref="NodeReporter"/>).
    /// </summary>
    public EventLog Log { get; }

    /// <summary>This node's checkers: they see what its own actors do.</summary>
    public MachineMonitor Monitor { get; }

    /// <summary>Every partition's actors: the hosted ones at once, the others once wired.</summary>
    public MachineWiring Wiring { get; } = new();

    /// <summary>The address the node is bound to (the real port when started on 0).</summary>
    public Address Address => _cluster.SelfAddress;

    /// <summary>
    /// Starts a node: its system (the cluster settings of <paramref name="settings"/>, the
    /// emulator's akka.hocon with overrides, under this node's address and roles), its part of
    /// the machine, and its join. Remoting's switches are set first
    /// (<see cref="RemotingSwitches"/>).
    /// </summary>
    public static ClusterNode Start(ClusterNodeOptions options, Config settings)
    {
        RemotingSwitches.Set();
        var config = ConfigurationFactory.ParseString(NodeHocon(options))
            .WithFallback(settings)
            .WithFallback(XpmemSerializer.Config);
        ActorSystem system;
        try
        {
            // A live system: it counts what the node's actors do, so a report can wait for a
            // quiet moment; its runs stay on the pool's shared queue (LiveSystem.Create).
            system = LiveSystem.Create(SystemName, config, localQueues: false);
        }
        catch (Exception e) when (SocketProblem(e) is { } socket)
        {
            throw new ClusterStartException($"cannot listen on {options.Hostname}:"
                + $"{options.Port}: {socket.Message}");
        }
        try
        {
            var node = new ClusterNode(system, options, config);
            if (options.SeedNodes.Count == 0) node._cluster.Join(node.Address);
            else node._cluster.JoinSeedNodes(options.SeedNodes);
            return node;
        }
        catch
        {
            system.Terminate().Wait(TimeSpan.FromSeconds(5));
            throw;
        }
    }

    /// <summary>The socket error under an exception of remoting's start, if that is what it
    /// was.</summary>
    private static System.Net.Sockets.SocketException? SocketProblem(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is System.Net.Sockets.SocketException socket) return socket;
            if (e is AggregateException { InnerExceptions: [var inner] }) e = inner;
        }
        return null;
    }

    /// <summary>
    /// What makes this system a node: the cluster provider, the address it binds, and one role
    /// per hosted partition (how every member learns the placement).
    /// </summary>
    private static string NodeHocon(ClusterNodeOptions options)
    {
        var roles = string.Join(", ",
            options.Hosted.Select(p => $"\"{PartitionPlacement.RoleOf(p)}\""));
        return $$"""
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp.hostname = "{{options.Hostname}}"
            akka.remote.dot-netty.tcp.port = {{options.Port}}
            # A port one node holds is refused to the next, as Linux would without this: Akka's
            # default lets two nodes bind one port and share its connections.
            akka.remote.dot-netty.tcp.tcp-reuse-addr = off
            akka.cluster.roles = [{{roles}}]
            # Nothing crosses nodes as JSON: a type with no binding of its own meets our
            # serializer, which refuses it by name, where Akka's JSON fallback would send it
            # (and the receiver might drop it with only a log line).
            akka.actor.serialization-bindings { "System.Object" = xpmem }
            # Leaving is Dispose's job; a bare Terminate is Abort, a death the others notice.
            akka.coordinated-shutdown.run-by-actor-system-terminate = off
            {{(options.FirstPid is { } first ? $"xpmem-emulator.first-pid = {first}" : "")}}
            """;
    }

    /// <summary>
    /// Waits until every partition of the machine is hosted by a member that is Up; false at the
    /// deadline.
    /// </summary>
    public async Task<bool> WaitForPartitionsAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (HostsUp().Count == Options.Partitions) return true;
            await Task.Delay(PollInterval);
        }
        return false;
    }

    /// <summary>
    /// Waits until every partition's slot of <see cref="Wiring"/> is wired: the hosted ones by
    /// the machine here, the others by <see cref="PartitionFinder"/> as their members come Up.
    /// Returns the partitions still unwired at the deadline (none: the machine is whole).
    /// </summary>
    public async Task<IReadOnlyList<int>> WireAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Unwired() is { Count: > 0 } unwired)
        {
            if (DateTime.UtcNow >= deadline) return unwired;
            await Task.Delay(PollInterval);
        }
        return [];
    }

    private List<int> Unwired() =>
        [.. Enumerable.Range(0, Options.Partitions).Where(p => !Wiring.IsWired(new(p)))];

    /// <summary>Each partition hosted by a member that is Up, with that member's address.</summary>
    public Dictionary<int, Address> HostsUp()
    {
        var hosts = new Dictionary<int, Address>();
        foreach (var member in _cluster.State.Members)
        {
            if (member.Status != Akka.Cluster.MemberStatus.Up) continue;
            foreach (var partition in PartitionPlacement.HostedBy(member))
                hosts[partition] = member.Address;
        }
        return hosts;
    }

    /// <summary>
    /// The actor at <paramref name="path"/>, asked again until it answers (a node just started
    /// may not have it yet, or the connection to it may still be forming), or null at the
    /// deadline.
    /// </summary>
    public async Task<IActorRef?> FindAsync(ActorPath path, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        do
        {
            if (await IdentifyAsync(path) is { } found) return found;
        }
        while (DateTime.UtcNow < deadline);
        return null;
    }

    /// <summary>
    /// The actor at <paramref name="path"/> (on any node), or null if none answered.
    /// </summary>
    public async Task<IActorRef?> IdentifyAsync(ActorPath path)
    {
        try
        {
            var identity = await System.ActorSelection(path)
                .Ask<ActorIdentity>(new Identify(path.ToString()), IdentifyTimeout);
            return identity.Subject;
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }

    /// <summary>
    /// Leaves the cluster and stops the system (Akka's coordinated shutdown: the others see a
    /// member that left, not one that died), bounded.
    /// </summary>
    public void Dispose()
    {
        if (System.WhenTerminated.IsCompleted) return;
        CoordinatedShutdown.Get(System)
            .Run(CoordinatedShutdown.ClusterLeavingReason.Instance)
            .Wait(ShutdownTimeout);
        System.WhenTerminated.Wait(ShutdownTimeout);
    }

    /// <summary>
    /// Stops the system without leaving, as a killed process would: the others learn it only
    /// from silence (XPC's heartbeats, the cluster's failure detector). Bounded.
    /// </summary>
    public void Abort() => System.Terminate().Wait(ShutdownTimeout);
}
