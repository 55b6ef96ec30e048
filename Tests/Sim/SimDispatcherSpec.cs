using System.Runtime.CompilerServices;
using Akka.Actor;
using Emulator.Partitions.Sim;
using Xunit;

namespace Emulator.Tests.Sim;

// Proves that one step of the loop hands exactly one user message to one actor. Akka 1.5.74's
// Mailbox.ProcessMailbox lets a throughput-1 run take two messages; a simulated mailbox's queue
// gives one a run (SimMessageQueue). If an Akka upgrade changes the mailbox loop, this fails.
public sealed class SimDispatcherSpec
{
    private const int Seed = 3;
    private const int Burst = 20;

    [Fact]
    public void SimDispatcher_must_deliver_one_user_message_per_mailbox_run()
    {
        var (system, loop) = SimSpecs.Create("one-per-run", Seed);
        try
        {
            var received = new StrongBox<int>();
            var props = Props.Create(() => new CountingActor(received));
            var counter = system.ActorOf(props, "counter");
            loop.RunUntilIdle();
            for (var message = 0; message < Burst; message++) counter.Tell(message);

            var deliveriesBefore = loop.Deliveries;
            var runs = 0;
            while (loop.Step())
            {
                runs++;
                Assert.True(
                    received.Value == runs,
                    $"seed {Seed}: after {runs} runs the actor has {received.Value} messages");
            }
            Assert.Equal(Burst, runs);
            Assert.Equal(Burst, loop.Deliveries - deliveriesBefore);
        }
        finally
        {
            SimSystem.Shutdown(system);
        }
    }

    private sealed class CountingActor : ReceiveActor
    {
        public CountingActor(StrongBox<int> received)
        {
            Receive<int>(_ => received.Value++);
        }
    }
}
