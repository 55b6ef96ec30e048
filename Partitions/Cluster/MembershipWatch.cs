using Akka.Actor;
using Akka.Cluster;
using Emulator.Partitions.Xpc;
using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Cluster;

/// <summary>
/// Turns cluster membership into partition state on one node.
/// A member that becomes unreachable takes its partitions (its roles,
/// <see cref="PartitionPlacement"/>) with it, so each partition hosted here ends its XPC session
/// with each of them, the path missed heartbeats take (GOINGDOWN, then DOWN once every process
/// severed them). XPC's own heartbeats usually notice first (0.5s against the failure
/// detector's ~2.5s); this makes membership the authority when they do not, as with slower XPC
/// settings for a real network. Going through XPC rather than telling the partition keeps both
/// ends in step: the session number moves on, so the peer, if it was only unreachable, ends its
/// side too when it is heard again. A member downed and removed needs nothing more here: it was
/// unreachable first. (A member that comes Up is wired by <see cref="PartitionFinder"/>.)
/// Level: beside the machine; it tells XPC endpoints and waits for nothing.
/// </summary>
public sealed class MembershipWatch : ReceiveActor
{
    private readonly MachineWiring _wiring;
    private readonly IReadOnlyList<int> _hosted;

    public MembershipWatch(MachineWiring wiring, IReadOnlyList<int> hosted)
    {
        _wiring = wiring;
        _hosted = hosted;
        Receive<ClusterEvent.UnreachableMember>(HandleUnreachableMember);
    }

    public static Props Props(MachineWiring wiring, IReadOnlyList<int> hosted) =>
        Produced.By(() => new MembershipWatch(wiring, hosted));

    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self,
            ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.UnreachableMember));

    protected override void PostStop() =>
        Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private void HandleUnreachableMember(ClusterEvent.UnreachableMember unreachable)
    {
        foreach (var lost in PartitionPlacement.HostedBy(unreachable.Member))
        {
            foreach (var partition in _hosted.Where(partition => partition != lost))
                _wiring.XpcOf(new PartitionId(partition)).Tell(new XpcActor.PeerLost(new(lost)));
        }
    }
}
