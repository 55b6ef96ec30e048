using System.Collections.Concurrent;
using Stopwatch = System.Diagnostics.Stopwatch;
using System.Diagnostics.CodeAnalysis;
using Akka.Actor;
using Akka.Configuration;
using Emulator.Host.Machines;
using Emulator.Host.Scenarios;
using Emulator.Partitions;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Live;
using Emulator.Partitions.Tracing;
using Emulator.Partitions.Xpc;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Partitions;
using Emulator.Protocol.Processes;

namespace Emulator.Host.Live;

/// <summary>
/// One emulated machine in <c>live</c> mode: the same actors as in <c>sim</c>, on a normal
/// ActorSystem (<see cref="LiveSystem"/>): Akka's dispatcher runs them on the thread pool, so
/// parallel branches really run at once; Akka's scheduler fires their timers and the wall clock
/// is the machine's clock. The driver waits without polling: for a reply on a blocking inbox, for
/// quiet on <see cref="LiveActivity"/>, each with a wall-clock bound past which the run is stuck.
/// The seed decides only the link's faults; runs are not reproducible.
/// </summary>
public sealed class LiveMachine : IMachineDriver
{
    private readonly InProcessMachine _parts;
    private readonly BlockingCollection<object> _inbox = new();
    private readonly bool _ownsSystem;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly LiveActivity _activity;
    private readonly long _deliveriesBefore;

    /// <summary>Builds the machine on a fresh live system of its own.</summary>
    public LiveMachine(int partitions, int seed, Config akkaConfig, ITrace? trace = null)
        : this(LiveSystem.Create("emulator", akkaConfig), ownsSystem: true, partitions, seed,
            akkaConfig, trace)
    {
    }

    /// <summary>
    /// Builds the machine on <paramref name="system"/>, a system from
    /// <see cref="LiveSystem.Create"/> that no machine uses now; <see cref="Dispose"/> stops this
    /// machine's actors and leaves the system to the next machine.
    /// </summary>
    public LiveMachine(ActorSystem system, int partitions, int seed, Config akkaConfig,
        ITrace? trace = null)
        : this(system, ownsSystem: false, partitions, seed, akkaConfig, trace)
    {
    }

    private LiveMachine(ActorSystem system, bool ownsSystem, int partitions, int seed,
        Config akkaConfig, ITrace? trace)
    {
        System = system;
        _ownsSystem = ownsSystem;
        _activity = LiveSystem.ActivityOf(system);
        _deliveriesBefore = _activity.Deliveries;
        Settings = EmulatorSettings.Create(akkaConfig);
        Monitor = new MachineMonitor(Settings.LockOrder);
        ReplyTimeLimit = Settings.LiveReplyTimeLimit;
        // The seed still decides each packet's fate, but not which packet asks first. Faults
        // wait at quiet moments: heartbeats keep coming, so there are many. Replies come on
        // pool threads: the inbox blocks its reader.
        _parts = new InProcessMachine(system, partitions, seed, Settings, Monitor, trace,
            _inbox.Add, _activity.WaitUntilQuiet, ReplyTimeLimit);
        // The machine actor wires the partitions in its constructor, on a pool thread: the driver
        // may address them only once that has happened. Not the reply limit, which a scenario
        // may set low: starting takes what the host takes (JIT, a loaded machine).
        if (!_activity.WaitUntilQuiet(() => _parts.Wiring.Partitions.Count == partitions,
            LiveSystem.StartWallLimit))
        {
            throw new TimeoutException(
                $"the machine did not start within {LiveSystem.StartWallLimit}");
        }
    }

    public ActorSystem System { get; }

    public EmulatorSettings Settings { get; }

    public MachineMonitor Monitor { get; }

    /// <summary>Wall-clock time since the machine was built.</summary>
    public TimeSpan Now => _clock.Elapsed;

    /// <summary>Deliveries on the system since this machine was built.</summary>
    public long Deliveries => _activity.Deliveries - _deliveriesBefore;

    /// <summary>Wall-clock time: <c>live-reply-time-limit</c> in akka.hocon.</summary>
    public TimeSpan ReplyTimeLimit { get; }

    public TgId? Spawn(int partition, Credentials credentials, LibraryMode library) =>
        DriverRequests.Spawn(this, partition, credentials, library);

    public RequestId StartSpawn(int partition, Credentials credentials, LibraryMode library) =>
        _parts.Requests.Spawn(partition, credentials, library);

    public bool IsCrashed(int partition) => _parts.Faults.IsCrashed(partition);

    public RequestId Start(TgId process, Call call) => _parts.Requests.Start(process, call);

    /// <summary>
    /// Blocks on the inbox; a reply or a reminder wakes it at once. Live cannot tell "no reply can
    /// come any more" from "none came yet" (a timer may still fire), so only the bound ends it.
    /// </summary>
    public bool TryNextReply(TimeSpan limit, [NotNullWhen(true)] out object? reply) =>
        _inbox.TryTake(out reply, limit);

    /// <summary>
    /// Waits for a quiet moment at which XPC has handed over everything it accepted; timers keep
    /// firing meanwhile (heartbeats, retransmissions, delayed packets), as they would on a real
    /// machine.
    /// </summary>
    public bool Settle() =>
        _activity.WaitUntilQuiet(() => _parts.Wiring.Link.Settled, ReplyTimeLimit);

    /// <summary>
    /// Injects a fault from now on (<see cref="FaultInjector"/>): a crash or restart is carried
    /// out by its partition actor on its own thread; a heal or a restart waits, at quiet moments,
    /// until the partitions concerned see each other UP again (a bound of wall-clock time).
    /// </summary>
    public void Inject(Command fault) => _parts.Faults.Inject(fault);

    /// <summary>Akka's scheduler: real time.</summary>
    public void RemindAfter(TimeSpan delay, object message) =>
        System.Scheduler.ScheduleTellOnce(delay, _parts.Inbox, message, ActorRefs.NoSender);

    public IReadOnlyList<CheckerReport> Finish(IEnumerable<TgId> processes)
    {
        Settle();
        foreach (var process in processes) Start(process, new ExitCall(0));
        _activity.WaitUntilQuiet(
            () => Monitor.Read(m => m.Refcounts.ThreadGroupsAlive == 0)
                && _parts.Wiring.Link.Settled,
            ReplyTimeLimit);
        while (_inbox.TryTake(out _))
        {
            // The exits' answers: the run is over, nobody reads them.
        }
        return Monitor.Final();
    }

    public void Dispose()
    {
        if (_ownsSystem)
        {
            LiveSystem.Shutdown(System);
        }
        else
        {
            // The names are free for the next machine once both are gone: their stopping is
            // mailbox work like any other, so the next quiet moment comes after it.
            _parts.Stop();
            _activity.WaitUntilQuiet(() => true, LiveSystem.ShutdownWallLimit);
        }
        // The inbox actor is gone: what still comes for it goes to dead letters, not here.
        _inbox.Dispose();
    }
}
