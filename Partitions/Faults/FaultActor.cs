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
/// (pinned, refused, or <see cref="TimedOut"/> when the outcome is unknown) and stops.
/// </summary>
public sealed class FaultActor : EmulatorActor, IWithTimers
{
    /// <summary>
    /// No answer within the request timeout: the outcome is unknown (the toucher gets SIGBUS).
    /// </summary>
    public sealed record TimedOut(RequestId RequestId) : IReply;

    private sealed record PinTimedOut;

    private readonly XpcPort _port;
    private readonly RequestId _id;
    private readonly Endpoint _segment;
    private readonly ulong _source;
    private readonly TgId _attacher;

    public FaultActor(MachineContext machine, XpcPort port, RequestId id, Endpoint segment,
        ulong source, TgId attacher)
        : base(machine)
    {
        _port = port;
        _id = id;
        _segment = segment;
        _source = source;
        _attacher = attacher;
        Receive<Fault.Pinned>(Answer);
        Receive<SegmentActor.LocalPinned>(Answer);
        Receive<Refused>(Answer);
        Receive<PinTimedOut>(_ => Answer(new TimedOut(_id)));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(MachineContext machine, XpcPort port, RequestId id, Endpoint segment,
        ulong source, TgId attacher) =>
        Akka.Actor.Props.Create(() => new FaultActor(machine, port, id, segment, source, attacher));

    protected override void PreStart()
    {
        Timers.StartSingleTimer(_id, new PinTimedOut(), Machine.Settings.RequestTimeout);
        _port.Send(_segment,
            new Fault.Pin(_id, _source, _attacher, new Endpoint(_port.Partition, Self)));
    }

    private void Answer(IReply reply)
    {
        if (reply.RequestId != _id) return;
        Context.Parent.Tell(reply);
        Context.Stop(Self);
    }
}
