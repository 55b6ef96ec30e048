using Emulator.Partitions.Xpc;
using Emulator.Protocol.Ids;

namespace Emulator.Host.Runner;

/// <summary>
/// A live or cluster run that crashed and cut nothing and set no link fault, whose partitions
/// gave up on a peer all the same (GOINGDOWN: a heartbeat patience without a word). Only the host
/// can have made that: it kept an endpoint from running, or from hearing its peer, for that long
/// (a loaded or paused machine; in live and cluster time is the host's). What the steps saw
/// after it (ENOLINK, SIGBUS) then follows from the host, not from the protocol, and a failed
/// run says so. Never in sim: there a heartbeat is due only while the machine is idle.
/// </summary>
public static class HostStall
{
    /// <summary>
    /// The remark for a failed undisturbed run whose partitions gave up on a peer
    /// <paramref name="count"/> times, the first of them <paramref name="givenUp"/>; null if
    /// none did.
    /// </summary>
    public static string? Remark(IReadOnlyList<(PartitionId Partition, PartitionId Peer)> givenUp,
        int count, XpcSettings xpc)
    {
        if (count == 0) return null;
        var who = string.Join(", ", givenUp.Select(g => $"{g.Partition.Value} on {g.Peer.Value}"))
            + (count > givenUp.Count ? $" and {count - givenUp.Count} more" : "");
        var beats = xpc.MissedHeartbeatsMax == 1 ? "heartbeat" : "heartbeats";
        return $"note: partitions gave up on a peer {count} {(count == 1 ? "time" : "times")} "
            + $"({who}), each after {xpc.MissedHeartbeatsMax} {beats} of "
            + $"{xpc.HeartbeatInterval.TotalMilliseconds:0.###}ms without a word, though this run "
            + "crashed and cut nothing and set no link fault: the host kept an endpoint silent "
            + "that long (in live and cluster, time is the host's), and what the steps saw after "
            + "it follows from that. Run it again, or give XPC more patience: "
            + "--set xpc.missed-heartbeats-max=N";
    }
}
