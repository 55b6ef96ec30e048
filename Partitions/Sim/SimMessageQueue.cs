using Akka.Actor;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace Emulator.Partitions.Sim;

/// <summary>
/// The user-message queue of every actor in a sim system: Akka's unbounded deque (so Stash
/// works) plus a report to the loop each time a simulated actor takes a message, which is how
/// <see cref="SimLoop.Deliveries"/> and <see cref="SimLoop.Delivered"/> see every delivery,
/// unstashed ones included. A run of a simulated mailbox hands its actor one message: the loop
/// begins each run (<see cref="BeginRun"/>), and the queue has nothing more for that run once
/// it gave one. (Akka 1.5.74's mailbox lets a throughput-1 run take two; a zero throughput
/// deadline stopped it too, but read the clock twice a run.)
/// </summary>
public sealed class SimMessageQueue(IActorRef owner, SimLoop? loop)
    : ReportingDequeQueue(contended: false)
{
    private bool _delivered;

    /// <summary>
    /// The registration number the loop gave this queue's mailbox while it simulates it, else
    /// -1: the loop reads it each time the mailbox gets work, instead of looking the mailbox up.
    /// </summary>
    internal long SimNumber { get; set; } = -1;

    /// <summary>The loop is about to run this queue's mailbox: it may deliver one message.
    /// </summary>
    internal void BeginRun() => _delivered = false;

    /// <summary>Actors the loop does not simulate run on the pool, as Akka runs them.</summary>
    protected override bool Admits() => loop is null || !_delivered;

    /// <summary>
    /// Reports to <c>loop</c>, which is null when the loop does not simulate
    /// <c>owner</c>.
    /// </summary>
    protected override void Delivering(Envelope envelope)
    {
        if (loop is null) return;
        _delivered = true;
        loop.RecordDelivery(owner, envelope.Message);
    }
}
