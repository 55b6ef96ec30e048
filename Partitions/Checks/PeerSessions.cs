using Emulator.Partitions.Locks;
using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Checks;

/// <summary>
/// Whose a hold on another partition's lock is, for the lock checkers. A fault takes the owner's
/// mm and seg->sema on the owner's partition for the attacher's call; that hold is the call's only
/// while the attacher's partition is in session with the owner's. Once it declares the owner
/// GOINGDOWN (missed heartbeats, a cut), the call stops waiting there and goes on (SIGBUS,
/// ENOLINK, its exit), and what the owner still holds for it is the owner's to drop when it
/// notices too (xpmem-spec, partition down: the kernel drains the threads serving the lost
/// partition). Until the two are Up again, what the owner does for the old session's calls is no
/// hold or wait of theirs. Plain state; a checker hands it every peer change.
/// </summary>
public sealed class PeerSessions
{
    /// <summary>(partition, peer) pairs whose session the partition has ended.</summary>
    private readonly HashSet<(int Partition, int Peer)> _ended = [];

    /// <summary>
    /// Follows the partitions' views of their peers; returns the session this event ended
    /// (a partition declares a peer GOINGDOWN), or null.
    /// </summary>
    public PeerStateChanged? Observe(PeerStateChanged changed)
    {
        var pair = (changed.Partition.Value, changed.Peer.Value);
        if (changed.State == PeerState.Up)
        {
            _ended.Remove(pair);
            return null;
        }
        return _ended.Add(pair) ? changed : null;
    }

    /// <summary>
    /// True if <paramref name="task"/>'s hold on (or wait for) <paramref name="lockId"/> is its
    /// own: the lock is on its partition, or its partition is in session with the lock's.
    /// </summary>
    public bool Owns(LockTask task, LockId lockId)
    {
        var home = task.Process.Partition.Value;
        var there = lockId.Process.Partition.Value;
        return home == there || !_ended.Contains((home, there));
    }

    /// <summary>True if <paramref name="ended"/>'s session covers this task and lock.</summary>
    public static bool Severs(PeerStateChanged ended, LockTask task, LockId lockId) =>
        task.Process.Partition == ended.Partition && lockId.Process.Partition == ended.Peer;
}
