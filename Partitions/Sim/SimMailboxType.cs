using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace Emulator.Partitions.Sim;

/// <summary>
/// Makes <see cref="SimMessageQueue"/>s. <see cref="SimSystem.Config"/> names it as the default
/// mailbox and as the deque mailbox that Stash asks for, so every simulated actor gets one.
/// </summary>
public sealed class SimMailboxType : MailboxType, IProducesMessageQueue<SimMessageQueue>
{
    /// <summary>Akka creates it from a <c>mailbox-type</c> setting with this signature.</summary>
    public SimMailboxType(Settings settings, Config config)
        : base(settings, config)
    {
    }

    public override IMessageQueue Create(IActorRef owner, ActorSystem system)
    {
        var loop = SimPaths.IsSimulated(owner.Path) ? SimLoop.Of(system) : null;
        return new SimMessageQueue(owner, loop);
    }
}
