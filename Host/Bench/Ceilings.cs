using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Emulator.Partitions.Sim;

namespace Emulator.Host.Bench;

/// <summary>
/// The floors under the emulator, measured on this machine in the bench's own run: what a raw
/// Akka message costs, and what one turn of the seeded sim loop costs, on a ping-pong that does
/// nothing else. Each is the median of <see cref="Rounds"/> timed rounds after one warm-up.
/// </summary>
internal static class Ceilings
{
    public const int Rounds = 3;

    private static readonly Config Quiet = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        """);

    /// <summary>One local ping-pong pair on the default dispatcher: messages per second.</summary>
    public static double LocalMessagesPerSecond(long messages)
    {
        using var system = ActorSystem.Create("bench-local", Quiet);
        return Median(() =>
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var pong = system.ActorOf(Props.Create(() => new Pong()));
            var ping = system.ActorOf(Props.Create(() => new Ping(pong, messages, done)));
            var clock = Stopwatch.StartNew();
            ping.Tell(Ping.Serve);
            if (!done.Task.Wait(TimeSpan.FromMinutes(2)))
                throw new TimeoutException("the local ping-pong did not finish in 2 minutes");
            clock.Stop();
            system.Stop(ping);
            system.Stop(pong);
            return messages / clock.Elapsed.TotalSeconds;
        });
    }

    /// <summary>
    /// The same ping-pong on a sim system (one seeded loop delivers every message): deliveries
    /// per second, the floor of a sim delivery.
    /// </summary>
    public static double SimLoopDeliveriesPerSecond(long messages)
    {
        var (system, loop) = SimSystem.Create("bench-sim", 1, Quiet);
        try
        {
            return Median(() =>
            {
                var pong = system.ActorOf(Props.Create(() => new Pong()));
                var ping = system.ActorOf(Props.Create(() => new Ping(pong, messages, null)));
                loop.RunUntilIdle();
                var before = loop.Deliveries;
                var clock = Stopwatch.StartNew();
                ping.Tell(Ping.Serve);
                loop.RunUntilIdle();
                clock.Stop();
                var delivered = loop.Deliveries - before;
                system.Stop(ping);
                system.Stop(pong);
                loop.RunUntilIdle();
                return delivered / clock.Elapsed.TotalSeconds;
            });
        }
        finally
        {
            SimSystem.Shutdown(system);
        }
    }

    /// <summary>The median of <see cref="Rounds"/> measurements, after one warm-up.</summary>
    public static double Median(Func<double> measure)
    {
        measure();
        var figures = Enumerable.Range(0, Rounds).Select(_ => measure()).Order().ToList();
        return figures[figures.Count / 2];
    }
}
