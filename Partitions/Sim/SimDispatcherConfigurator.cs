using Akka.Configuration;
using Akka.Dispatch;

namespace Emulator.Partitions.Sim;

/// <summary>
/// Named as the <c>type</c> of <c>akka.actor.default-dispatcher</c> and
/// <c>akka.actor.internal-dispatcher</c> in sim mode; returns one shared
/// <see cref="SimDispatcher"/> bound to the system's <see cref="SimLoop"/>.
/// </summary>
public sealed class SimDispatcherConfigurator : MessageDispatcherConfigurator
{
    private readonly SimDispatcher _dispatcher;

    /// <summary>Akka creates it from the dispatcher's <c>type</c> with this signature.</summary>
    public SimDispatcherConfigurator(Config config, IDispatcherPrerequisites prerequisites)
        : base(config, prerequisites)
    {
        _dispatcher = new SimDispatcher(this, SimLoop.Of(prerequisites.Scheduler));
    }

    public override MessageDispatcher Dispatcher() => _dispatcher;
}
