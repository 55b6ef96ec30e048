// Proves the MachineActor builds one machine: N partitions and their XPC endpoints as its children,
// wired into the MachineWiring by its constructor, so the wiring is full before the machine
// handles any message; and that the result works end to end (a call to a process on another
// partition goes out and comes back through XPC, counted twice).
// How: a real MachineActor; Identify is its first message, so its ActorIdentity proves the
// constructor has run; the test then drives the partitions through the wiring.
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Emulator.Partitions;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Xpc;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Partitions;
using Emulator.Protocol.Processes;
using Xunit;
using static Emulator.Tests.Partitions.ActorSpecSupport;
using static Emulator.Tests.Partitions.WiredSpecSupport;

namespace Emulator.Tests.Partitions;

public sealed class MachineActorSpec : TestKit
{
    private readonly MachineMonitor _monitor = new();
    private readonly MachineWiring _wiring = new();

    public MachineActorSpec() : base(VirtualTime)
    {
    }

    [Fact]
    public void MachineActor_must_wire_its_partitions_and_their_xpc_before_any_message()
    {
        var machine = Sys.ActorOf(MachineActor.Props(Machine(_monitor), 3, _wiring), "machine");
        machine.Tell(new Identify(1));
        Assert.Equal(machine, ExpectMsg<ActorIdentity>().Subject);

        Assert.Equal(
            new[] { machine.Path / "xpc-p0", machine.Path / "xpc-p1", machine.Path / "xpc-p2" },
            Enumerable.Range(0, 3).Select(p => _wiring.XpcOf(new PartitionId(p)).Path));
        Assert.Equal(
            new[] { machine.Path / "p0", machine.Path / "p1", machine.Path / "p2" },
            _wiring.Partitions.Select(p => p.Path));
    }

    [Fact]
    public void MachineActor_must_make_and_wire_only_the_partitions_its_node_hosts()
    {
        var machine = Sys.ActorOf(MachineActor.Hosting(Machine(_monitor), 3, [1], _wiring),
            "machine");
        machine.Tell(new Identify(1));
        ExpectMsg<ActorIdentity>();

        Assert.Equal(machine.Path / "xpc-p1", _wiring.XpcOf(P1).Path);
        Assert.Equal(machine.Path / "p1", _wiring.Partitions[1].Path);
        Assert.Equal([false, true, false],
            Enumerable.Range(0, 3).Select(p => _wiring.IsWired(new PartitionId(p))));
        Assert.True(_wiring.Partitions[0].IsNobody());
        machine.Tell(new Identify(2));
        ExpectMsg<ActorIdentity>();
        Sys.ActorSelection(machine.Path / "p0").Tell(new Identify(3));
        Assert.Null(ExpectMsg<ActorIdentity>().Subject);

        // The node wires the others once found: here stand-ins for partitions on other nodes.
        var p0 = CreateTestProbe();
        _wiring.Wire(P0, p0, p0);
        Assert.True(_wiring.IsWired(P0));
        Assert.Equal(p0.Ref, _wiring.Partitions[0]);
    }

    [Fact]
    public void MachineWiring_must_refuse_a_slot_it_has_not_reserved()
    {
        var wiring = new MachineWiring();
        Assert.Throws<InvalidOperationException>(() => wiring.Wire(P0, TestActor, TestActor));
        wiring.Reserve(2);
        Assert.Throws<InvalidOperationException>(
            () => wiring.Wire(new PartitionId(2), TestActor, TestActor));
    }

    [Fact]
    public void MachineActor_must_carry_a_cross_partition_call_through_xpc()
    {
        var machine = Sys.ActorOf(MachineActor.Props(Machine(_monitor), 2, _wiring), "machine");
        machine.Tell(new Identify(1));
        ExpectMsg<ActorIdentity>();

        // Each partition has its own pids.
        Assert.Equal(100, Spawn(1));
        Assert.Equal(100, Spawn(0));
        Assert.Equal(0, _monitor.XpcMessages);

        var id = new RequestId(P0, 10);
        var run = new Process.Run(id, new VersionCall(), TestActor.At());
        _wiring.Partitions[0].Tell(new Partition.Deliver(new TgId(P1, 100), run));
        var completed = ExpectMsg<Process.Completed>();
        Assert.Equal(new Process.Completed(id, Outcome.Ok(Xpmem.Version)), completed);
        Assert.Equal(2, _monitor.XpcMessages);   // the Deliver out, the Completed back
    }

    private int Spawn(int partition)
    {
        var on = new PartitionId(partition);
        var id = new RequestId(on, partition + 1);
        var user = new Credentials(1000, 100);
        _wiring.Partitions[partition].Tell(new Partition.Spawn(id, user, LibraryMode.Raw, TestActor.On(on)));
        var spawned = ExpectMsg<Partition.Spawned>();
        Assert.Equal(id, spawned.RequestId);
        return spawned.Pid;
    }
}
