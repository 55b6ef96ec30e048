using Akka.Actor;
using Emulator.Host.Scenarios;
using Emulator.Partitions;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Xpc;
using Emulator.Protocol.Ids;

namespace Emulator.Host.Machines;

/// <summary>
/// How a driver injects a fault, the same in every mode: a link fault goes to the machine's
/// <see cref="XpcLink"/> (<see cref="LinkFaults"/>), a crash or restart to the partition's actor,
/// which carries it out when it gets to it. A heal and a restart return once each pair of
/// partitions they concern that can reach each other sees the other UP again, so the next step
/// meets them connected instead of an ENOLINK that only says they had not met yet; past a bound
/// (a silent peer's time to be declared down and come back) the run goes on, as a real machine's
/// would. Only the waiting differs by mode (sim runs its loop until the condition holds, live
/// checks it at quiet moments): the driver gives it as <paramref name="waitUntil"/>.
/// </summary>
public sealed class FaultInjector(MachineWiring wiring, PartitionLives lives,
    MachineMonitor monitor, XpcSettings xpc, Func<Func<bool>, TimeSpan, bool> waitUntil,
    TimeSpan bootLimit)
{
    /// <summary>How long a rejoin may take before the run goes on without it.</summary>
    public TimeSpan RejoinBound { get; } = xpc.HeartbeatInterval * (xpc.MissedHeartbeatsMax + 4);

    public bool IsCrashed(int partition) => lives.Crashed(new PartitionId(partition));

    public void Inject(Command fault)
    {
        var mark = monitor.Read(m => m.Peers.Mark);
        switch (fault)
        {
            case HealCommand heal:
                LinkFaults.TryApply(wiring.Link, heal);
                Rejoin([(heal.P, heal.Q)], mark, orStayed: true);
                break;
            case CrashCommand crash:
                wiring.Partitions[crash.Partition].Tell(new PartitionActor.Crash(),
                    ActorRefs.NoSender);
                break;
            case RestartCommand restart:
                wiring.Partitions[restart.Partition].Tell(new PartitionActor.Restart(),
                    ActorRefs.NoSender);
                // It boots when its partition actor handles the restart; only then can it rejoin.
                waitUntil(() => !IsCrashed(restart.Partition), bootLimit);
                AwaitRejoin(restart.Partition, mark);
                break;
            default:
                if (!LinkFaults.TryApply(wiring.Link, fault))
                    throw new ArgumentException($"{fault} is not a fault", nameof(fault));
                break;
        }
    }

    /// <summary>
    /// Tells <paramref name="partition"/> to restart (a running one reboots) and returns at once:
    /// an injected restart happens inside a delivery, where nothing may wait for the rejoin.
    /// </summary>
    public void TellRestart(int partition) =>
        wiring.Partitions[partition].Tell(new PartitionActor.Restart(), ActorRefs.NoSender);

    /// <summary>
    /// Waits until <paramref name="partition"/>, restarted, and each peer it can reach see each
    /// other come UP after <paramref name="mark"/> (the monitor's peer mark before the restart),
    /// or the bound passed.
    /// </summary>
    public void AwaitRejoin(int partition, long mark) =>
        Rejoin([.. Enumerable.Range(0, wiring.Partitions.Count)
            .Where(peer => peer != partition)
            .Select(peer => (partition, peer))], mark, orStayed: false);

    /// <summary>
    /// Waits until both sides of every pair that can rejoin (neither crashed, the link carrying
    /// both ways) see the other UP after <paramref name="mark"/> (or never lost it, with
    /// <paramref name="orStayed"/>), or the bound passed.
    /// </summary>
    private void Rejoin(IReadOnlyList<(int P, int Q)> pairs, long mark, bool orStayed)
    {
        var reachable = pairs.Where(pair => !IsCrashed(pair.P) && !IsCrashed(pair.Q)
            && wiring.Link.Carries(Between(pair.P, pair.Q))
            && wiring.Link.Carries(Between(pair.Q, pair.P))).ToList();
        if (reachable.Count == 0) return;
        waitUntil(() => monitor.Read(m => reachable.All(pair =>
                m.Peers.UpSince(new(pair.P), new(pair.Q), mark, orStayed)
                && m.Peers.UpSince(new(pair.Q), new(pair.P), mark, orStayed))),
            RejoinBound);
    }

    private static LinkDirection Between(int from, int to) =>
        new(new PartitionId(from), new PartitionId(to));
}
