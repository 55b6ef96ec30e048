using Akka.Actor;
using Akka.Cluster;
using Emulator.Partitions.Xpc;
using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Cluster;

/// <summary>
/// Wires the partitions other members host into this node's <see cref="MachineWiring"/>: each
/// member that comes Up (a new one, or one started again, even at the same address) is asked for
/// each partition it hosts (its roles, <see cref="PartitionPlacement"/>), the partition actor and
/// the XPC endpoint, by <see cref="Identify"/>, answered to this actor; once both answered, the
/// partition's slot is wired to them. So a node's first wiring and a partition restarted on a
/// new node take the same path. A path nobody answers yet (a node still making its machine) is
/// asked again, a bounded number of times.
/// Level: beside the machine; it writes the wiring and waits for nothing.
/// </summary>
public sealed class PartitionFinder : ReceiveActor, IWithTimers
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

    public PartitionFinder(MachineWiring wiring, IReadOnlyList<int> hosted)
    {
        _wiring = wiring;
        _hosted = hosted;
        Receive<ClusterEvent.MemberUp>(up => HandleMemberUp(up.Member));
        Receive<ActorIdentity>(HandleIdentity);
        Receive<IdentifyAgain>(again => Identify(again.Path, again.Id));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(MachineWiring wiring, IReadOnlyList<int> hosted) =>
        Produced.By(() => new PartitionFinder(wiring, hosted));

    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self,
            ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.MemberUp));

    protected override void PostStop() =>
        Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

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
