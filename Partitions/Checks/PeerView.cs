using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Checks;

/// <summary>
/// What each partition sees of each peer, from the machine's events: a driver waits on it for
/// partitions to rejoin after a restart or a heal. Not a checker: it judges nothing. Called under
/// the monitor's lock.
/// </summary>
public sealed class PeerView
{
    // (partition, peer) → the number of the event that last made the peer Up there.
    private readonly Dictionary<(int, int), long> _upAt = [];
    private readonly HashSet<(int, int)> _notUp = [];
    // Partitions crashed or restarted: they see no peer Up until an Up event says so.
    private readonly HashSet<int> _rebooted = [];
    private readonly List<(PartitionId Partition, PartitionId Peer)> _givenUp = [];
    private long _events;

    /// <summary>How many of the GOINGDOWN declarations <see cref="GivenUp"/> keeps.</summary>
    public const int GivenUpKept = 8;

    /// <summary>
    /// The first <see cref="GivenUpKept"/> times a partition gave up on a peer (GOINGDOWN: missed
    /// heartbeats or a cut), in order: a run that failed without crashing or cutting anything
    /// names them (a host that stalled live's XPC looks just like a crash to the partitions).
    /// </summary>
    public IReadOnlyList<(PartitionId Partition, PartitionId Peer)> GivenUp => _givenUp;

    /// <summary>How many times a partition gave up on a peer, all told.</summary>
    public int GivenUpCount { get; private set; }

    /// <summary>Where the view stands now: compare with <see cref="UpSince"/>.</summary>
    public long Mark => _events;

    public void Observe(MachineEvent e)
    {
        _events++;
        switch (e)
        {
            case PeerStateChanged { State: PeerState.Up } up:
                _notUp.Remove(Pair(up.Partition, up.Peer));
                _upAt[Pair(up.Partition, up.Peer)] = _events;
                break;
            case PeerStateChanged changed:
                _notUp.Add(Pair(changed.Partition, changed.Peer));
                if (changed.State == PeerState.GoingDown) GaveUp(changed.Partition, changed.Peer);
                break;
            case PartitionCrashed { Partition: var partition }:
                Reboot(partition);
                break;
            case PartitionRestarted { Partition: var partition }:
                Reboot(partition);
                break;
        }
    }

    /// <summary>
    /// True when <paramref name="partition"/> sees <paramref name="peer"/> Up, and has seen it
    /// come Up after <paramref name="mark"/> or never lost it (<paramref name="orStayed"/>).
    /// </summary>
    public bool UpSince(PartitionId partition, PartitionId peer, long mark, bool orStayed)
    {
        var pair = Pair(partition, peer);
        if (_notUp.Contains(pair)) return false;
        if (_upAt.TryGetValue(pair, out var at)) return at > mark || orStayed;
        return orStayed && !_rebooted.Contains(partition.Value);
    }

    private void GaveUp(PartitionId partition, PartitionId peer)
    {
        if (GivenUpCount++ < GivenUpKept) _givenUp.Add((partition, peer));
    }

    private void Reboot(PartitionId partition)
    {
        _rebooted.Add(partition.Value);
        foreach (var pair in _upAt.Keys.Where(pair => pair.Item1 == partition.Value).ToList())
            _upAt.Remove(pair);
    }

    private static (int, int) Pair(PartitionId partition, PartitionId peer) =>
        (partition.Value, peer.Value);
}
