using Akka.Actor;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace Emulator.Partitions.Sim;

/// <summary>
/// The user-message queue of every actor in a sim system: Akka's unbounded deque (so Stash
/// works) plus a report to the loop each time a simulated actor takes a message, which is how
/// <see cref="SimLoop.Deliveries"/> and <see cref="SimLoop.Delivered"/> see every delivery,
/// unstashed ones included.
/// </summary>
public sealed class SimMessageQueue : IMessageQueue, IUnboundedDequeBasedMessageQueueSemantics
{
    private readonly UnboundedDequeMessageQueue _queue = new();
    private readonly IActorRef _owner;
    private readonly SimLoop? _loop;

    /// <param name="owner">The actor whose queue this is.</param>
    /// <param name="loop">The loop to report to; null when the loop does not simulate it.</param>
    public SimMessageQueue(IActorRef owner, SimLoop? loop)
    {
        _owner = owner;
        _loop = loop;
    }

    public bool HasMessages => _queue.HasMessages;

    public int Count => _queue.Count;

    public void Enqueue(IActorRef receiver, Envelope envelope) =>
        _queue.Enqueue(receiver, envelope);

    public void EnqueueFirst(Envelope envelope) => _queue.EnqueueFirst(envelope);

    /// <summary>
    /// Akka's mailbox calls this only to hand the message to the actor right away.
    /// </summary>
    public bool TryDequeue(out Envelope envelope)
    {
        if (!_queue.TryDequeue(out envelope)) return false;
        _loop?.RecordDelivery(_owner, envelope.Message);
        return true;
    }

    /// <summary>
    /// Moves what is left to dead letters; not a delivery, so it bypasses the report.
    /// </summary>
    public void CleanUp(IActorRef owner, IMessageQueue deadletters) =>
        _queue.CleanUp(owner, deadletters);
}
