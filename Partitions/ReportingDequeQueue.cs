using Akka.Actor;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace Emulator.Partitions;

/// <summary>
/// The user-message queue under every mode's actors: a deque (so Stash works, see
/// <see cref="EnvelopeDeque"/>) plus one report each time the mailbox hands a message to its
/// actor, unstashed ones included, which is how a mode counts and schedules deliveries
/// (<c>SimMessageQueue</c>, <c>LiveMessageQueue</c>). Moving what is left to dead letters is not
/// a delivery.
/// </summary>
/// <param name="contended">Whether tellers and the run are on several threads at once (live):
/// the deque's gate then blocks rather than spins (<see cref="EnvelopeDeque"/>).</param>
public abstract class ReportingDequeQueue(bool contended)
    : IMessageQueue, IUnboundedDequeBasedMessageQueueSemantics
{
    private readonly EnvelopeDeque _queue = new(contended);

    public bool HasMessages => _queue.Count > 0;

    public int Count => _queue.Count;

    public void Enqueue(IActorRef receiver, Envelope envelope) => _queue.Enqueue(envelope);

    public void EnqueueFirst(Envelope envelope) => _queue.EnqueueFirst(envelope);

    /// <summary>
    /// Akka's mailbox calls this only to hand the message to the actor right away.
    /// </summary>
    public bool TryDequeue(out Envelope envelope)
    {
        if (!Admits())
        {
            envelope = default;
            return false;
        }
        if (!_queue.TryDequeue(out envelope)) return false;
        Delivering(envelope);
        return true;
    }

    /// <summary>Not a delivery, so it bypasses the report.</summary>
    public void CleanUp(IActorRef owner, IMessageQueue deadletters)
    {
        while (_queue.TryDequeue(out var envelope)) deadletters.Enqueue(owner, envelope);
    }

    /// <summary>
    /// False when the mailbox's run may hand its actor no more messages (a sim run takes one).
    /// </summary>
    protected virtual bool Admits() => true;

    /// <summary>The mailbox is handing <paramref name="envelope"/> to its actor now.</summary>
    protected abstract void Delivering(Envelope envelope);
}
