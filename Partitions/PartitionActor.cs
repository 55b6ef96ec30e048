using Akka.Actor;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Memory;
using Emulator.Partitions.Processes;
using Emulator.Partitions.Xpc;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Partitions;
using Emulator.Protocol.Processes;

namespace Emulator.Partitions;

/// <summary>
/// One partition: one emulated kernel (the kernel's xpmem_partition and its tg hash). It starts
/// processes, gives them pids, and routes requests addressed by id to the thread group that owns
/// the id; everything for another partition leaves through its XPC port.
/// Level: above every thread group; it forwards and never waits.
/// </summary>
public sealed class PartitionActor : EmulatorActor
{
    /// <summary>
    /// A thread group → its partition: start the child of a fork. Replies:
    /// <see cref="Partition.Spawned"/>.
    /// </summary>
    internal sealed record Fork(RequestId RequestId, ProcessImage Image, Endpoint ReplyTo);

    /// <summary>
    /// A thread group → its partition: nothing references me any more (process dead, segments
    /// freed). The partition forgets the pid first, then answers <see cref="Reap"/>, so every
    /// request it routed there before is handled and none after it is lost.
    /// </summary>
    internal sealed record Unreferenced(int Pid);

    /// <summary>The partition → a thread group it has forgotten: stop now.</summary>
    internal sealed record Reap;

    /// <summary>
    /// Partition → each of its thread groups → each of their children (segments, faults):
    /// partition <paramref name="Peer"/> is unreachable (GOINGDOWN: missed heartbeats, a crash,
    /// a cut link). Requests to it fail, what it had mapped of ours is dropped without waiting
    /// for its answer, and our mappings of its memory are severed for good. Each thread group
    /// answers <see cref="PeerSevered"/>.
    /// </summary>
    internal sealed record PeerDown(PartitionId Peer);

    /// <summary>
    /// A thread group → its partition: it severed what concerns <paramref name="Peer"/>.
    /// </summary>
    internal sealed record PeerSevered(int Pid, PartitionId Peer);

    /// <summary>Partition → each of its thread groups: <paramref name="Peer"/> is back.</summary>
    internal sealed record PeerUp(PartitionId Peer);

    /// <summary>
    /// Machine → partition: the partition crashes. Every process stops on the spot, mid-call,
    /// with no teardown, and its XPC endpoint falls silent: nothing leaves it any more (one store
    /// in <see cref="PartitionLives"/>, so at once). Peers learn it from the silence. Crashing a
    /// crashed partition changes nothing. It may come from another node (a cluster run's driver).
    /// </summary>
    public sealed record Crash : IXpmemMessage;

    /// <summary>
    /// Machine → partition: boot again, empty, as a new incarnation (a partition that runs is
    /// crashed first: a reboot). Pids go on from where the last incarnation stopped, so an id
    /// minted before the crash names no process (ENOENT), never a new one. Peers are DOWN until
    /// XPC hears each again. It may come from another node (a cluster run's driver).
    /// </summary>
    public sealed record Restart : IXpmemMessage;

    private readonly XpcPort _port;
    private readonly Dictionary<int, IActorRef> _processes = [];
    private readonly PeerStates _peers;
    private int _nextPid;

    public PartitionActor(MachineContext machine, XpcPort port, int partitions) : base(machine)
    {
        _port = port;
        _peers = new PeerStates(partitions);
        _nextPid = machine.Settings.FirstPid;
    }

    /// <summary>
    /// A partition that boots as a later incarnation (a cluster node started again for it, its
    /// last incarnation gone with the old process) starts as a restarted one does: every peer
    /// DOWN until XPC hears it (its endpoint starts a new session on its own, as it boots).
    /// </summary>
    protected override void PreStart()
    {
        var incarnation = Machine.Lives.Incarnation(_port.Partition);
        if (incarnation <= 1) return;
        _peers.AllDown(_port.Partition);
        Emit(new PartitionRestarted(_port.Partition, incarnation));
    }

    protected override bool Receive(object message) => Up(message);

