using System.Runtime.CompilerServices;
using Akka.Actor;

namespace Emulator.Partitions.Cluster;

/// <summary>
/// A Lamport clock per ActorSystem (per cluster node), so the events of a run split over nodes can
/// be merged into one order that never puts an effect before its cause. Every message our
/// serializer writes carries a fresh reading (<see cref="Tick"/>), every message it reads moves
/// this clock past the sender's (<see cref="Witness"/>), and every event a node gathers is stamped
/// with a tick of its own; so an event that could have caused another, through any chain of
/// messages and on any node, has the smaller stamp. The messages themselves do not change:
/// the clock rides in the serializer's header. Thread safe (one atomic word).
/// </summary>
public sealed class LogicalClock
{
    private static readonly ConditionalWeakTable<ActorSystem, LogicalClock> Clocks = new();

    private long _now;

    /// <summary>The reading of the last tick or witness.</summary>
    public long Now => Interlocked.Read(ref _now);

    /// <summary>The clock of <paramref name="system"/>.</summary>
    public static LogicalClock Of(ActorSystem system) => Clocks.GetValue(system, _ => new());

    /// <summary>
    /// Moves on by one and returns the new reading: a stamp no earlier one shares.
    /// </summary>
    public long Tick() => Interlocked.Increment(ref _now);

    /// <summary>
    /// Moves the clock past <paramref name="stamp"/> (another node's reading), if it is behind.
    /// </summary>
    public void Witness(long stamp)
    {
        var now = Interlocked.Read(ref _now);
        while (now < stamp)
        {
            var seen = Interlocked.CompareExchange(ref _now, stamp, now);
            if (seen == now) return;
            now = seen;
        }
    }
}
