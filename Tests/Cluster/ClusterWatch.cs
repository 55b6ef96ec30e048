// Helpers of the cluster specs: a watch on membership that times what a survivor sees, an echo
// for bare remoting round trips, and the collection that runs the specs one at a time.
using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Xunit;

namespace Emulator.Tests.Cluster;

/// <summary>Answers every message with itself (the raw remoting round trip's far end).</summary>
internal sealed class EchoActor : ReceiveActor
{
    public EchoActor() => ReceiveAny(message => Sender.Tell(message, Self));
}

/// <summary>The cluster specs run one at a time: each starts nodes and measures time.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection
{
    public const string Name = "cluster";
}

/// <summary>When a survivor saw the first member leave, become unreachable, be removed.</summary>
internal sealed class UnreachableWatch
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public TimeSpan? Unreachable { get; private set; }

    public TimeSpan? Removed { get; private set; }

    /// <summary>When a member was first seen leaving (Leaving or Exiting): it left, not died.</summary>
    public TimeSpan? Left { get; private set; }

    public static UnreachableWatch On(ActorSystem system)
    {
        var watch = new UnreachableWatch();
        var cluster = Akka.Cluster.Cluster.Get(system);
        var subscriber = system.ActorOf(Props.Create(() => new Subscriber(watch)));
        cluster.Subscribe(subscriber,
            ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.MemberRemoved),
            typeof(ClusterEvent.MemberLeft), typeof(ClusterEvent.MemberExited));
        return watch;
    }

    private sealed class Subscriber : ReceiveActor
    {
        public Subscriber(UnreachableWatch watch)
        {
            Receive<ClusterEvent.UnreachableMember>(_ =>
                watch.Unreachable ??= watch._clock.Elapsed);
            Receive<ClusterEvent.MemberRemoved>(_ => watch.Removed ??= watch._clock.Elapsed);
            Receive<ClusterEvent.MemberLeft>(_ => watch.Left ??= watch._clock.Elapsed);
            Receive<ClusterEvent.MemberExited>(_ => watch.Left ??= watch._clock.Elapsed);
        }
    }
}
