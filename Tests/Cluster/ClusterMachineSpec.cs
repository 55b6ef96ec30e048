// Proves the machine runs split over Akka.Cluster nodes, with XPC riding Akka remoting and our
// serializer's binary form: each node is an ActorSystem of its own in this process, on a free port
// of 127.0.0.1, hosting some partitions and wired to the others found on their nodes. A segment
// made on one node is got, attached, read and written from another; a node stopped without
// leaving (as if killed) fails the survivors' requests to it with SIGBUS within XPC's heartbeat
// timeout, and the pins it held on a survivor are dropped there. The figures (formation, time to
// notice the dead node, remote read round trip) are printed for docs/cluster.md.
using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Emulator.Partitions.Serialization;
using Emulator.Partitions.Xpc;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Processes;
using Xunit;
using Xunit.Abstractions;

namespace Emulator.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class ClusterMachineSpec(ITestOutputHelper output)
{
    private const ulong Base = 0x10000;
    private const ulong Pages4 = 4 * Xpmem.PageSize;
    private const ulong Mode0666 = 0x1b6;

    [Fact]
    public async Task ClusterMachine_must_share_a_segment_across_nodes_over_xpc()
    {
        using var cluster = await TestCluster.StartAsync([[0], [1]]);
        output.WriteLine(
            $"2 nodes formed and wired in {cluster.FormedAfter.TotalMilliseconds:F0} ms");
        Assert.All(cluster.Nodes, node => Assert.Equal(XpmemSerializer.Id, node.System
            .Serialization.FindSerializerForType(typeof(XpcActor.Sequenced))
            .Identifier));
        var owner = cluster.Spawn(0);
        var user = cluster.Spawn(1);
        var segment = MakeSegment(cluster, owner);
        var at = Attach(cluster, user, segment);

        Assert.Equal(4UL, cluster.Ok(user, new ReadCall(at + 16, 4)));
        cluster.Ok(user, new WriteCall(at + 16, 4, 99));
        Assert.Equal(99UL, cluster.Ok(owner, new ReadCall(Base + 16, 4)));

        PrintRemoteReads(cluster, user, at);
        await PrintRawRoundTrips(cluster.HostOf(0).System, cluster.HostOf(1).System);
        Assert.True(cluster.HostOf(1).Monitor.XpcMessages > 0, "p1's XPC carried nothing");
        foreach (var process in new[] { user, owner }) cluster.Ok(process, new ExitCall(0));
        var ownerNode = cluster.HostOf(0);
        cluster.WaitUntil(() => ownerNode.Monitor.Read(m => m.Pins.Balanced),
            TimeSpan.FromSeconds(5), "pins on the owner's node balanced");
        Assert.All(cluster.Nodes, node => Assert.Empty(node.Monitor.Failures));
    }

    [Fact]
    public async Task ClusterMachine_must_fail_requests_to_a_dead_node_and_drop_its_pins()
    {
        using var cluster = await TestCluster.StartAsync([[0], [1], [2]]);
        output.WriteLine(
            $"3 nodes formed and wired in {cluster.FormedAfter.TotalMilliseconds:F0} ms");
        // Faults both ways: p1 maps p0's memory (pins on p0's node), p0 maps p1's (pins on p1's).
        var p0 = cluster.Spawn(0);
        var p1 = cluster.Spawn(1);
        var at1 = Attach(cluster, p1, MakeSegment(cluster, p0));
        var at0 = Attach(cluster, p0, MakeSegment(cluster, p1));
        Assert.Equal(4UL, cluster.Ok(p1, new ReadCall(at1 + 16, 4)));
        Assert.Equal(4UL, cluster.Ok(p0, new ReadCall(at0 + 16, 4)));
        var survivor = cluster.HostOf(1);
        Assert.False(survivor.Monitor.Read(m => m.Pins.Balanced), "p0 holds no pin on p1");
        var watch = UnreachableWatch.On(survivor.System);

        var clock = Stopwatch.StartNew();
        cluster.HostOf(0).Abort();
        // A page p1 never touched: its fault goes to p0's node, which is gone.
        var outcome = cluster.Call(p1, new ReadCall(at1 + 2 * Xpmem.PageSize, 4));
        var failedAfter = clock.Elapsed;

        Assert.Equal(Outcome.Signalled(Signal.SIGBUS), outcome);
        var xpc = survivor.Settings.Xpc;
        var heartbeatTimeout = xpc.HeartbeatInterval * (xpc.MissedHeartbeatsMax + 2);
        Assert.True(failedAfter < survivor.Settings.RequestTimeout + heartbeatTimeout,
            $"SIGBUS after {failedAfter}");
        cluster.WaitUntil(() => survivor.Monitor.Read(m => m.Pins.Balanced),
            TimeSpan.FromSeconds(5), "pins on the survivor balanced");
        // The removal is a figure, not held: on a loaded machine the resolver may wait longer
        // for a stable view (NodeProcessSpec says more).
        var removed = cluster.TryWaitUntil(() => watch.Removed is not null,
            TimeSpan.FromSeconds(20));
        output.WriteLine($"SIGBUS on the survivor {failedAfter.TotalMilliseconds:F0} ms after "
            + $"the kill; unreachable after {watch.Unreachable?.TotalMilliseconds:F0} ms, "
            + (removed ? $"removed (downed) after {watch.Removed?.TotalMilliseconds:F0} ms"
                : "not removed within 20 s"));
        Assert.All(cluster.Nodes.Skip(1), node => Assert.Empty(node.Monitor.Failures));
    }

