using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace Emulator.Partitions.Live;

/// <summary>
/// Makes <see cref="LiveMessageQueue"/>s. <see cref="LiveSystem.Config"/> names it as the default
/// mailbox and as the deque mailbox that Stash asks for.
/// </summary>
public sealed class LiveMailboxType : MailboxType, IProducesMessageQueue<LiveMessageQueue>
{
    private readonly LiveActivity _activity;

    /// <summary>Akka creates it from a <c>mailbox-type</c> setting with this signature.</summary>
    public LiveMailboxType(Settings settings, Config config)
        : base(settings, config)
    {
        _activity = LiveSystem.ActivityOf(settings);
    }

    public override IMessageQueue Create(IActorRef owner, ActorSystem system) =>
        new LiveMessageQueue(LiveSystem.IsMachineActor(owner.Path) ? _activity : null);
}

/// <summary>
/// The user-message queue of every actor in a live system: Akka's unbounded deque (so Stash
/// works) plus a count of the messages handed to actors under /user, the figure a sim run reports
/// as its deliveries. One interlocked add per message; nothing else changes.
/// </summary>
public sealed class LiveMessageQueue(LiveActivity? activity) : ReportingDequeQueue(contended: true)
{
    /// <summary>What hands this queue's mailbox to the thread pool (<see cref="LiveExecutor"/>).
    /// </summary>
    internal IThreadPoolWorkItem? RunItem { get; set; }

    /// <summary>Counts the delivery; <c>activity</c> is null for Akka's own actors.</summary>
    protected override void Delivering(Envelope envelope) => activity?.Delivered();
}
