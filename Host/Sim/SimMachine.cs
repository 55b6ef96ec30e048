using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Configuration;
using Emulator.Host.Machines;
using Emulator.Host.Scenarios;
using Emulator.Partitions;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Sim;
using Emulator.Partitions.Tracing;
using Emulator.Partitions.Xpc;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Partitions;
using Emulator.Protocol.Processes;

namespace Emulator.Host.Sim;

/// <summary>
/// One emulated machine in <c>sim</c> mode, driven from outside: its ActorSystem with the seeded
/// loop, the machine's actors, and an inbox for their replies. The runner and the model-based test
/// drive it; everything runs on the calling thread. The runner sees it as an
/// <see cref="IMachineDriver"/>.
/// </summary>
public sealed class SimMachine : IMachineDriver
{
    /// <summary>
    /// How much virtual time one call may take before the machine counts as stuck.
    /// </summary>
    public static readonly TimeSpan CallTimeLimit = TimeSpan.FromMinutes(10);

    private readonly InProcessMachine _parts;
    private readonly Queue<object> _inbox = new();
    private readonly bool _ownsSystem;
    private readonly HashSet<RequestId> _aimedReplies = [];

    /// <summary>Builds the machine on a fresh sim system of its own, seeded with
    /// <paramref name="seed"/>.</summary>
    public SimMachine(int partitions, int seed, Config akkaConfig, ITrace? trace = null)
        : this(SimSystem.Create("emulator", seed, akkaConfig).System, ownsSystem: true,
            partitions, seed, akkaConfig, trace)
    {
    }

    /// <summary>
    /// Builds the machine on <paramref name="system"/>, a sim system from
    /// <see cref="SimSystem.Create"/> that no machine uses now (the last one was disposed): the
    /// loop starts over (<see cref="SimLoop.Reset"/>), so the run is the one a fresh system with
    /// <paramref name="seed"/> gives, without paying for a new system. <see cref="Dispose"/> then
    /// stops this machine's actors and leaves the system to the next machine.
    /// </summary>
    public SimMachine(ActorSystem system, int partitions, int seed, Config akkaConfig,
        ITrace? trace = null)
        : this(system, ownsSystem: false, partitions, seed, akkaConfig, trace)
    {
    }

    private SimMachine(ActorSystem system, bool ownsSystem, int partitions, int seed,
        Config akkaConfig, ITrace? trace)
    {
        System = system;
        _ownsSystem = ownsSystem;
        Loop = SimLoop.Of(system);
        Loop.Reset(seed);
        Settings = SettingsOf(akkaConfig);
        Monitor = new MachineMonitor(Settings.LockOrder);
        Loop.DeliveryTimeOf = message => XpcActor.IsPacket(message)
            ? Settings.SimXpcDeliveryTime : Settings.SimDeliveryTime;
        // One thread in sim: the inbox is a plain queue.
        // The loop's strategy decides the link's faults too, so a schedule records them.
        _parts = new InProcessMachine(system, partitions, seed, Settings, Monitor, trace,
            _inbox.Enqueue, Loop.RunUntil, CallTimeLimit, Loop.LinkDraws(seed));
        Loop.RunUntilIdle();
    }

    /// <summary>
    /// The settings each config gave: reading them from HOCON cost a run of a small scenario a
    /// tenth of its time, and a sweep or an explore runs one config thousands of times.
    /// </summary>
    private static readonly ConditionalWeakTable<Config, EmulatorSettings> Read = new();

    public ActorSystem System { get; }

    public SimLoop Loop { get; }

    public EmulatorSettings Settings { get; }

    public MachineMonitor Monitor { get; }

    /// <summary>Virtual time.</summary>
    public TimeSpan Now => Loop.Now;

    public long Deliveries => Loop.Deliveries;

    /// <summary>
    /// <see cref="CallTimeLimit"/> of virtual time, which costs nothing to wait out.
    /// </summary>
    public TimeSpan ReplyTimeLimit => CallTimeLimit;

    /// <summary>Replies that came for the driver, in arrival order.</summary>
    public Queue<object> Inbox => _inbox;

    /// <summary>Starts a process and waits until it runs; null if the machine got stuck.</summary>
    public TgId? Spawn(int partition, Credentials credentials, LibraryMode library) =>
        DriverRequests.Spawn(this, partition, credentials, library);

    /// <summary>
    /// Asks partition <paramref name="partition"/> to start a process; its
    /// <see cref="Partition.Spawned"/> arrives in the inbox.
    /// </summary>
    public RequestId StartSpawn(int partition, Credentials credentials, LibraryMode library) =>
        _parts.Requests.Spawn(partition, credentials, library);

