using Akka.Actor;
using Emulator.Partitions;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Tracing;
using Emulator.Partitions.Xpc;
using Emulator.Protocol.Ids;

namespace Emulator.Tests.Partitions;

/// <summary>A one-partition machine context for actor specs: probes stand in for peers.</summary>
internal static class ActorSpecSupport
{
    public const string VirtualTime = "akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"";

    public static readonly PartitionId P0 = new(0);

    public static MachineContext Machine(MachineMonitor? monitor = null) =>
        new(EmulatorSettings.Default, monitor ?? new MachineMonitor(), NoTrace.Instance);

    public static XpcPort Port(IActorRef? interconnect = null)
    {
        var wiring = new MachineWiring();
        wiring.Wire(interconnect ?? ActorRefs.Nobody, []);
        return new XpcPort(P0, wiring);
    }

    public static Endpoint At(this IActorRef actor) => new(P0, actor);
}
