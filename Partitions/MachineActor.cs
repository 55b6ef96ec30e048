using Akka.Actor;
using Emulator.Partitions.Xpc;
using Emulator.Protocol.Ids;

namespace Emulator.Partitions;

/// <summary>
/// The root of one emulated machine: partitions 0..N-1 and, beside each, its XPC endpoint, as its
/// children, wired in its constructor (so they exist before the first message). It handles
/// nothing itself.
/// An endpoint is the machine's child rather than its partition's: every actor of the partition
/// reaches it through the wiring (its XpcPort), the partition stays a router that knows nothing
/// of channels, and the machine, which owns the link between partitions, builds both sides of it.
/// </summary>
public sealed class MachineActor : EmulatorActor
{
    public MachineActor(MachineContext machine, int partitions, MachineWiring wiring)
        : base(machine)
    {
        machine.Lives.Boot(partitions);
        var endpoints = new List<IActorRef>();
        var refs = new List<IActorRef>();
        for (var p = 0; p < partitions; p++)
        {
            var id = new PartitionId(p);
            endpoints.Add(Context.ActorOf(XpcActor.Props(machine, id, partitions, wiring),
                $"xpc-p{p}"));
            refs.Add(Context.ActorOf(
                PartitionActor.Props(machine, new XpcPort(id, wiring), partitions),
                $"p{p}"));
        }
        wiring.Wire(endpoints, refs);
    }

    /// <summary>
    /// The part of a machine one cluster node runs: of <paramref name="partitions"/>, only the
    /// <paramref name="hosted"/> ones with their endpoints, each wired into its slot of
    /// <paramref name="wiring"/> (reserved here); the node wires the other partitions' slots
    /// once it has found them on their nodes (same names under <c>/user/machine</c> there).
    /// </summary>
    public MachineActor(MachineContext machine, int partitions, IReadOnlyCollection<int> hosted,
        MachineWiring wiring, int incarnation = 1)
        : base(machine)
    {
        machine.Lives.Boot(partitions);
        wiring.Reserve(partitions);
        foreach (var p in hosted.Order())
        {
            var id = new PartitionId(p);
            machine.Lives.Resume(id, incarnation);
            var endpoint = Context.ActorOf(XpcActor.Props(machine, id, partitions, wiring),
                $"xpc-p{p}");
            var partition = Context.ActorOf(
                PartitionActor.Props(machine, new XpcPort(id, wiring), partitions), $"p{p}");
            wiring.Wire(id, endpoint, partition);
        }
    }

    protected override bool Receive(object message) => false;

    public static Props Props(MachineContext machine, int partitions, MachineWiring wiring) =>
        Produced.By(() => new MachineActor(machine, partitions, wiring));

    /// <summary>
    /// The props of a node's part of the machine (see the constructor); the hosted partitions
    /// boot as incarnation <paramref name="incarnation"/> (above 1: restarted, on a new node).
    /// </summary>
    public static Props Hosting(MachineContext machine, int partitions,
        IReadOnlyCollection<int> hosted, MachineWiring wiring, int incarnation = 1) =>
        Produced.By(() => new MachineActor(machine, partitions, hosted, wiring, incarnation));
}
