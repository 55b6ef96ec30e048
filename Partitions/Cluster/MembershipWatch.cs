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
/// unreachable first.
/// A member that comes Up hosting partitions is found (<see cref="Identify"/> of each partition
/// actor and XPC endpoint, answered to this actor) and wired in their slots: a partition
/// restarted on a new node is reached there.
/// Level: beside the machine; it tells XPC endpoints and waits for nothing.
/// </summary>
public sealed class MembershipWatch : ReceiveActor, IWithTimers
{
    /// <summary>
    /// How often an Identify nobody answered yet is sent again, and how many times.
    /// </summary>
    private static readonly TimeSpan IdentifyRetry = TimeSpan.FromMilliseconds(200);
    private const int IdentifyAttemptsMax = 150;

    private readonly MachineWiring _wiring;
    private readonly IReadOnlyList<int> _hosted;
    // What Identify found so far, per partition and node: its endpoint, its partition actor.
    private readonly Dictionary<(int, Address), (IActorRef? Xpc, IActorRef? Actor)> _found = [];
    private readonly Dictionary<string, int> _attempts = [];

    public MembershipWatch(MachineWiring wiring, IReadOnlyList<int> hosted)
    {
        _wiring = wiring;
        _hosted = hosted;
        Receive<ClusterEvent.UnreachableMember>(HandleUnreachableMember);
        Receive<ClusterEvent.MemberUp>(up => HandleMemberUp(up.Member));
        Receive<ActorIdentity>(HandleIdentity);
        Receive<IdentifyAgain>(again => Identify(again.Path, again.Id));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(MachineWiring wiring, IReadOnlyList<int> hosted) =>
        Produced.By(() => new MembershipWatch(wiring, hosted));

    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self,
            ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.MemberUp));

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

    private void HandleMemberUp(Member member)
    {
        foreach (var partition in PartitionPlacement.HostedBy(member))
        {
            // Every member Up is a new one (a node started again, even at the same address,
            // is a new member): what is wired here may be its predecessor's.
            if (_hosted.Contains(partition)) continue;
            _found[(partition, member.Address)] = (null, null);
            Identify(PartitionPlacement.XpcPath(member.Address, partition),
                IdentityOf("xpc", partition, member.Address));
            Identify(PartitionPlacement.PartitionPath(member.Address, partition),
                IdentityOf("partition", partition, member.Address));
        }
    }

    private void Identify(ActorPath path, string id)
    {
        _attempts[id] = _attempts.GetValueOrDefault(id) + 1;
        Context.ActorSelection(path).Tell(new Identify(id));
    }

    private void HandleIdentity(ActorIdentity identity)
    {
        if (identity.MessageId is not string id) return;
        var (kind, partition, address) = Parse(id);
        if (identity.Subject is not { } found)
        {
            // Not made yet on a node that just started: ask again, a bounded number of times.
            if (!_found.ContainsKey((partition, address))
                || _attempts.GetValueOrDefault(id) >= IdentifyAttemptsMax) return;
            var path = kind == "xpc" ? PartitionPlacement.XpcPath(address, partition)
                : PartitionPlacement.PartitionPath(address, partition);
            Timers.StartSingleTimer(id, new IdentifyAgain(path, id), IdentifyRetry);
            return;
        }
        _attempts.Remove(id);
        if (!_found.TryGetValue((partition, address), out var pair)) return;
        pair = kind == "xpc" ? pair with { Xpc = found } : pair with { Actor = found };
        if (pair is { Xpc: { } xpc, Actor: { } actor })
        {
            _found.Remove((partition, address));
            _wiring.Wire(new PartitionId(partition), xpc, actor);
        }
        else
        {
            _found[(partition, address)] = pair;
        }
    }

    // An Identify's id crosses nodes: a plain string (Akka's own serializer carries it).
    private static string IdentityOf(string kind, int partition, Address node) =>
        $"{kind} {partition} {node}";

    private static (string Kind, int Partition, Address Node) Parse(string id)
    {
        var words = id.Split(' ', 3);
        return (words[0], int.Parse(words[1], System.Globalization.CultureInfo.InvariantCulture),
            Address.Parse(words[2]));
    }

    /// <summary>An Identify to send again (nobody answered at that path yet).</summary>
    private sealed record IdentifyAgain(ActorPath Path, string Id);
}