    [Fact]
    public async Task ClusterMachine_must_take_an_unreachable_member_s_partitions_down()
    {
        // XPC's heartbeats and the request deadline too slow to notice within the test: only
        // membership (the cluster's failure detector) can end the pending read.
        using var cluster = await TestCluster.StartAsync([[0], [1], [2]], """
            xpmem-emulator.request-timeout = 60s
            xpmem-emulator.xpc.missed-heartbeats-max = 1000
            """);
        var p0 = cluster.Spawn(0);
        var p1 = cluster.Spawn(1);
        var at1 = Attach(cluster, p1, MakeSegment(cluster, p0));
        var at0 = Attach(cluster, p0, MakeSegment(cluster, p1));
        Assert.Equal(4UL, cluster.Ok(p1, new ReadCall(at1 + 16, 4)));
        Assert.Equal(4UL, cluster.Ok(p0, new ReadCall(at0 + 16, 4)));
        var survivor = cluster.HostOf(1);
        var watch = UnreachableWatch.On(survivor.System);

        var clock = Stopwatch.StartNew();
        cluster.HostOf(0).Abort();
        var outcome = cluster.Call(p1, new ReadCall(at1 + 2 * Xpmem.PageSize, 4));
        var failedAfter = clock.Elapsed;

        Assert.Equal(Outcome.Signalled(Signal.SIGBUS), outcome);
        Assert.True(watch.Unreachable is not null && failedAfter >= watch.Unreachable,
            $"SIGBUS after {failedAfter}, before the member was unreachable");
        cluster.WaitUntil(() => survivor.Monitor.Read(m => m.Pins.Balanced),
            TimeSpan.FromSeconds(5), "pins on the survivor balanced");
        output.WriteLine($"unreachable after {watch.Unreachable?.TotalMilliseconds:F0} ms, "
            + $"SIGBUS after {failedAfter.TotalMilliseconds:F0} ms");
        // The third node's partition lost p0 by membership too, with nothing to sever.
        var bystander = cluster.HostOf(2);
        cluster.WaitUntil(() => bystander.Monitor.Read(m =>
                !m.Peers.UpSince(new(2), new(0), 0, orStayed: true)),
            TimeSpan.FromSeconds(5), "p2 seeing p0 down");
        Assert.All(cluster.Nodes.Skip(1), node => Assert.Empty(node.Monitor.Failures));
    }

    /// <summary>Owner: 4 pages mapped at <see cref="Base"/>, word i = i, made a segment.</summary>
    private static long MakeSegment(TestCluster cluster, TgId owner)
    {
        cluster.Ok(owner, new MmapCall(Base, Pages4));
        cluster.Ok(owner, new FillCall(Base, Pages4, new Index32Pattern(0)));
        return (long)cluster.Ok(owner, new MakeCall(Base, Pages4, Xpmem.PermitMode, Mode0666));
    }

    /// <summary>User: a read-write permit on the segment, attached whole; its address.</summary>
    private static ulong Attach(TestCluster cluster, TgId user, long segment)
    {
        var permit = (long)cluster.Ok(user, new GetCall(segment, Xpmem.RdWr, Xpmem.PermitMode));
        return cluster.Ok(user, new AttachCall(permit, 0, Pages4, null));
    }

    /// <summary>
    /// The same count of bare round trips between the two nodes' systems, through Akka remoting
    /// and our serializer with no emulator in the way: what a remote read costs on top of it.
    /// </summary>
    private async Task PrintRawRoundTrips(ActorSystem from, ActorSystem to)
    {
        const int tripsMax = 500;
        var local = to.ActorOf(Props.Create(() => new EchoActor()), "echo");
        var path = Akka.Cluster.Cluster.Get(to).SelfAddress + "/user/echo";
        var echo = await from.ActorSelection(path).ResolveOne(TimeSpan.FromSeconds(5));
        var ping = new Protocol.Partitions.Partition.PeerReachable(new PartitionId(0));
        var clock = Stopwatch.StartNew();
        var trips = 0;
        while (trips < tripsMax && clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            await echo.Ask<Protocol.Partitions.Partition.PeerReachable>(ping,
                TimeSpan.FromSeconds(2));
            trips++;
        }
        output.WriteLine($"{trips} raw remoting round trips in "
            + $"{clock.Elapsed.TotalMilliseconds:F0} ms: "
            + $"{clock.Elapsed.TotalMicroseconds / trips:F0} us each");
        to.Stop(local);
    }

    /// <summary>
    /// Loads through a remote attachment, one at a time: each is a round trip to the owner's
    /// node (pages live where their owner lives). Bounded in count and time.
    /// </summary>
    private void PrintRemoteReads(TestCluster cluster, TgId user, ulong at)
    {
        const int readsMax = 500;
        var clock = Stopwatch.StartNew();
        var reads = 0;
        while (reads < readsMax && clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            cluster.Ok(user, new ReadCall(at + 16, 4));
            reads++;
        }
        output.WriteLine($"{reads} remote reads in {clock.Elapsed.TotalMilliseconds:F0} ms: "
            + $"{clock.Elapsed.TotalMicroseconds / reads:F0} us per read, "
            + $"{reads / clock.Elapsed.TotalSeconds:F0} reads/s");
    }
}
