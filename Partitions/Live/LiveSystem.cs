using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Configuration;

namespace Emulator.Partitions.Live;

/// <summary>
/// Creates and stops ActorSystems for the live run mode: Akka's own dispatcher on the .NET thread
/// pool, Akka's own scheduler and the wall clock, with two additions that change no order: the
/// default dispatcher's executor counts mailbox runs and the mailboxes count deliveries
/// (<see cref="LiveActivity"/>), so a driver can wait for the machine to go quiet.
/// </summary>
public static class LiveSystem
{
    /// <summary>Longest wall-clock wait in <see cref="Shutdown"/>: a guard, not a timing.</summary>
    public static readonly TimeSpan ShutdownWallLimit = TimeSpan.FromSeconds(30);

    /// <summary>Longest wall-clock wait for a machine's actors to start: a guard too.</summary>
    public static readonly TimeSpan StartWallLimit = TimeSpan.FromSeconds(30);

    /// <summary>
    /// One activity per system. Keyed by the system's <see cref="Settings"/>: the one object both
    /// the executor and the mailbox type are given while the system is being built, before the
    /// system itself can be asked for anything; weak, so a terminated system takes it along.
    /// </summary>
    private static readonly ConditionalWeakTable<Settings, LiveActivity> Activities = new();

    private static readonly string ExecutorTypeName = TypeName<LiveExecutorConfigurator>();
    private static readonly string MailboxTypeName = TypeName<LiveMailboxType>();

    /// <summary>The live fragment: the counting executor and the counting mailbox.</summary>
    public static Config Config { get; } = ConfigurationFactory.ParseString($$"""
        akka.actor {
          # Akka's Dispatcher on the thread pool, as by default; the executor also counts runs.
          default-dispatcher.executor = "{{ExecutorTypeName}}"
          # The same for the guardians: a top-level actor starts, and its name is free again
          # once it stopped, inside a run of the /user guardian, which runs here (Akka's own
          # /system actors too: they are rarely busy, and a quiet moment waits for them).
          internal-dispatcher.executor = "{{ExecutorTypeName}}"
          # Counts deliveries; a deque, so Stash works.
          default-mailbox.mailbox-type = "{{MailboxTypeName}}"
          mailbox.unbounded-deque-based.mailbox-type = "{{MailboxTypeName}}"
        }
        """);

    /// <summary>
    /// Creates a live ActorSystem; <paramref name="extra"/> is merged over <see cref="Config"/>
    /// (extra wins). Its scheduler is started here, on the creating thread: Akka starts it at the
    /// first timer anyone sets, queues its clock task from that thread and blocks the thread until
    /// the task has run. Left to the machine, the first timers are XPC's heartbeats, set by every
    /// partition's XPC actor as it starts, all at once on pool threads: each blocked thread waits
    /// for a task queued on one of them (a pool thread's own queue), and only the pool's adding a
    /// thread every half second or so ended it (18 x 8 `live` stalled 1.6 s in 5 runs of 40).
    /// Then a machine's runs go to the pool threads' own queues (<see cref="LiveExecutor"/>),
    /// unless <paramref name="localQueues"/> is false: a cluster node's, whose chains hop through
    /// the network, ran 12% fewer cross-node faults a second on them (1,870 against 2,130, means of
    /// 7 interleaved pairs of runs).
    /// </summary>
    public static ActorSystem Create(string name, Config? extra = null, bool localQueues = true)
    {
        var system = ActorSystem.Create(name, extra is null ? Config : extra.WithFallback(Config));
        system.Scheduler.Advanced.ScheduleOnce(TimeSpan.Zero, static () => { });
        ActivityOf(system).LocalQueues = localQueues;
        return system;
    }

    /// <summary>
    /// What <paramref name="system"/> is doing (a system from <see cref="Create"/>).
    /// </summary>
    public static LiveActivity ActivityOf(ActorSystem system) => ActivityOf(system.Settings);

    internal static LiveActivity ActivityOf(Settings settings) =>
        Activities.GetValue(settings, _ => new LiveActivity());

    /// <summary>Terminates a live system; throws past <see cref="ShutdownWallLimit"/>.</summary>
    public static void Shutdown(ActorSystem system)
    {
        if (!system.Terminate().Wait(ShutdownWallLimit))
            throw new TimeoutException($"the live system did not stop in {ShutdownWallLimit}");
    }

    /// <summary>
    /// The machine's actors and the driver's inbox: /user and everything under it.
    /// </summary>
    internal static bool IsMachineActor(ActorPath path)
    {
        var top = path;
        while (top.Depth > 1) top = top.Parent;
        return top.Depth == 1 && top.Name == "user";
    }

    private static string TypeName<T>() =>
        $"{typeof(T).FullName}, {typeof(T).Assembly.GetName().Name}";
}
