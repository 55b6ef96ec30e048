using Akka.Actor;
using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Xpc;

/// <summary>
/// The interconnect: carries messages between partitions. In this build every link is up and
/// lossless; the next steps (loss, delay, duplication with retransmission, cut links, crashed
/// partitions) belong here and nowhere else.
/// </summary>
public sealed class XpcActor : EmulatorActor
{
    /// <summary>
    /// Any partition's port → XPC: deliver <paramref name="Message"/> to <paramref name="To"/>.
    /// </summary>
    public sealed record Carry(PartitionId From, Endpoint To, object Message);

    public XpcActor(MachineContext machine) : base(machine)
    {
        Receive<Carry>(HandleCarry);
    }

    private void HandleCarry(Carry carry)
    {
        Machine.Monitor.XpcCarried();
        carry.To.Ref.Tell(carry.Message);
    }
}
