// Proves that a live system's scheduler is running when LiveSystem.Create returns, so no actor's
// first timer makes a pool thread wait for Akka to start it (left to the machine, the partitions'
// XPC actors all set their first heartbeats at once on pool threads, and runs stalled 1.6 s
// while the pool added threads); an ActorSystem created the plain way shows the lazy start this
// guards against. Akka keeps the state private: the spec reads its field, and fails if Akka
// renames it (then LiveSystem.Create's reason must be checked again). And that a machine's
// system runs its mailboxes on the pool threads' own queues, a cluster node's on the shared one.
using System.Reflection;
using Akka.Actor;
using Emulator.Partitions.Live;
using Xunit;

namespace Emulator.Tests.Live;

public sealed class LiveSystemSpec
{
    /// <summary>HashedWheelTimerScheduler's WORKER_STATE_STARTED.</summary>
    private const int Started = 1;

    [Fact]
    public void LiveSystem_must_start_the_scheduler_on_the_creating_thread()
    {
        var live = LiveSystem.Create("live-scheduler");
        var plain = ActorSystem.Create("plain-scheduler", LiveSystem.Config);
        try
        {
            Assert.Equal(Started, WorkerState(live));
            Assert.NotEqual(Started, WorkerState(plain));
        }
        finally
        {
            LiveSystem.Shutdown(live);
            LiveSystem.Shutdown(plain);
        }
    }

    [Fact]
    public void LiveSystem_must_put_runs_on_local_queues_unless_told_not_to()
    {
        var machine = LiveSystem.Create("local-queues");
        var node = LiveSystem.Create("shared-queue", localQueues: false);
        try
        {
            Assert.True(LiveSystem.ActivityOf(machine).LocalQueues, "a machine's system");
            Assert.False(LiveSystem.ActivityOf(node).LocalQueues, "a cluster node's system");
        }
        finally
        {
            LiveSystem.Shutdown(machine);
            LiveSystem.Shutdown(node);
        }
    }

    private static int WorkerState(ActorSystem system)
    {
        var scheduler = Assert.IsType<HashedWheelTimerScheduler>(system.Scheduler);
        var field = typeof(HashedWheelTimerScheduler).GetField("_workerState",
            BindingFlags.Instance | BindingFlags.NonPublic);
        Assert.NotNull(field);
        return (int)field.GetValue(scheduler)!;
    }
}
