// The figures of a cluster run for docs/cluster.md, printed, not held (the machine is shared):
// three node processes formed by `run --mode cluster`'s machine, cross-node first-touch faults
// per second (one process on p1 touching every page of a 1,024-page segment of p0's, one fault at
// a time as one thread does), and, in the same run, raw Akka remoting between two ActorSystems of
// this process with our serializer (sequential round trips, and messages streamed one way): what
// a fault chain costs on top of the network. What it holds is only that the run worked.
using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Settings = Emulator.Host.Settings;
using Emulator.Host.Cluster;
using Emulator.Host.Machines;
using Emulator.Partitions.Serialization;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Partitions;
using Emulator.Protocol.Processes;
using Xunit;
using Xunit.Abstractions;

namespace Emulator.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class ClusterFiguresSpec(ITestOutputHelper output)
{
    private const ulong Base = 0x100000;
    private const ulong Pages = 1024;
    private const ulong Size = Pages * Xpmem.PageSize;
    private const ulong Mode0666 = 0x1b6;

    [Fact]
    public async Task Cluster_figures_must_be_printed_beside_raw_remoting()
    {
        var clock = Stopwatch.StartNew();
        // Page grain: the figures are faults and whole-page accesses; at line grain the check
        // of 1,024 remote pages would be 32,768 cross-node reads.
        var plan = new ClusterPlan(3, []) { Overrides = ["access-grain=page"] };
        using (var machine = new ClusterMachine(3, plan,
            Settings.Load("xpmem-emulator.access-grain = page"), null))
        {
            output.WriteLine($"3 node processes started, joined, wired and connected in "
                + $"{machine.FormedAfter.TotalMilliseconds:F0} ms");
            var owner = machine.Spawn(0, new Credentials(1000, 1000), LibraryMode.Libxpmem)!.Value;
            var user = machine.Spawn(1, new Credentials(1000, 1000), LibraryMode.Libxpmem)!.Value;
            Call(machine, owner, new MmapCall(Base, Size));
            Call(machine, owner, new FillCall(Base, Size, new Index32Pattern(0)));
            var segment = (long)Call(machine, owner,
                new MakeCall(Base, Size, Xpmem.PermitMode, Mode0666));
            var permit = (long)Call(machine, user,
                new GetCall(segment, Xpmem.RdWr, Xpmem.PermitMode));
            var at = Call(machine, user, new AttachCall(permit, 0, Size, null));
            Assert.True(machine.Settle(), "settled before the figures");
            var faultsBefore = machine.Monitor.Faults;

            var touch = Stopwatch.StartNew();
            Call(machine, user, new CheckCall(at, Size, new Index32Pattern(0)));
            var faulted = touch.Elapsed;
            touch.Restart();
            Call(machine, user, new CheckCall(at, Size, new Index32Pattern(0)));
            var mapped = touch.Elapsed;
            Assert.True(machine.Settle(), "settled after the figures");
            var faults = machine.Monitor.Faults - faultsBefore;

            Assert.Equal((long)Pages, faults);
            output.WriteLine($"{faults} cross-node first-touch faults in "
                + $"{faulted.TotalMilliseconds:F0} ms: {faults / faulted.TotalSeconds:F0} "
                + $"faults/s, {faulted.TotalMicroseconds / faults:F0} us each; the same check "
                + $"again (pages mapped, loads through the owner's node) "
                + $"{mapped.TotalMilliseconds:F0} ms");
            await PrintProcessRoundTrips(machine);
        }
        output.WriteLine($"the whole machine, start to gone: {clock.Elapsed.TotalSeconds:F1} s");
        await PrintRawRemoting();
    }

    private static ulong Call(ClusterMachine machine, TgId process, Call call)
    {
        var id = machine.Start(process, call);
        Assert.True(machine.TryNextReply(TimeSpan.FromSeconds(30), out var reply),
            $"no reply to {call}");
        var (replyId, outcome) = MachineReplies.OutcomeOf(reply);
        Assert.Equal(id, replyId);
        Assert.True(outcome.Kind == OutcomeKind.Ok, $"{call}: {outcome}");
        return outcome.Value;
    }

