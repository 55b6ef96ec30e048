using Akka.Configuration;
using Akka.Dispatch;

namespace Emulator.Partitions.Live;

/// <summary>
/// Named as the <c>executor</c> of <c>akka.actor.default-dispatcher</c> in live mode (Akka's own
/// <c>Dispatcher</c> type, throughput and all, stays): makes a <see cref="LiveExecutor"/> that
/// reports to the system's <see cref="LiveActivity"/>.
/// </summary>
public sealed class LiveExecutorConfigurator : ExecutorServiceConfigurator
{
    /// <summary>
    /// Akka creates it from the dispatcher's <c>executor</c> with this signature.
    /// </summary>
    public LiveExecutorConfigurator(Config config, IDispatcherPrerequisites prerequisites)
        : base(config, prerequisites)
    {
    }

    public override ExecutorService Produce(string id) =>
        new LiveExecutor(id, LiveSystem.ActivityOf(Prerequisites.Settings));
}

/// <summary>
/// Runs mailboxes on the .NET thread pool, as Akka's default executor does, and counts each run
/// from the moment it is handed over until it is over, so <see cref="LiveActivity"/> knows when
/// nothing is left to run. The count goes up on the thread that hands the run over (inside the
/// sender's own run, or the driver's Tell), before the pool can start it.
///
/// With <see cref="LiveActivity.LocalQueues"/>, a run handed over by a pool thread goes to that
/// thread's own queue: a fault's chain of hops stays on the thread that sent it, warm in its
/// cache, instead of every hop passing through the pool's one shared queue, which the pool's
/// threads contended for (18 x 512 `live`: 9.8-10.8 -> 8.4-9.1 s, CPU 14.8-16.3 -> 12.0-13.0 s).
/// Idle threads steal from a busy one's queue; what comes from outside the pool (the driver,
/// timers, the network) goes to the shared queue. No pool thread may wait for another's queued
/// work: Akka's scheduler would have made the first timers' threads do so, had
/// <see cref="LiveSystem.Create"/> not started it.
/// </summary>
public sealed class LiveExecutor(string id, LiveActivity activity) : ExecutorService(id)
{
    public override void Execute(IRunnable run)
    {
        activity.RunScheduled();
        ThreadPool.UnsafeQueueUserWorkItem(ItemFor(run), preferLocal: activity.LocalQueues);
    }

    /// <summary>Nothing to release: the pool belongs to .NET.</summary>
    public override void Shutdown()
    {
    }

    /// <summary>
    /// A mailbox's item is made at its first run and kept on its queue: a mailbox is handed over
    /// once at a time (Akka's scheduled flag), and the item keeps nothing of one run, so even a
    /// run that hands its mailbox over again before its own item returns may share it. One item a
    /// run was live's most allocated object (161 MB of 1.6 GB in the 18 x 512 Altix run).
    /// </summary>
    private IThreadPoolWorkItem ItemFor(IRunnable run) =>
        run is Mailbox { MessageQueue: LiveMessageQueue queue }
            ? queue.RunItem ??= new CountedRun(run, activity)
            : new CountedRun(run, activity);

    /// <summary>
    /// Runs a mailbox (each of its runs, see <see cref="ItemFor"/>) or another task once; the
    /// count goes down once the run's handlers have returned. Holds nothing of a run.
    /// </summary>
    private sealed class CountedRun(IRunnable run, LiveActivity activity) : IThreadPoolWorkItem
    {
        public void Execute()
        {
            try
            {
                run.Run();
            }
            finally
            {
                activity.RunEnded();
            }
        }
    }
}
