using Akka.Actor;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Partitions;

namespace Emulator.Partitions.Xpc;

/// <summary>
/// A partition's port onto XPC, the one seam between partitions (design section 5). Actors send
/// every message that may cross partitions through it: a message for this partition is told
/// directly; one for another partition is carried by the <see cref="XpcActor"/>. Immutable once
/// the machine is wired, so all of a partition's actors share it.
/// </summary>
public sealed class XpcPort(PartitionId partition, MachineWiring wiring)
{
    public PartitionId Partition { get; } = partition;

    public void Send(Endpoint to, object message)
    {
        if (to.Partition == Partition) to.Ref.Tell(message, ActorRefs.NoSender);
        else wiring.Interconnect.Tell(new XpcActor.Carry(Partition, to, message),
            ActorRefs.NoSender);
    }

    /// <summary>
    /// Sends <paramref name="request"/> to thread group <paramref name="target"/> through its
    /// partition. An id naming a partition this machine does not have is EINVAL (SGI 2.0's rule).
    /// </summary>
    public void Route(TgId target, IRoutedRequest request)
    {
        var partitions = wiring.Partitions;
        var index = target.Partition.Value;
        if (index < 0 || index >= partitions.Count)
        {
            Send(request.ReplyTo, new Refused(request.RequestId, Errno.EINVAL));
            return;
        }
        Send(new Endpoint(target.Partition, partitions[index]),
            new Partition.Deliver(target, request));
    }
}

/// <summary>
/// The machine's actors, filled once when the machine is built and before any message flows.
/// </summary>
public sealed class MachineWiring
{
    public IActorRef Interconnect { get; private set; } = ActorRefs.Nobody;

    public IReadOnlyList<IActorRef> Partitions { get; private set; } = [];

    public void Wire(IActorRef interconnect, IReadOnlyList<IActorRef> partitions)
    {
        Interconnect = interconnect;
        Partitions = partitions;
    }
}