    /// <summary>
    /// Sends <paramref name="call"/> to a process; its <see cref="Process.Completed"/> arrives in
    /// the inbox.
    /// </summary>
    public RequestId Start(TgId process, Call call) => _parts.Requests.Start(process, call);

    /// <summary>
    /// Runs the machine until a reply is in the inbox, firing timers due within
    /// <paramref name="limit"/> of virtual time; false when nothing is ready and no timer is due
    /// within it.
    /// </summary>
    public bool TryNextReply(TimeSpan limit, [NotNullWhen(true)] out object? reply)
    {
        reply = null;
        if (_inbox.Count == 0 && !Loop.RunUntil(() => _inbox.Count > 0, limit)) return false;
        reply = _inbox.Dequeue();
        return true;
    }

    /// <summary>
    /// Makes one call and runs the machine until it and everything it set going have ended.
    /// </summary>
    public Outcome? Call(TgId process, Call call)
    {
        var id = Start(process, call);
        if (!TryNextReply(CallTimeLimit, out var reply)) return null;
        var (replyId, outcome) = OutcomeOf(reply);
        if (replyId != id) throw new InvalidOperationException($"reply {replyId} for {id}");
        Settle();
        return outcome;
    }

    /// <summary>
    /// Ends the run the way the kernel would: every process still alive exits (teardown), the
    /// machine runs until every thread group has stopped and nothing moves, then every checker
    /// gives its verdict. Exiting a process that already ended changes nothing.
    /// </summary>
    public IReadOnlyList<CheckerReport> Finish(IEnumerable<TgId> processes)
    {
        Settle();
        foreach (var process in processes) Start(process, new ExitCall(0));
        Loop.RunUntil(() => Monitor.Refcounts.ThreadGroupsAlive == 0, CallTimeLimit);
        Settle();
        _inbox.Clear();
        return Monitor.Final();
    }

    /// <summary>
    /// Runs until nothing is ready and XPC has handed over every message it took (a link fault may
    /// hold one back: a lost message waits for its retransmission, a delayed one for its time), so
    /// a step ends with everything it set going, faults or not. Timers fire only while XPC still
    /// owes something; a message on a cut link waits for the heal and holds nothing up. False
    /// when XPC still owed something after <see cref="CallTimeLimit"/> of virtual time.
    /// </summary>
    public bool Settle()
    {
        Loop.RunUntilIdle();
        if (_parts.Wiring.Link.Settled) return true;
        return Loop.RunUntil(() => _parts.Wiring.Link.Settled && Loop.IsIdle, CallTimeLimit);
    }

    private static EmulatorSettings SettingsOf(Config config) =>
        Read.GetValue(config, EmulatorSettings.Create);

    /// <summary>True while partition <paramref name="partition"/> is crashed.</summary>
    public bool IsCrashed(int partition) => _parts.Faults.IsCrashed(partition);

    /// <summary>
    /// Injects a fault from now on (<see cref="FaultInjector"/>); a heal or a restart runs the
    /// loop until the partitions concerned see each other UP again (a bound of virtual time).
    /// </summary>
    public void Inject(Command fault) => _parts.Faults.Inject(fault);

    /// <summary>
    /// Explore's <c>--inject reply-drop</c>: the link loses the next packet that carries a reply
    /// to <paramref name="request"/> (a fault's Pinned or Refused); XPC retransmits it.
    /// </summary>
    public void AimReplyDrop(RequestId request)
    {
        _aimedReplies.Add(request);
        _parts.Wiring.Link.Aim ??= packet => packet is XpcActor.Sequenced { Message: IReply reply }
            && _aimedReplies.Remove(reply.RequestId);
    }

    /// <summary>
    /// Tells partition <paramref name="partition"/> to restart without waiting for it (an
    /// injected restart, from inside a delivery).
    /// </summary>
    public void TellRestart(int partition) => _parts.Faults.TellRestart(partition);

    /// <summary>The outcome a reply in the inbox carries (<see cref="MachineReplies"/>).</summary>
    public static (RequestId Id, Outcome Outcome) OutcomeOf(object reply) =>
        MachineReplies.OutcomeOf(reply);

    /// <summary>
    /// Schedules <paramref name="message"/> into the inbox after <paramref name="delay"/> of
    /// virtual time.
    /// </summary>
    public void RemindAfter(TimeSpan delay, object message) =>
        System.Scheduler.ScheduleTellOnce(delay, _parts.Inbox, message, ActorRefs.NoSender);

    public void Dispose()
    {
        if (_ownsSystem) SimSystem.Shutdown(System);
        else Release();
    }

    /// <summary>
    /// Stops a machine built on a reused system and runs until its actors are gone, so their
    /// names are free for the next machine; the system keeps running.
    /// </summary>
    private void Release()
    {
        _parts.Stop();
        Loop.RunUntilIdle();
    }
}
