using Akka.Actor;
using Emulator.Partitions.Xpc;
using Emulator.Protocol.Ids;

namespace Emulator.Partitions;

/// <summary>
/// The root of one emulated machine: the XPC interconnect and partitions 0..N-1 as its children,
/// wired in its constructor (so they exist before the first message). It handles nothing itself.
/// </summary>
public sealed class MachineActor : EmulatorActor
{
    public MachineActor(MachineContext machine, int partitions, MachineWiring wiring)
        : base(machine)
    {
        var interconnect = Context.ActorOf(Produced.By(() => new XpcActor(machine)),
            "xpc");
        var refs = new List<IActorRef>();
        for (var p = 0; p < partitions; p++)
        {
            var port = new XpcPort(new PartitionId(p), wiring);
            refs.Add(Context.ActorOf(PartitionActor.Props(machine, port), $"p{p}"));
        }
        wiring.Wire(interconnect, refs);
    }

    public static Props Props(MachineContext machine, int partitions, MachineWiring wiring) =>
        Produced.By(() => new MachineActor(machine, partitions, wiring));
}
