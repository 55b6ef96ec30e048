using Akka.Actor;
using Akka.TestKit;
using Emulator.Partitions.Xpc;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Partitions;
using Xunit;

namespace Emulator.Tests.Partitions;

/// <summary>
/// Helpers for specs whose actor routes through a machine of probes: a wiring whose interconnect
/// and partitions are probes, and ways to catch what crosses it.
/// </summary>
internal static class WiredSpecSupport
{
    public static readonly PartitionId P1 = new(1);

    public static MachineWiring Wiring(IActorRef interconnect, params IActorRef[] partitions)
    {
        var wiring = new MachineWiring();
        wiring.Wire(interconnect, partitions);
        return wiring;
    }

    public static Endpoint On(this IActorRef actor, PartitionId partition) => new(partition, actor);

    /// <summary>The interconnect got one Carry between these endpoints: returns its message.</summary>
    public static T ExpectCarried<T>(this TestProbe interconnect, PartitionId from, Endpoint to)
    {
        var carry = interconnect.ExpectMsg<XpcActor.Carry>();
        Assert.Equal(from, carry.From);
        Assert.Equal(to, carry.To);
        return Assert.IsType<T>(carry.Message);
    }

    /// <summary>A partition probe got one Deliver for <paramref name="target"/>: returns its request.</summary>
    public static T ExpectDelivered<T>(this TestProbe partition, TgId target)
    {
        var deliver = partition.ExpectMsg<Partition.Deliver>();
        Assert.Equal(target, deliver.Target);
        return Assert.IsType<T>(deliver.Request);
    }
}
