using Emulator.Protocol.Ids;

namespace Emulator.Partitions;

/// <summary>
/// A peer partition's state, as one partition sees it (SGI's XPC partition states).
/// </summary>
public enum PeerState
{
    /// <summary>Connected: requests go to it.</summary>
    Up = 1,

    /// <summary>
    /// Declared unreachable (missed heartbeats, a crash, a cut, or it came back as a new
    /// session): requests to it fail, and every process here is severing what concerns it.
    /// </summary>
    GoingDown,

    /// <summary>
    /// Everything of it is torn down here: it may come back (Up) when XPC hears it.
    /// </summary>
    Down,
}

/// <summary>
/// What one partition knows of each peer: its state, and while it goes down, which of our
/// processes have not severed what concerns it yet. Down comes when the last of them has (or
/// died). Plain state, no Akka: the partition owns it.
/// </summary>
internal sealed class PeerStates
{
    private readonly PeerState[] _states;
    private readonly HashSet<int>?[] _severing;

    public PeerStates(int partitions)
    {
        _states = [.. Enumerable.Repeat(PeerState.Up, partitions)];
        _severing = new HashSet<int>?[partitions];
    }

    public PeerState this[PartitionId peer] => _states[peer.Value];

    /// <summary>The peers that are not Up, in partition order.</summary>
    public IEnumerable<PartitionId> NotUp => Enumerable.Range(0, _states.Length)
        .Where(index => _states[index] != PeerState.Up).Select(index => new PartitionId(index));

    /// <summary>
    /// <paramref name="peer"/> goes down while processes <paramref name="pids"/> live here.
    /// True when none does (it is Down at once).
    /// </summary>
    public bool GoDown(PartitionId peer, IEnumerable<int> pids)
    {
        var severing = new HashSet<int>(pids);
        _states[peer.Value] = PeerState.GoingDown;
        _severing[peer.Value] = severing;
        return EndIfSevered(peer.Value);
    }

    /// <summary>
    /// Process <paramref name="pid"/> severed what concerns <paramref name="peer"/> (null: it
    /// died, which severs everything). Returns the peers that are Down now.
    /// </summary>
    public List<PartitionId> Severed(int pid, PartitionId? peer = null)
    {
        var down = new List<PartitionId>();
        for (var index = 0; index < _severing.Length; index++)
        {
            if (peer is { } one && one.Value != index) continue;
            if (_severing[index] is { } severing && severing.Remove(pid) && EndIfSevered(index))
                down.Add(new PartitionId(index));
        }
        return down;
    }

    /// <summary>XPC connected to <paramref name="peer"/> again.</summary>
    public void Up(PartitionId peer)
    {
        _states[peer.Value] = PeerState.Up;
        _severing[peer.Value] = null;
    }

    /// <summary>A restart: nothing is left to sever, and nobody is connected yet.</summary>
    public void AllDown(PartitionId self)
    {
        for (var index = 0; index < _states.Length; index++)
        {
            _severing[index] = null;
            if (index != self.Value) _states[index] = PeerState.Down;
        }
    }

    private bool EndIfSevered(int index)
    {
        if (_severing[index] is not { Count: 0 }) return false;
        _severing[index] = null;
        _states[index] = PeerState.Down;
        return true;
    }
}
