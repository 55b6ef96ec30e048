using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Emulator.Partitions.Sim;

namespace Emulator.Host.Bench;

/// <summary>
/// The floors under the emulator, measured on this machine in the bench's own run: what a raw
/// Akka message costs, and what one turn of the seeded sim loop costs, on a ping-pong that does
/// nothing else. Each is the median of <see cref="Rounds"/> timed rounds after one warm-up. The
/// bench measures them in a child process at the runtime's default tiering
/// (<see cref="CeilingsChild"/>).
/// </summary>
internal static class Ceilings
{
    public const int Rounds = 3;

    /// <summary>Balls a remote rally keeps in play (one measures the round trip).</summary>
    public const int RemoteInFlight = 100;

    /// <summary>The one-ball remote rally's share of the messages of the full one.</summary>
    private const int OneInFlightShare = 100;

    private static readonly object Ball = 1;

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
            var pong = system.ActorOf(Props.Create(() => new Pong()));
            var perSecond = Rally(system, pong, Ball, 1, messages, "local");
            system.Stop(pong);
            return perSecond;
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
                var ping = system.ActorOf(Props.Create(() =>
                    new Ping(pong, Ball, 1, messages, null)));
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

    /// <summary>
    /// A ping-pong between two ActorSystems over loopback TCP (Akka.Remote) as Akka comes: its
    /// default remoting settings, a 16-byte array through its own serializer for arrays. Messages
    /// per second with <see cref="RemoteInFlight"/> balls in play (what the link carries, the
    /// floor of a cross-node message), and with one (the round trip, the floor of a chain whose
    /// every message waits for the one before). The one-ball rally sends
    /// <paramref name="messages"/> / <see cref="OneInFlightShare"/>: a round trip is some hundred
    /// times slower. Not the emulator's remoting settings: they write each message at once,
    /// which a fault's chain gains by, and which halved the rally with many balls in play (here,
    /// a second each: under ours the array 67-72 k, our serializer on one of our messages
    /// 72-77 k; Akka's defaults 142-150 k, and 58-62 k with only their batching turned off).
    /// </summary>
    public static RemoteCeilings RemoteMessagesPerSecond(long messages)
    {
        var remote = ConfigurationFactory.ParseString("""
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp.hostname = "127.0.0.1"
            akka.remote.dot-netty.tcp.port = 0
            """).WithFallback(Quiet);
        using var serving = ActorSystem.Create("bench-ping", remote);
        using var returning = ActorSystem.Create("bench-pong", remote);
        var ball = new byte[16];
        try
        {
            double RallyOver(int inFlight, long count) => Median(() =>
            {
                var local = returning.ActorOf(Props.Create(() => new Pong()));
                var address = ((ExtendedActorSystem)returning).Provider.DefaultAddress;
                var pong = serving.ActorSelection(new RootActorPath(address) / "user"
                        / local.Path.Name)
                    .ResolveOne(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
                var perSecond = Rally(serving, pong, ball, inFlight, count, "remote");
                returning.Stop(local);
                return perSecond;
            });
            return new RemoteCeilings(RallyOver(RemoteInFlight, messages),
                RallyOver(1, Math.Max(1, messages / OneInFlightShare)));
        }
        finally
        {
            CoordinatedShutdown.Get(serving).Run(CoordinatedShutdown.ClrExitReason.Instance)
                .Wait(TimeSpan.FromSeconds(10));
            CoordinatedShutdown.Get(returning).Run(CoordinatedShutdown.ClrExitReason.Instance)
                .Wait(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>
    /// One timed rally of <paramref name="messages"/> against <paramref name="pong"/>: messages
    /// per second.
    /// </summary>
    private static double Rally(ActorSystem system, IActorRef pong, object ball, int inFlight,
        long messages, string what)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ping = system.ActorOf(Props.Create(() =>
            new Ping(pong, ball, inFlight, messages, done)));
        var clock = Stopwatch.StartNew();
        ping.Tell(Ping.Serve);
        if (!done.Task.Wait(TimeSpan.FromMinutes(2)))
            throw new TimeoutException($"the {what} ping-pong did not finish in 2 minutes");
        clock.Stop();
        system.Stop(ping);
        return messages / clock.Elapsed.TotalSeconds;
    }

    /// <summary>The median of <see cref="Rounds"/> measurements, after one warm-up.</summary>
    public static double Median(Func<double> measure)
    {
        measure();
        var figures = Enumerable.Range(0, Rounds).Select(_ => measure()).Order().ToList();
        return figures[figures.Count / 2];
    }
}

/// <summary>
/// Raw remote messages per second: with many in flight (<paramref name="Saturated"/>), and one at
/// a time (<paramref name="OneInFlight"/>).
/// </summary>
internal readonly record struct RemoteCeilings(double Saturated, double OneInFlight);
