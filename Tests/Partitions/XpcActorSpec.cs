// Proves the XPC seam: the XpcActor hands a Carry's message, unchanged and in order, to the
// endpoint it names and counts it in the MachineMonitor; an XpcPort tells a message for its own
// partition directly, gives one for another partition to the interconnect as a Carry, and answers
// a Route to a partition the machine does not have with Refused(EINVAL) to the request's ReplyTo.
// How: a real XpcActor (or a probe standing in for it) and probes for the partitions and askers.
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Emulator.Partitions;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Xpc;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Partitions;
using Xunit;
using static Emulator.Tests.Partitions.ActorSpecSupport;
using static Emulator.Tests.Partitions.WiredSpecSupport;

namespace Emulator.Tests.Partitions;

public sealed class XpcActorSpec : TestKit
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);
    private readonly MachineMonitor _monitor = new();

    public XpcActorSpec() : base(VirtualTime)
    {
    }

    [Fact]
    public void XpcActor_must_deliver_a_carry_to_its_endpoint_and_count_it()
    {
        var xpc = StartXpc();
        var target = CreateTestProbe();
        var first = new Process.Probed(new RequestId(P0, 1), Found: true);
        var second = new Refused(new RequestId(P0, 2), Errno.ENOENT);
        xpc.Tell(new XpcActor.Carry(P0, target.Ref.On(P1), first));
        xpc.Tell(new XpcActor.Carry(P0, target.Ref.On(P1), second));
        Assert.Same(first, target.ExpectMsg<Process.Probed>());
        Assert.Same(second, target.ExpectMsg<Refused>());
        Assert.Equal(2, _monitor.XpcMessages);
        target.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void XpcPort_must_send_through_the_interconnect_only_what_leaves_its_partition()
    {
        var xpc = StartXpc();
        var local = CreateTestProbe();
        var remote = CreateTestProbe();
        var port = new XpcPort(P0, Wiring(xpc, CreateTestProbe().Ref, CreateTestProbe().Ref));

        port.Send(local.Ref.At(), "here");
        Assert.Equal("here", local.ExpectMsg<string>());
        Assert.Equal(0, _monitor.XpcMessages);

        port.Send(remote.Ref.On(P1), "there");
        Assert.Equal("there", remote.ExpectMsg<string>());
        Assert.Equal(1, _monitor.XpcMessages);
        local.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void XpcPort_must_route_to_the_partition_of_the_thread_group()
    {
        var interconnect = CreateTestProbe();
        var p0 = CreateTestProbe();
        var p1 = CreateTestProbe();
        var asker = CreateTestProbe();
        var port = new XpcPort(P0, Wiring(interconnect.Ref, p0.Ref, p1.Ref));

        var local = new Process.Probe(new RequestId(P0, 1), null, asker.Ref.At());
        port.Route(new TgId(P0, 100), local);
        Assert.Same(local, p0.ExpectDelivered<Process.Probe>(new TgId(P0, 100)));

        var remote = new Process.Probe(new RequestId(P0, 2), null, asker.Ref.At());
        port.Route(new TgId(P1, 100), remote);
        var deliver = interconnect.ExpectCarried<Partition.Deliver>(P0, p1.Ref.On(P1));
        Assert.Equal(new TgId(P1, 100), deliver.Target);
        Assert.Same(remote, deliver.Request);
        p1.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void XpcPort_must_refuse_a_route_to_a_partition_the_machine_does_not_have_with_einval()
    {
        var interconnect = CreateTestProbe();
        var p0 = CreateTestProbe();
        var p1 = CreateTestProbe();
        var asker = CreateTestProbe();
        var port = new XpcPort(P0, Wiring(interconnect.Ref, p0.Ref, p1.Ref));

        var id = new RequestId(P0, 1);
        port.Route(new TgId(new PartitionId(2), 100), new Process.Probe(id, null, asker.Ref.At()));
        Assert.Equal(new Refused(id, Errno.EINVAL), asker.ExpectMsg<Refused>());

        // An asker on another partition gets the refusal through XPC.
        id = new RequestId(P1, 2);
        var last = new TgId(new PartitionId(PartitionId.MaxValue), 100);
        port.Route(last, new Process.Probe(id, null, asker.Ref.On(P1)));
        var carried = interconnect.ExpectCarried<Refused>(P0, asker.Ref.On(P1));
        Assert.Equal(new Refused(id, Errno.EINVAL), carried);
        p0.ExpectNoMsg(Quiet);
        p1.ExpectNoMsg(TimeSpan.Zero);
        asker.ExpectNoMsg(TimeSpan.Zero);
    }

    private IActorRef StartXpc()
    {
        var machine = Machine(_monitor);
        return Sys.ActorOf(Props.Create(() => new XpcActor(machine)));
    }
}
