using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;

namespace Emulator.Partitions.Sim;

/// <summary>
/// Hands the mailboxes of simulated actors (/user and below) to the <see cref="SimLoop"/>
/// instead of running them, and every other runnable to the thread pool. Each run of a
/// simulated mailbox handles its system messages and exactly one user message.
/// </summary>
public sealed class SimDispatcher : MessageDispatcher
{
    private readonly SimLoop _loop;

    public SimDispatcher(MessageDispatcherConfigurator configurator, SimLoop loop)
        : base(configurator)
    {
        _loop = loop;
        Id = configurator.Config.GetString("id");
        // Akka 1.5.74's Mailbox.ProcessMailbox checks the budget only after a message, so
        // throughput 1 still lets a run take two: a simulated mailbox's queue gives one a run
        // (SimMessageQueue). Pinned by SimDispatcherSpec.
        Throughput = 1;
        ThroughputDeadlineTime = null;
        ShutdownTimeout = configurator.Config.GetTimeSpan(
            "shutdown-timeout", TimeSpan.FromSeconds(1));
    }

    public override void Attach(ActorCell cell)
    {
        // Adopt before the base class registers the mailbox, so that first registration goes to
        // the loop already.
        if (SimPaths.IsSimulated(cell.Self.Path)) AdoptMailbox(cell);
        base.Attach(cell);
    }

    public override void Detach(ActorCell cell)
    {
        var mailbox = cell.Mailbox;
        try
        {
            base.Detach(cell);
        }
        finally
        {
            if (mailbox is not null) _loop.Release(mailbox);
        }
    }

    protected override void ExecuteTask(IRunnable run)
    {
        if (run is Mailbox mailbox && _loop.TryMakeReady(mailbox)) return;
        _loop.RunElsewhere(run);
    }

    /// <summary>Nothing to release: the loop belongs to the scheduler, the pool to .NET.</summary>
    protected override void Shutdown()
    {
    }

    private void AdoptMailbox(ActorCell cell)
    {
        var mailbox = cell.Mailbox
            ?? throw new InvalidOperationException($"{cell.Self.Path} attached without a mailbox.");
        _loop.Adopt(mailbox);
        if (mailbox.MessageQueue is SimMessageQueue) return;
        // Still simulated, so the order stays reproducible, but its deliveries escape the count
        // and the trace (a bounded or custom mailbox, e.g. IWithBoundedStash): say so.
        var reason = $"{cell.Self.Path} has a {mailbox.MessageQueue.GetType().Name}, not the sim "
            + "mailbox: its deliveries are scheduled but not counted or traced.";
        EventStream.Publish(new Warning(cell.Self.Path.ToString(), typeof(SimDispatcher), reason));
    }
}