    /// <summary>
    /// Bare round trips from the driver to a node process, same run: Akka's own Identify, which
    /// an actor's cell answers before any handler of ours, to p0's actor on its node.
    /// </summary>
    private async Task PrintProcessRoundTrips(ClusterMachine machine)
    {
        var node = machine.LocalNodes.Single(n => n.Hosted.Contains(0));
        var path = Emulator.Partitions.Cluster.PartitionPlacement.PartitionPath(node.Address!, 0);
        var target = await machine.System.ActorSelection(path).ResolveOne(TimeSpan.FromSeconds(5));
        for (var i = 0; i < 200; i++) await target.Ask<ActorIdentity>(new Identify(i));
        const int trips = 2000;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < trips; i++) await target.Ask<ActorIdentity>(new Identify(i));
        output.WriteLine($"raw remoting between processes, same run: {trips} round trips from "
            + $"the driver to p0's node in {clock.Elapsed.TotalMilliseconds:F0} ms "
            + $"({trips / clock.Elapsed.TotalSeconds:F0}/s, "
            + $"{clock.Elapsed.TotalMicroseconds / trips:F0} us each)");
    }

    /// <summary>
    /// Two systems of this process over loopback remoting with our serializer: round trips one
    /// at a time (what one faulting thread waits for), and a stream one way (the network's
    /// ceiling).
    /// </summary>
    private async Task PrintRawRemoting()
    {
        var config = ConfigurationFactory.ParseString("""
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
            akka.loglevel = ERROR
            """).WithFallback(XpmemSerializer.Config);
        using var from = ActorSystem.Create("raw-from", config);
        using var to = ActorSystem.Create("raw-to", config);
        to.ActorOf(Props.Create(() => new EchoActor()), "echo");
        var address = ((ExtendedActorSystem)to).Provider.DefaultAddress;
        var echo = await from.ActorSelection($"{address}/user/echo")
            .ResolveOne(TimeSpan.FromSeconds(5));
        var ping = new Partition.PeerReachable(new PartitionId(0));
        for (var i = 0; i < 200; i++) await echo.Ask<Partition.PeerReachable>(ping);

        const int trips = 2000;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < trips; i++) await echo.Ask<Partition.PeerReachable>(ping);
        var roundTrips = clock.Elapsed;

        const int streamed = 50_000;
        var counter = to.ActorOf(Props.Create(() => new CountActor(streamed)), "count");
        var sink = await from.ActorSelection($"{address}/user/count")
            .ResolveOne(TimeSpan.FromSeconds(5));
        clock.Restart();
        var done = sink.Ask<int>("done?", TimeSpan.FromSeconds(60));
        for (var i = 0; i < streamed; i++) sink.Tell(ping);
        await done;
        var stream = clock.Elapsed;

        output.WriteLine($"raw remoting in one process, same run: {trips} round trips in "
            + $"{roundTrips.TotalMilliseconds:F0} ms ({trips / roundTrips.TotalSeconds:F0}/s, "
            + $"{roundTrips.TotalMicroseconds / trips:F0} us each); {streamed} messages one way "
            + $"in {stream.TotalMilliseconds:F0} ms ({streamed / stream.TotalSeconds:F0}/s)");
    }

    /// <summary>Counts what it receives; answers "done?" once it has seen them all.</summary>
    private sealed class CountActor : ReceiveActor
    {
        private int _seen;
        private IActorRef? _asker;

        public CountActor(int expected)
        {
            Receive<string>(_ =>
            {
                _asker = Sender;
                if (_seen >= expected) _asker.Tell(_seen);
            });
            Receive<Partition.PeerReachable>(_ =>
            {
                if (++_seen == expected) _asker?.Tell(_seen);
            });
        }
    }
}
