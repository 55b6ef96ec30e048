using Akka.Actor;
using Emulator.Partitions;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Tracing;
using Emulator.Partitions.Xpc;

namespace Emulator.Host.Machines;

/// <summary>
/// What a driver of a machine in one ActorSystem builds the same way in <c>sim</c> and
/// <c>live</c>: the wiring and its link (faults drawn from their own stream of the run's seed),
/// the machine's actors, then the driver's inbox actor (in that order, as every run has them),
/// how requests are addressed and how faults are injected. The driver says only how it waits
/// (<c>waitUntil</c>, within <c>bootLimit</c> for a restart to boot) and where replies go
/// (<c>deliver</c>, called on the inbox actor's thread).
/// </summary>
internal sealed class InProcessMachine
{
    private readonly ActorSystem _system;

    public InProcessMachine(ActorSystem system, int partitions, int seed,
        EmulatorSettings settings, MachineMonitor monitor, ITrace? trace, Action<object> deliver,
        Func<Func<bool>, TimeSpan, bool> waitUntil, TimeSpan bootLimit, LinkDraws? draws = null)
    {
        _system = system;
        Wiring = new MachineWiring(draws is null ? XpcLink.ForRun(seed) : new XpcLink(draws));
        var machine = new MachineContext(settings, monitor, trace ?? NoTrace.Instance);
        Wiring.Link.Crashed = machine.Lives.Crashed;
        Faults = new FaultInjector(Wiring, machine.Lives, monitor, settings.Xpc, waitUntil,
            bootLimit);
        MachineActor = system.ActorOf(
            Partitions.MachineActor.Props(machine, partitions, Wiring), "machine");
        Inbox = system.ActorOf(Produced.By(() => new InboxActor(deliver)), "runner");
        Requests = new DriverRequests(Wiring, Inbox);
    }

    public MachineWiring Wiring { get; }

    public FaultInjector Faults { get; }

    public IActorRef MachineActor { get; }

    /// <summary>The driver's inbox: replies and reminders are addressed to it.</summary>
    public IActorRef Inbox { get; }

    public DriverRequests Requests { get; }

    /// <summary>Stops the machine's actors and the inbox; their names are free once gone.</summary>
    public void Stop()
    {
        _system.Stop(MachineActor);
        _system.Stop(Inbox);
    }
}

/// <summary>Hands what a driver's inbox receives to the driver, on the actor's thread.</summary>
internal sealed class InboxActor : ReceiveActor
{
    public InboxActor(Action<object> deliver) => ReceiveAny(deliver);
}
