// Proves the PartitionActor is a kernel's tg hash and router: it gives pids from the configured
// first pid upwards (forks included), hands a Deliver to the named process, answers ENOENT to the
// request's ReplyTo for a pid it does not have (across XPC if the asker is elsewhere), and sends a
// Deliver for another partition out through the interconnect. A crash stops every process on the
// spot (no reply, no teardown) and is reported to the checkers; a restart boots the partition empty
// with pids going on, so an old pid names nobody. A peer XPC gave up on goes GOINGDOWN, then DOWN
// once every process severed it (XPC is told it may reconnect), and calls to it fail with ENOLINK
// until it is UP again.
// How: the partition under test is p0 of a wiring whose interconnect and partition p1 are probes;
// its processes are real ThreadGroupActors, driven by Run requests whose replies go to a probe.
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Emulator.Partitions;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Memory;
using Emulator.Partitions.Processes;
using Emulator.Partitions.Tracing;
using Emulator.Partitions.Xpc;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Partitions;
using Emulator.Protocol.Processes;
using Xunit;
using static Emulator.Tests.Partitions.ActorSpecSupport;
using static Emulator.Tests.Partitions.WiredSpecSupport;

namespace Emulator.Tests.Partitions;

public sealed class PartitionActorSpec : TestKit
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);
    private static readonly Credentials User = new(1000, 100);

    private readonly TestProbe _xpc;
    private readonly TestProbe _p1;
    private readonly TestProbe _runner;
    private long _request;

    public PartitionActorSpec() : base(VirtualTime)
    {
        _xpc = CreateTestProbe("xpc");
        _p1 = CreateTestProbe("p1");
        _runner = CreateTestProbe("runner");
    }

    [Fact]
    public void PartitionActor_must_give_pids_from_the_first_pid_upwards()
    {
        var partition = Start(EmulatorSettings.Default with { FirstPid = 500 });
        Assert.Equal(500, Spawn(partition, LibraryMode.Raw));
        Assert.Equal(501, Spawn(partition, LibraryMode.Libxpmem));
        Assert.Equal(502, Spawn(partition, LibraryMode.Raw));

        // Each pid names its own process; a fork's child takes the next pid.
        Assert.Equal(Outcome.Ok(Xpmem.Version), Call(partition, 500, new VersionCall()));
        Assert.Equal(Outcome.Ok(503), Call(partition, 501, new ForkCall()));
        Assert.Equal(504, Spawn(partition, LibraryMode.Raw));
        _xpc.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void PartitionActor_must_start_with_the_default_first_pid()
    {
        var partition = Start(EmulatorSettings.Default);
        Assert.Equal(EmulatorSettings.Default.FirstPid, Spawn(partition, LibraryMode.Raw));
        Assert.Equal(EmulatorSettings.Default.FirstPid + 1, Spawn(partition, LibraryMode.Raw));
    }

    [Fact]
    public void PartitionActor_must_answer_enoent_to_the_asker_for_an_unknown_pid()
    {
        var partition = Start(EmulatorSettings.Default);
        Spawn(partition, LibraryMode.Raw);

        var id = NextId();
        var nobody = new TgId(P0, 999);
        partition.Tell(new Partition.Deliver(nobody, new Process.Probe(id, null, _runner.Ref.At())));
        Assert.Equal(new Refused(id, Errno.ENOENT), _runner.ExpectMsg<Refused>());

        // An asker on another partition gets the refusal through XPC.
        id = NextId();
        var elsewhere = _runner.Ref.On(P1);
        partition.Tell(new Partition.Deliver(nobody, new Process.Run(id, new VersionCall(), elsewhere)));
        Assert.Equal(new Refused(id, Errno.ENOENT), _xpc.ExpectCarried<Refused>(P0, elsewhere));
        _runner.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void PartitionActor_must_answer_enoent_for_a_process_that_has_stopped()
    {
        var partition = Start(EmulatorSettings.Default);
        var pid = Spawn(partition, LibraryMode.Libxpmem);
        Assert.Equal(Outcome.Ok(), Call(partition, pid, new ExitCall(0)));

        // The process stops once it has answered; from then on its pid is unknown.
        AwaitAssert(() =>
        {
            var id = NextId();
            var probe = new Process.Probe(id, null, _runner.Ref.At());
            partition.Tell(new Partition.Deliver(new TgId(P0, pid), probe));
            var refused = _runner.ExpectMsg<Refused>(TimeSpan.FromMilliseconds(100));
            Assert.Equal(new Refused(id, Errno.ENOENT), refused);
        });
    }

    [Fact]
    public void PartitionActor_must_send_a_delivery_for_another_partition_through_the_interconnect()
    {
        var partition = Start(EmulatorSettings.Default);
        var probe = new Process.Probe(NextId(), null, _runner.Ref.At());
        var deliver = new Partition.Deliver(new TgId(P1, 100), probe);
        partition.Tell(deliver);
        var carried = _xpc.ExpectCarried<Partition.Deliver>(P0, _p1.Ref.On(P1));
        Assert.Equal(deliver.Target, carried.Target);
        Assert.Same(deliver.Request, carried.Request);

        // A partition the machine does not have: EINVAL to the asker.
        var id = NextId();
        var nowhere = new TgId(new PartitionId(7), 100);
        partition.Tell(new Partition.Deliver(nowhere, new Process.Probe(id, null, _runner.Ref.At())));
        Assert.Equal(new Refused(id, Errno.EINVAL), _runner.ExpectMsg<Refused>());
        _xpc.ExpectNoMsg(Quiet);
        _p1.ExpectNoMsg(TimeSpan.Zero);
    }

    [Fact]
    public void PartitionActor_must_answer_a_request_for_a_process_that_is_stopping()
    {
        var partition = Start(EmulatorSettings.Default);
        var pid = Spawn(partition, LibraryMode.Libxpmem);
        var exitId = NextId();
        var probeId = NextId();
        var process = new TgId(P0, pid);
        var asker = _runner.Ref.At();
        partition.Tell(new Partition.Deliver(process, new Process.Run(exitId, new ExitCall(0), asker)));
        partition.Tell(new Partition.Deliver(process, new Process.Probe(probeId, null, asker)));
        Assert.Equal(exitId, _runner.ExpectMsg<Process.Completed>().RequestId);
        var answer = _runner.ExpectMsg<IReply>(TimeSpan.FromSeconds(1));
        Assert.Equal(probeId, answer.RequestId);
    }

    [Fact]
    public void PartitionActor_must_crash_without_a_word_and_restart_empty_with_new_pids()
    {
        var seen = new System.Collections.Concurrent.ConcurrentQueue<MachineEvent>();
        var partition = Start(EmulatorSettings.Default, seen.Enqueue);
        var first = Spawn(partition, LibraryMode.Raw);
        Assert.Equal(Outcome.Ok(Xpmem.Version), Call(partition, first, new VersionCall()));

        partition.Tell(new PartitionActor.Crash());
        partition.Tell(new Partition.Deliver(new TgId(P0, first),
            new Process.Run(NextId(), new VersionCall(), _runner.Ref.At())));
        partition.Tell(new Partition.Spawn(NextId(), User, LibraryMode.Raw, _runner.Ref.At()));
        _runner.ExpectNoMsg(Quiet);
        _xpc.ExpectNoMsg(TimeSpan.Zero);
        AwaitCondition(() => seen.OfType<PartitionCrashed>().Any());

        partition.Tell(new PartitionActor.Restart());
        var next = Spawn(partition, LibraryMode.Raw);
        Assert.Equal(first + 1, next);
        var id = NextId();
        partition.Tell(new Partition.Deliver(new TgId(P0, first), new Process.Probe(id, null,
            _runner.Ref.At())));
        Assert.Equal(new Refused(id, Errno.ENOENT), _runner.ExpectMsg<Refused>());
        Assert.Contains(new PartitionRestarted(P0, 2), seen);
        _xpc.ExpectMsg<XpcActor.Restart>();
        // The crashed incarnation's process stops without a word: the checkers forgot it.
        Assert.DoesNotContain(seen, e => e is ThreadGroupStopped { Tg.Pid: var pid } && pid == first);
    }

    [Fact]
    public void PartitionActor_must_take_a_peer_down_when_every_process_severed_and_up_again()
    {
        var seen = new System.Collections.Concurrent.ConcurrentQueue<MachineEvent>();
        var partition = Start(EmulatorSettings.Default, seen.Enqueue);
        var first = Spawn(partition, LibraryMode.Raw);
        var second = Spawn(partition, LibraryMode.Libxpmem);
        var onPeer = XpmemId.Compose(P1, 100, 1);

        partition.Tell(new Partition.PeerUnreachable(P1));
        Assert.Equal(new XpcActor.PeerTornDown(P1), _xpc.ExpectMsg<XpcActor.PeerTornDown>());
        Assert.Equal([PeerState.GoingDown, PeerState.Down], seen.OfType<PeerStateChanged>()
            .Select(changed => changed.State));
        // Down: a get of the peer's segment fails at once, nothing leaves for it.
        Assert.Equal(Outcome.Fail(Errno.ENOLINK),
            Call(partition, first, new GetCall(onPeer, 2, 1)));
        _xpc.ExpectNoMsg(TimeSpan.Zero);
        // A process started while the peer is down knows it too.
        var third = Spawn(partition, LibraryMode.Raw);
        Assert.Equal(Outcome.Fail(Errno.ENOLINK),
            Call(partition, third, new GetCall(onPeer, 2, 1)));

        partition.Tell(new Partition.PeerReachable(P1));
        AwaitCondition(() => seen.OfType<PeerStateChanged>().Last().State == PeerState.Up);
        var id = NextId();
        partition.Tell(new Partition.Deliver(new TgId(P0, second),
            new Process.Run(id, new GetCall(onPeer, 2, 1), _runner.Ref.At())));
        var carried = _xpc.ExpectMsg<XpcActor.Carry>();
        Assert.Equal(P1, carried.To.Partition);
    }

    [Fact]
    public void PartitionActor_must_start_a_fork_only_for_a_process_it_runs()
    {
        // A fork a process of a crashed incarnation sent comes from no process of this one:
        // nothing starts. A process of its own forks as ever.
        var partition = Start(EmulatorSettings.Default);
        var pid = Spawn(partition, LibraryMode.Libxpmem);
        var image = new ProcessImage(User, LibraryMode.Libxpmem,
            new AddressSpace(new FrameCounter()), DeviceOpen: true);
        partition.Tell(new PartitionActor.Fork(NextId(), image, _runner.Ref.At()));
        _runner.ExpectNoMsg(Quiet);

        var child = Call(partition, pid, new ForkCall());
        Assert.Equal(Outcome.Ok((ulong)pid + 1), child);
    }

    private IActorRef Start(EmulatorSettings settings, Action<MachineEvent>? tap = null)
    {
        var wiring = new MachineWiring();
        var monitor = new MachineMonitor();
        monitor.Tap = tap;
        var machine = new MachineContext(settings, monitor, NoTrace.Instance);
        var partition = Sys.ActorOf(PartitionActor.Props(machine, new XpcPort(P0, wiring), 2));
        wiring.Wire(_xpc.Ref, [partition, _p1.Ref]);   // before the first message, as the machine does
        return partition;
    }

    private RequestId NextId() => new(P0, ++_request);

    private int Spawn(IActorRef partition, LibraryMode library)
    {
        var id = NextId();
        partition.Tell(new Partition.Spawn(id, User, library, _runner.Ref.At()));
        var spawned = _runner.ExpectMsg<Partition.Spawned>();
        Assert.Equal(id, spawned.RequestId);
        return spawned.Pid;
    }

    private Outcome Call(IActorRef partition, int pid, Call call)
    {
        var id = NextId();
        var run = new Process.Run(id, call, _runner.Ref.At());
        partition.Tell(new Partition.Deliver(new TgId(P0, pid), run));
        var completed = _runner.ExpectMsg<Process.Completed>();
        Assert.Equal(id, completed.RequestId);
        return completed.Outcome;
    }
}
