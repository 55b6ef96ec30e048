using Akka.Actor;
using Emulator.Protocol;
using Emulator.Partitions.Xpc;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Partitions;
using Emulator.Protocol.Processes;

namespace Emulator.Host.Machines;

/// <summary>
/// How a driver addresses its machine, the same in every mode: it numbers its requests, sends
/// each to the partition actor concerned, and names its inbox actor as the reply address (on the
/// target's own partition, so the answer never crosses XPC). Only how the driver waits for the
/// answer differs by mode. Used from the driver's one thread.
/// </summary>
public sealed class DriverRequests(MachineWiring wiring, IActorRef inbox)
{
    private long _next;

    /// <summary>Asks partition <paramref name="partition"/> to start a process.</summary>
    public RequestId Spawn(int partition, Credentials credentials, LibraryMode library)
    {
        var id = Next();
        wiring.Partitions[partition].Tell(new Partition.Spawn(id, credentials, library,
            new Endpoint(new PartitionId(partition), inbox)), ActorRefs.NoSender);
        return id;
    }

    /// <summary>Sends <paramref name="call"/> to <paramref name="process"/>.</summary>
    public RequestId Start(TgId process, Call call)
    {
        var id = Next();
        wiring.Partitions[process.Partition.Value].Tell(new Partition.Deliver(process,
                new Process.Run(id, call, new Endpoint(process.Partition, inbox))),
            ActorRefs.NoSender);
        return id;
    }

    /// <summary>
    /// Starts a process on <paramref name="machine"/> and waits for its pid within the machine's
    /// reply limit; null if none came (the machine is stuck).
    /// </summary>
    public static TgId? Spawn(IMachineDriver machine, int partition, Credentials credentials,
        LibraryMode library)
    {
        machine.StartSpawn(partition, credentials, library);
        return machine.TryNextReply(machine.ReplyTimeLimit, out var reply)
            ? Spawned(partition, reply) : null;
    }

    /// <summary>
    /// The process a spawn's reply names; a reply without a pid is a bug of the machine.
    /// </summary>
    public static TgId Spawned(int partition, object reply) => reply is Partition.Spawned spawned
        ? new TgId(new PartitionId(partition), spawned.Pid)
        : throw new InvalidOperationException(
            $"partition p{partition} answered a spawn with {reply.GetType().Name}, no pid");

    private RequestId Next() => new(new PartitionId(0), ++_next);
}
