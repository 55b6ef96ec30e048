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
public sealed class SimMessageQueue(IActorRef owner, SimLoop? loop) : ReportingDequeQueue
{
    /// <summary>
    /// The registration number the loop gave this queue's mailbox while it simulates it, else
    /// -1: the loop reads it each time the mailbox gets work, instead of looking the mailbox up.
    /// </summary>
    internal long SimNumber { get; set; } = -1;

    /// <summary>
    /// Reports to <c>loop</c>, which is null when the loop does not simulate
    /// <c>owner</c>.
    /// </summary>
    protected override void Delivering(Envelope envelope) =>
        loop?.RecordDelivery(owner, envelope.Message);
}
