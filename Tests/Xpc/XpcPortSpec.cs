// Proves the XpcPort, the one way actors send across partitions: a message for its own partition
// is told directly and never reaches XPC; one for another partition goes to its own partition's
// XPC endpoint as a Carry (never to the receiver's); a Route reaches the partition of the thread
// group, and a Route to a partition the machine does not have is Refused(EINVAL) to the request's
// ReplyTo (through XPC when the asker is elsewhere).
// How: probes stand for the partitions, the askers and each partition's XPC endpoint.
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Emulator.Partitions;
using Emulator.Partitions.Xpc;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Partitions;
using Xunit;
using static Emulator.Tests.Partitions.ActorSpecSupport;
using static Emulator.Tests.Partitions.WiredSpecSupport;

namespace Emulator.Tests.Xpc;

public sealed class XpcPortSpec : TestKit
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);

    public XpcPortSpec() : base(VirtualTime)
    {
    }

    [Fact]
    public void XpcPort_must_hand_its_own_xpc_only_what_leaves_its_partition()
    {
        var xpc0 = CreateTestProbe();
        var xpc1 = CreateTestProbe();
        var local = CreateTestProbe();
        var remote = CreateTestProbe();
        var wiring = new MachineWiring();
        wiring.Wire([xpc0.Ref, xpc1.Ref], [CreateTestProbe().Ref, CreateTestProbe().Ref]);
        var port = new XpcPort(P0, wiring);

        port.Send(local.Ref.At(), "here");
        Assert.Equal("here", local.ExpectMsg<string>());
        xpc0.ExpectNoMsg(Quiet);

        port.Send(remote.Ref.On(P1), "there");
        Assert.Equal("there", xpc0.ExpectCarried<string>(P0, remote.Ref.On(P1)));
        xpc1.ExpectNoMsg(Quiet);
        remote.ExpectNoMsg(TimeSpan.Zero);
        local.ExpectNoMsg(TimeSpan.Zero);
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
}
