using System.Diagnostics;
using Akka.Actor;
using Emulator.Partitions.Sim;
using Xunit;
using Xunit.Abstractions;

namespace Emulator.Tests.Sim;

// Measures the raw loop on a ping-pong (printed, not asserted: the machine is shared) and checks
// that the loop counts every delivery of a long run.
public sealed class SimLoopThroughputSpec
{
    private const int Seed = 1;
    private const int Pairs = 4;
    private const int RoundsPerPair = 50_000;

    private readonly ITestOutputHelper _output;

    public SimLoopThroughputSpec(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public void SimLoop_must_count_every_delivery_of_a_long_ping_pong()
    {
        var (system, loop) = SimSpecs.Create("ping-pong", Seed);
        try
        {
            for (var pair = 0; pair < Pairs; pair++)
            {
                var pong = system.ActorOf(Props.Create(typeof(Pong)), $"pong{pair}");
                system.ActorOf(Props.Create(typeof(Ping), pong, RoundsPerPair), $"ping{pair}");
            }
            loop.RunUntilIdle();
            const long expected = 2L * Pairs * RoundsPerPair;

            var watch = Stopwatch.StartNew();
            var deliveriesBefore = loop.Deliveries;
            loop.Reseed(Seed);
            system.ActorSelection("/user/ping*").Tell(0);
            loop.RunUntilIdle();
            watch.Stop();

            var delivered = loop.Deliveries - deliveriesBefore;
            _output.WriteLine(
                $"seed {Seed}: {delivered} deliveries in {watch.ElapsedMilliseconds} ms, "
                + $"{delivered / watch.Elapsed.TotalSeconds:N0} deliveries/s");
            Assert.True(
                delivered >= expected, $"seed {Seed}: {delivered} deliveries, expected {expected}");
        }
        finally
        {
            SimSystem.Shutdown(system);
        }
    }

    private sealed class Ping : UntypedActor
    {
        private readonly IActorRef _pong;
        private readonly int _rounds;

        public Ping(IActorRef pong, int rounds)
        {
            _pong = pong;
            _rounds = rounds;
        }

        protected override void OnReceive(object message)
        {
            if (message is int round && round < _rounds) _pong.Tell(round + 1);
        }
    }

    private sealed class Pong : UntypedActor
    {
        protected override void OnReceive(object message) => Sender.Tell(message);
    }
}
