using Akka.Actor;
using Emulator.Partitions.Segments;
using Emulator.Partitions.Xpc;
using Emulator.Protocol;
using Emulator.Protocol.Faults;
using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Faults;

/// <summary>
/// One page fault in flight: a short-lived child of the faulting thread group. It asks the owner's
/// segment to pin the source page, owns the chain's timer, hands its parent exactly one answer
/// (pinned, refused, or <see cref="TimedOut"/> when the outcome is unknown) and stops. When the
/// timer wins, it tells the segment to abandon the request, so a late pin is given back there
/// instead of holding the segment's sema (and the page) for ever.
/// </summary>
public sealed class FaultActor : EmulatorActor
{
    /// <summary>Timer (its key too: the actor's only one): the request timeout passed.</summary>
    private sealed record PinTimedOut
    {
        public static readonly PinTimedOut Instance = new();
    }

    private readonly XpcPort _port;
    private readonly Fault.Pin _pin;
    private readonly Endpoint _segment;

    private FaultActor(MachineContext machine, XpcPort port, RequestId id, Endpoint segment,
        ulong source, TgId attacher, long attachment, RequestId task, OwnerMm mm)
        : base(machine, port)
    {
        _port = port;
        _segment = segment;
        // Made here, where the reply address is known: one request per fault, not a second copy.
        _pin = new Fault.Pin(id, source, attacher, attachment, new Endpoint(port.Partition, Self),
            task, mm);
    }

    /// <summary>
    /// A fault for attachment <paramref name="attachment"/> of <paramref name="attacher"/> at
    /// <paramref name="source"/> in the segment at <paramref name="segment"/>, for the call
    /// <paramref name="task"/>, taking the owner's mm as <paramref name="mm"/> says; the
    /// FaultActor is the pin request's reply address.
    /// </summary>
    public static Props Props(MachineContext machine, XpcPort port, RequestId id, Endpoint segment,
        ulong source, TgId attacher, long attachment, RequestId task, OwnerMm mm) =>
        Akka.Actor.Props.CreateBy(new Producer(machine, port, id, segment, source, attacher,
            attachment, task, mm));

    protected override void PreStart()
    {
        Timers.StartSingleTimer(PinTimedOut.Instance, PinTimedOut.Instance,
            Machine.Settings.RequestTimeout);
        _port.Send(_segment, _pin);
    }

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case IReply reply and (Fault.Pinned or SegmentActor.LocalPinned or Refused):
                Answer(reply);
                return true;
            case PartitionActor.PeerDown down:
                // The segment's partition is gone: no answer will come, and no pin is left to
                // give back there.
                if (down.Peer == _segment.Partition) Answer(new TimedOut(_pin.RequestId));
                return true;
            case PinTimedOut:
                _port.Send(_segment, new Fault.Abandon(_pin.RequestId));
                Answer(new TimedOut(_pin.RequestId));
                return true;
            default:
                return false;
        }
    }

    private void Answer(IReply reply)
    {
        if (reply.RequestId != _pin.RequestId) return;
        Context.Parent.Tell(reply);
        Context.Stop(Self);
    }

    /// <summary>
    /// Makes the actor from the fault's values: one object a fault, where a closure and its
    /// delegate (<see cref="Produced"/>) were two, for every one of the Altix run's 147,456.
    /// </summary>
    private sealed class Producer(MachineContext machine, XpcPort port, RequestId id,
        Endpoint segment, ulong source, TgId attacher, long attachment, RequestId task,
        OwnerMm mm) : IIndirectActorProducer
    {
        public Type ActorType => typeof(FaultActor);

        public ActorBase Produce() =>
            new FaultActor(machine, port, id, segment, source, attacher, attachment, task, mm);

        public void Release(ActorBase actor) { }
    }
}
