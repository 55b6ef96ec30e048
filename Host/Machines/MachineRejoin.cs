using Emulator.Partitions;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Xpc;
using Emulator.Protocol.Ids;

namespace Emulator.Host.Machines;

/// <summary>
/// What a driver waits for after a heal or a restart, the same in every mode: each pair of
/// partitions that can reach each other sees the other UP again, so the next step meets them
/// connected instead of an ENOLINK that only says they had not met yet. Only the waiting differs
/// (sim runs its loop, live waits for a quiet moment).
/// </summary>
public static class MachineRejoin
{
    /// <summary>
    /// The pairs that can rejoin at all: neither partition crashed, the link carrying both ways.
    /// </summary>
    public static List<(int P, int Q)> Reachable(IEnumerable<(int P, int Q)> pairs,
        PartitionLives lives, XpcLink link) =>
        [.. pairs.Where(pair => !lives.Crashed(new PartitionId(pair.P))
            && !lives.Crashed(new PartitionId(pair.Q))
            && link.Carries(Between(pair.P, pair.Q)) && link.Carries(Between(pair.Q, pair.P)))];

    /// <summary>
    /// True when both sides of every pair see the other UP after <paramref name="mark"/> (or
    /// never lost it, with <paramref name="orStayed"/>).
    /// </summary>
    public static bool Rejoined(MachineMonitor monitor, IReadOnlyList<(int P, int Q)> pairs,
        long mark, bool orStayed) =>
        monitor.Read(m => pairs.All(pair =>
            m.Peers.UpSince(new(pair.P), new(pair.Q), mark, orStayed)
            && m.Peers.UpSince(new(pair.Q), new(pair.P), mark, orStayed)));

    /// <summary>
    /// How long a rejoin may take: the time a silent peer takes to be declared down and come
    /// back (a few heartbeats more than missed-heartbeats-max); past it the run goes on, as a
    /// real machine's would.
    /// </summary>
    public static TimeSpan Bound(XpcSettings xpc) =>
        xpc.HeartbeatInterval * (xpc.MissedHeartbeatsMax + 4);

    private static LinkDirection Between(int from, int to) =>
        new(new PartitionId(from), new PartitionId(to));
}
