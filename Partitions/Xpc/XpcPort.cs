using Akka.Actor;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Partitions;

namespace Emulator.Partitions.Xpc;

/// <summary>
/// A partition's port onto XPC, the one seam between partitions (design section 5). Actors send
/// every message that may cross partitions through it: a message for this partition is told
/// directly; one for another partition goes to this partition's <see cref="XpcActor"/>, which
/// carries it reliably, in order, to its receiver. Immutable once the machine is wired, so all of
/// a partition's actors share it.
/// </summary>
public sealed class XpcPort(PartitionId partition, MachineWiring wiring)
{
    public PartitionId Partition { get; } = partition;

    /// <summary>The partition's XPC endpoint.</summary>
    public IActorRef Endpoint => wiring.XpcOf(Partition);

    public void Send(Endpoint to, object message)
    {
        if (to.Partition == Partition) to.Ref.Tell(message, ActorRefs.NoSender);
        else wiring.XpcOf(Partition).Tell(new XpcActor.Carry(Partition, to, message),
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
/// The machine's actors and the link between its partitions (<see cref="XpcLink"/>, lossless
/// until faults are set). In one process it is filled once, when the machine is built and before
/// any message flows; a cluster node reserves a slot per partition and fills each as it finds it
/// (<see cref="Reserve"/>).
/// </summary>
public sealed class MachineWiring(XpcLink link)
{
    private IReadOnlyList<IActorRef> _xpc = [];
    private IActorRef? _everyXpc;

    public MachineWiring() : this(new XpcLink())
    {
    }

    public XpcLink Link { get; } = link;

    public IReadOnlyList<IActorRef> Partitions { get; private set; } = [];

    /// <summary>
    /// False while <paramref name="partition"/>'s slot of a reserved wiring is still empty.
    /// </summary>
    public bool IsWired(PartitionId partition) => !XpcOf(partition).IsNobody();

    /// <summary>Partition <paramref name="partition"/>'s XPC endpoint.</summary>
    public IActorRef XpcOf(PartitionId partition) => _everyXpc ?? _xpc[partition.Value];

    /// <summary>Each partition with its own XPC endpoint: <c>xpc[p]</c> serves p.</summary>
    public void Wire(IReadOnlyList<IActorRef> xpc, IReadOnlyList<IActorRef> partitions)
    {
        if (xpc.Count != partitions.Count)
        {
            throw new ArgumentException(
                $"{xpc.Count} XPC endpoints for {partitions.Count} partitions", nameof(xpc));
        }
        _xpc = xpc;
        _everyXpc = null;
        Partitions = partitions;
    }

    /// <summary>
    /// A machine spread over cluster nodes: <paramref name="partitions"/> slots, each wired on
    /// its own by <see cref="Wire(PartitionId, IActorRef, IActorRef)"/>, a node's own partitions
    /// when it makes them and the others' once found on their nodes. Until then a slot is
    /// <see cref="ActorRefs.Nobody"/>: what is sent there is lost, as on a link not yet up (XPC
    /// resends, and a request to it fails by its deadline).
    /// </summary>
    public void Reserve(int partitions)
    {
        _everyXpc = null;
        // Arrays, so Wire can fill a slot in place.
        _xpc = Enumerable.Repeat<IActorRef>(ActorRefs.Nobody, partitions).ToArray();
        Partitions = Enumerable.Repeat<IActorRef>(ActorRefs.Nobody, partitions).ToArray();
    }

    /// <summary>
    /// Fills <paramref name="partition"/>'s slot of a reserved wiring, when its node is found,
    /// and again when a new node hosts it (a restart). Actors of the machine may read the slots
    /// meanwhile (on other threads): each slot is one reference, written whole.
    /// </summary>
    public void Wire(PartitionId partition, IActorRef xpc, IActorRef partitionActor)
    {
        if (_xpc is not IActorRef[] endpoints || Partitions is not IActorRef[] actors
            || partition.Value < 0 || partition.Value >= endpoints.Length)
        {
            throw new InvalidOperationException(
                $"{partition} has no slot: Reserve the wiring for every partition first");
        }
        Volatile.Write(ref endpoints[partition.Value], xpc);
        Volatile.Write(ref actors[partition.Value], partitionActor);
    }

    /// <summary>
    /// One actor stands for every partition's XPC endpoint (a spec's probe watching what leaves).
    /// </summary>
    public void Wire(IActorRef everyXpc, IReadOnlyList<IActorRef> partitions)
    {
        _everyXpc = everyXpc;
        Partitions = partitions;
    }
}
