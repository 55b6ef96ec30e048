using Akka.Actor;
using BenchmarkDotNet.Attributes;
using Emulator.Partitions;
using Emulator.Partitions.Sim;

namespace Emulator.Benchmarks;

/// <summary>
/// What an actor per request costs in the sim loop against keeping the request as state in the
/// actor that made it: the design gives every page fault a short-lived <c>FaultActor</c> (its
/// chain, its timer, its one reply), and Akka's making and stopping of actors is about a tenth of
/// the Altix run's CPU. Per operation a parent either makes a child (its props from a delegate
/// and a name of its own, as a fault's) that answers once and stops, or tells itself the answer;
/// then the loop runs until idle. The difference is what the per-fault actor costs on its own.
/// </summary>
[MemoryDiagnoser]
public class ActorPerRequestBenchmarks
{
    private ActorSystem _system = null!;
    private SimLoop _loop = null!;
    private IActorRef _parent = null!;

    [GlobalSetup]
    public void Setup()
    {
        (_system, _loop) = SimSystem.Create("actor-per-request", 1);
        _parent = _system.ActorOf(Props.Create<Parent>(), "parent");
        _loop.RunUntilIdle();
    }

    [GlobalCleanup]
    public void Cleanup() => SimSystem.Shutdown(_system);

    /// <summary>The request kept as state: one delivery to the parent, one to itself.</summary>
    [Benchmark(Baseline = true)]
    public void StateInParent()
    {
        _parent.Tell(Request.Kept);
        _loop.RunUntilIdle();
    }

    /// <summary>A child per request: made, started, answers, stops; its parent hears it.</summary>
    [Benchmark]
    public void ChildPerRequest()
    {
        _parent.Tell(Request.ByChild);
        _loop.RunUntilIdle();
    }

    private enum Request
    {
        Kept,
        ByChild,
    }

    private sealed record Answer(long Id);

    private sealed class Parent : UntypedActor
    {
        private long _next;

        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case Request.Kept:
                    Self.Tell(new Answer(++_next));
                    break;
                case Request.ByChild:
                    var id = ++_next;
                    Context.ActorOf(Produced.By(() => new Child(id)), $"request-{id}");
                    break;
                case Answer:
                    break;
                default:
                    Unhandled(message);
                    break;
            }
        }
    }

    private sealed class Child(long id) : UntypedActor
    {
        protected override void PreStart()
        {
            Context.Parent.Tell(new Answer(id));
            Context.Stop(Self);
        }

        protected override void OnReceive(object message) => Unhandled(message);
    }
}
