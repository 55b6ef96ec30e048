using Akka.Actor;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Locks;
using Emulator.Partitions.Memory;
using Emulator.Partitions.Tracing;
using Emulator.Partitions.Xpc;
using Emulator.Protocol.Ids;

namespace Emulator.Partitions;

/// <summary>
/// What every actor of one emulated machine shares: settings, the checkers' monitor, the trace,
/// the numbering of page frames, and which partitions run.
/// </summary>
public sealed record MachineContext(EmulatorSettings Settings, MachineMonitor Monitor,
    ITrace Trace)
{
    public FrameCounter Frames { get; } = new(Settings.PhysicalMemoryBytes / Page.SizeBytes);

    public PartitionLives Lives { get; } = new();

    /// <summary>
    /// Whether the byte array a remote load or store carried may change hands once it has been
    /// delivered: the attacher changes a loaded page in place and sends it back as its store
    /// (<see cref="UnitWalk"/>), the owner gives a store's array back for its next load
    /// (<see cref="TransferBuffers"/>). XPC hands a packet over once and drops its duplicates
    /// unread, so nothing sees the change, except a trace: it prints every packet XPC delivers,
    /// a duplicate's too, with its bytes as they are then. So not in a traced run.
    /// </summary>
    public bool ReusesCarriedBytes => !Trace.Enabled;
}

/// <summary>
/// The base of the machine's actors: traces each delivery when tracing is on (one branch when off).
/// An actor that lives in a partition (a thread group and its segments and faults) handles
/// nothing once its partition crashed, as a process stopped on the spot: no teardown, no reply,
/// nothing leaves it, and it stays so after a restart (the new incarnation starts empty).
/// </summary>
/// <remarks>
/// An <see cref="ActorBase"/>, not a ReceiveActor: each actor handles its messages in one
/// <c>Receive(object)</c> (a switch on the type, first match wins; false: unhandled) and changes
/// state with <c>Become</c> of another such method. A ReceiveActor builds and compiles a matcher of
/// its handlers at every construction and every Become (about 450 bytes a handler), and a machine
/// makes an actor per process, per segment and per fault.
/// </remarks>
public abstract class EmulatorActor : ActorBase, ILockEvents
{
    private readonly PartitionId? _home;
    private readonly int _incarnation;
    private string? _tracePath;
    private ActorTimers? _timers;

    /// <summary>An actor of the machine itself (partitions, XPC endpoints).</summary>
    protected EmulatorActor(MachineContext machine) => Machine = machine;

    /// <summary>
    /// An actor that lives in, and dies with, the partition of <paramref name="home"/>.
    /// </summary>
    protected EmulatorActor(MachineContext machine, XpcPort home)
    {
        Machine = machine;
        _home = home.Partition;
        _incarnation = machine.Lives.Incarnation(home.Partition);
    }

    protected MachineContext Machine { get; }

    protected string TracePath => _tracePath ??= Self.Path.ToStringWithoutAddress();

    /// <summary>The actor's keyed timers (made at first use; all cancelled at its stop).</summary>
    protected ActorTimers Timers => _timers ??= new ActorTimers(Context.System.Scheduler, Self);

    /// <summary>
    /// A child that throws has hit a bug in the emulator: it is stopped (never restarted with
    /// fresh state, which would hide the bug) and the monitor records it, so the run fails.
    /// </summary>
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(Decider.From(exception =>
        {
            Machine.Monitor.ActorFailed(TracePath, exception);
            return Directive.Stop;
        }));

    /// <summary>
    /// Publishes what just happened to the checkers (and to the trace, when it is on).
    /// </summary>
    protected void Emit(MachineEvent e)
    {
        if (Note(e) && Machine.Trace.Enabled) Machine.Trace.Event(TracePath, e);
    }

    /// <summary>
    /// Hands <paramref name="e"/> to the checkers alone (request bookkeeping, never traced);
    /// false when this actor's partition crashed first: live actors finish a message on their
    /// own threads, and what one does after its partition's crash is lost with the partition
    /// (<see cref="MachineMonitor.Observe(MachineEvent, PartitionLives, PartitionId, int)"/>).
    /// </summary>
    protected bool Note(MachineEvent e)
    {
        if (_home is { } home) return Machine.Monitor.Observe(e, Machine.Lives, home, _incarnation);
        Machine.Monitor.Observe(e);
        return true;
    }

    /// <summary>
    /// <paramref name="id"/> waits for its reply from now on (a <see cref="RequestStarted"/>,
    /// handed to the in-flight checker without the event; dropped, as <see cref="Note"/> drops
    /// an event, once the actor's partition crashed).
    /// </summary>
    protected void NoteStarted(RequestId id, string what, PartitionId? at = null) =>
        Machine.Monitor.RequestStarted(id, what, at, Machine.Lives, _home, _incarnation);

    /// <summary>The reply to <paramref name="id"/> came (a <see cref="RequestEnded"/>).</summary>
    protected void NoteEnded(RequestId id) =>
        Machine.Monitor.RequestEnded(id, Machine.Lives, _home, _incarnation);

    /// <summary>
    /// Where the locks it holds as state tell their events: as events only when traced; else as
    /// values to the monitor, which makes an event of them only for a report or a tap.
    /// </summary>
    protected ILockEvents LockEvents => this;

    void ILockEvents.Waiting(LockId id, LockTask task, LockMode mode)
    {
        if (Machine.Trace.Enabled) Emit(new LockWaiting(id, task, mode));
        else Machine.Monitor.LockWaiting(id, task, mode, Machine.Lives, _home, _incarnation);
    }

    void ILockEvents.Acquired(LockId id, LockTask task, LockMode mode)
    {
        if (Machine.Trace.Enabled) Emit(new LockAcquired(id, task, mode));
        else Machine.Monitor.LockAcquired(id, task, mode, Machine.Lives, _home, _incarnation);
    }

    void ILockEvents.Released(LockId id, LockTask task)
    {
        if (Machine.Trace.Enabled) Emit(new LockReleased(id, task));
        else Machine.Monitor.LockReleased(id, task, Machine.Lives, _home, _incarnation);
    }

    /// <summary>
    /// False once the actor's partition crashed (for good: a restart is a new one).
    /// </summary>
    protected bool Alive => _home is not { } home || Machine.Lives.Runs(home, _incarnation);

    /// <summary>
    /// An actor made just before its partition crashed may start after it: then it never starts
    /// (no event, no message), as if the crash had come first, which it did.
    /// </summary>
    public override void AroundPreStart()
    {
        if (Alive) base.AroundPreStart();
    }

    public override void AroundPostStop()
    {
        _timers?.CancelAll();
        base.AroundPostStop();
    }

    protected override bool AroundReceive(Receive receive, object message)
    {
        if (!Alive) return true;
        if (message is ActorTimers.Armed armed)
        {
            // A timer's message is seen as itself; a cancelled or replaced one not at all.
            if (_timers?.Fired(armed) is not { } fired) return true;
            message = fired;
        }
        if (Machine.Trace.Enabled) Machine.Trace.Delivered(TracePath, message);
        return base.AroundReceive(receive, message);
    }
}
