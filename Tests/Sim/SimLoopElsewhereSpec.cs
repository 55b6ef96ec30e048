using Akka.Actor;
using Emulator.Partitions.Sim;
using Xunit;

namespace Emulator.Tests.Sim;

// Proves that work the loop does not simulate (system actors on the thread pool) is waited for
// before each choice: a message a system actor forwards to /user is always there by the time
// the loop decides it is idle, however the pool threads are timed.
public sealed class SimLoopElsewhereSpec
{
    private const int Seed = 23;
    private const int Rounds = 50;

    [Fact]
    public void SimLoop_must_wait_for_system_actors_before_going_idle()
    {
        var (system, loop) = SimSpecs.Create("elsewhere", Seed);
        try
        {
            var received = new List<object>();
            var target = system.ActorOf(Props.Create(() => new Collector(received)), "target");
            var relayProps = Props.Create(() => new Relay(target));
            var relay = ((ExtendedActorSystem)system).SystemActorOf(relayProps, "relay");
            loop.RunUntilIdle();

            for (var round = 0; round < Rounds; round++)
            {
                relay.Tell(round);
                loop.RunUntilIdle();
                Assert.True(
                    received.Count == round + 1, $"seed {Seed}: round {round} went idle too early");
            }
        }
        finally
        {
            SimSystem.Shutdown(system);
        }
    }

    private sealed class Relay : ReceiveActor
    {
        public Relay(IActorRef target)
        {
            ReceiveAny(message => target.Tell(message));
        }
    }

    private sealed class Collector : ReceiveActor
    {
        public Collector(List<object> received)
        {
            ReceiveAny(received.Add);
        }
    }
}
