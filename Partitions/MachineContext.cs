using Akka.Actor;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Memory;
using Emulator.Partitions.Tracing;

namespace Emulator.Partitions;

/// <summary>
/// What every actor of one emulated machine shares: settings, the checkers' monitor, the trace,
/// and the numbering of page frames.
/// </summary>
public sealed record MachineContext(EmulatorSettings Settings, MachineMonitor Monitor,
    ITrace Trace)
{
    public FrameCounter Frames { get; } = new(Settings.PhysicalMemoryBytes / Page.SizeBytes);
}

/// <summary>
/// The base of the machine's actors: traces each delivery when tracing is on (one branch when off).
/// </summary>
public abstract class EmulatorActor : ReceiveActor
{
    private string? _tracePath;

    protected EmulatorActor(MachineContext machine) => Machine = machine;

    protected MachineContext Machine { get; }

    protected string TracePath => _tracePath ??= Self.Path.ToStringWithoutAddress();

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
        Machine.Monitor.Observe(e);
        if (Machine.Trace.Enabled) Machine.Trace.Event(TracePath, e);
    }

    /// <summary>
    /// The partition crashed: from now on the actor handles nothing, as a process stopped on the
    /// spot (no teardown, no reply); children freeze too. It is stopped for good at a restart.
    /// </summary>
    protected void Freeze()
    {
        foreach (var child in Context.GetChildren()) child.Tell(new PartitionActor.Crash());
        Become(() => ReceiveAny(_ => { }));
    }

    protected override bool AroundReceive(Receive receive, object message)
    {
        if (Machine.Trace.Enabled) Machine.Trace.Delivered(TracePath, message);
        return base.AroundReceive(receive, message);
    }
}