    /// <summary>
    /// Up: starts processes, routes requests, tracks its peers' states; may crash.
    /// </summary>
    private bool Up(object message)
    {
        switch (message)
        {
            case Partition.Deliver deliver:
                HandleDeliver(deliver);
                return true;
            case Partition.Spawn spawn:
                HandleSpawn(spawn);
                return true;
            case Fork fork:
                HandleFork(fork);
                return true;
            case Unreferenced unreferenced:
                HandleUnreferenced(unreferenced);
                return true;
            case Terminated terminated:
                HandleTerminated(terminated);
                return true;
            case Partition.PeerUnreachable unreachable:
                HandlePeerUnreachable(unreachable);
                return true;
            case PeerSevered severed:
                TornDown(_peers.Severed(severed.Pid, severed.Peer));
                return true;
            case Partition.PeerReachable reachable:
                HandlePeerReachable(reachable);
                return true;
            case Crash:
                HandleCrash();
                return true;
            case Restart:
                HandleCrash();
                HandleRestart();
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Crashed: a dead kernel handles nothing but a restart; everything else is lost.
    /// </summary>
    private bool Crashed(object message)
    {
        if (message is Restart) HandleRestart();
        return true;
    }

    public static Props Props(MachineContext machine, XpcPort port, int partitions) =>
        Produced.By(() => new PartitionActor(machine, port, partitions));

    private void HandleDeliver(Partition.Deliver deliver)
    {
        if (deliver.Target.Partition != _port.Partition)
        {
            _port.Route(deliver.Target, deliver.Request);
            return;
        }
        if (_processes.TryGetValue(deliver.Target.Pid, out var process))
            process.Tell(deliver.Request);
        else _port.Send(deliver.Request.ReplyTo,
            new Refused(deliver.Request.RequestId, Errno.ENOENT));
    }

    /// <summary>
    /// XPC gave up on <paramref name="unreachable"/>'s Peer (GOINGDOWN): every process severs
    /// what concerns it; when the last has, it is DOWN.
    /// </summary>
    private void HandlePeerUnreachable(Partition.PeerUnreachable unreachable)
    {
        var peer = unreachable.Peer;
        Emit(new PeerStateChanged(_port.Partition, peer, PeerState.GoingDown));
        var down = new PeerDown(peer);
        Broadcast(down);
        if (_peers.GoDown(peer, _processes.Keys)) TornDown([peer]);
    }

    /// <summary>
    /// Nothing of these peers is left here (DOWN): XPC may connect to each again when it hears it.
    /// </summary>
    private void TornDown(List<PartitionId> peers)
    {
        foreach (var peer in peers)
        {
            Emit(new PeerStateChanged(_port.Partition, peer, PeerState.Down));
            _port.Endpoint.Tell(new XpcActor.PeerTornDown(peer));
        }
    }

    private void HandlePeerReachable(Partition.PeerReachable reachable)
    {
        _peers.Up(reachable.Peer);
        Emit(new PeerStateChanged(_port.Partition, reachable.Peer, PeerState.Up));
        Broadcast(new PeerUp(reachable.Peer));
    }

    /// <summary>
    /// A peer's state goes to every process, in pid order (the order is the schedule's).
    /// </summary>
    private void Broadcast(object peerState)
    {
        foreach (var pid in _processes.Keys.Order()) _processes[pid].Tell(peerState);
    }

    private void HandleSpawn(Partition.Spawn spawn)
    {
        // A raw program opened the device before its first ioctl; libxpmem opens on first call.
        var raw = spawn.Library == LibraryMode.Raw;
        var image = new ProcessImage(spawn.Credentials, spawn.Library,
            new AddressSpace(Machine.Frames), raw);
        var pid = Start(image, hasTg: raw);
        _port.Send(spawn.ReplyTo, new Partition.Spawned(spawn.RequestId, pid));
    }

    private void HandleFork(Fork fork)
    {
        // A fork its parent asked of the incarnation that crashed, delivered after the restart:
        // that kernel is gone, and its process with it (a child started here would outlive both).
        if (!_processes.ContainsValue(fork.ReplyTo.Ref)) return;
        var pid = Start(fork.Image, hasTg: false);
        _port.Send(fork.ReplyTo, new Partition.Spawned(fork.RequestId, pid));
    }

    private int Start(ProcessImage image, bool hasTg)
    {
        var pid = _nextPid++;
        var id = new TgId(_port.Partition, pid);
        var process = Context.ActorOf(
            ThreadGroupActor.Props(Machine, _port, id, image, hasTg, _peers.NotUp), $"tg-{pid}");
        Context.Watch(process);
        _processes[pid] = process;
        return pid;
    }

    private void HandleCrash()
    {
        var crashed = Machine.Monitor.Crash(Machine.Lives, _port.Partition);
        if (Machine.Trace.Enabled) Machine.Trace.Event(TracePath, crashed);
        Become(Crashed);
    }

    /// <summary>
    /// The processes of the crashed incarnation are stopped for good (they handle nothing since
    /// the crash), and the partition starts empty, every peer DOWN until XPC hears it again.
    /// </summary>
    private void HandleRestart()
    {
        foreach (var pid in _processes.Keys.Order()) Context.Stop(_processes[pid]);
        _processes.Clear();
        var incarnation = Machine.Lives.Restart(_port.Partition);
        _peers.AllDown(_port.Partition);
        Emit(new PartitionRestarted(_port.Partition, incarnation));
        _port.Endpoint.Tell(new XpcActor.Restart());
        Become(Up);
    }

    private void HandleUnreferenced(Unreferenced unreferenced)
    {
        if (!_processes.Remove(unreferenced.Pid, out var process)) return;
        process.Tell(new Reap());
        TornDown(_peers.Severed(unreferenced.Pid));
    }

    /// <summary>
    /// A thread group that stopped on its own (it threw: a bug) is forgotten too.
    /// </summary>
    private void HandleTerminated(Terminated terminated)
    {
        foreach (var (pid, process) in _processes)
        {
            if (!process.Equals(terminated.ActorRef)) continue;
            _processes.Remove(pid);
            TornDown(_peers.Severed(pid));
            return;
        }
    }
}
