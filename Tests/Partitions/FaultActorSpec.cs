// Proves a FaultActor ends in exactly one answer to its parent and stops: the segment's reply
// when it comes, TimedOut (outcome unknown) when the request timeout passes in virtual time, and
// then it tells the segment to abandon the request (so a late pin is given back there).
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Emulator.Partitions.Faults;
using Emulator.Protocol;
using Emulator.Protocol.Faults;
using Emulator.Protocol.Ids;
using Xunit;
using static Emulator.Tests.Partitions.ActorSpecSupport;

namespace Emulator.Tests.Partitions;

public sealed class FaultActorSpec() : TestKit(VirtualTime)
{
    private static readonly RequestId Id = new(P0, 7);

    private (IActorRef Fault, TestProbe Segment) Start()
    {
        var segment = CreateTestProbe();
        var fault = ChildActorOf(FaultActor.Props(Machine(), Port(), Id, segment.Ref.At(), 0x10000, new TgId(P0, 101), 1, default, OwnerMm.Same));
        return (fault, segment);
    }

    [Fact]
    public void FaultActor_must_ask_the_segment_and_pass_its_answer_up_once()
    {
        var (fault, segment) = Start();
        var pin = segment.ExpectMsg<Fault.Pin>();
        Assert.Equal(0x10000UL, pin.SourceAddress);
        Watch(fault);
        fault.Tell(new Refused(Id, Errno.ENOENT));
        Assert.Equal(Errno.ENOENT, ExpectMsg<Refused>().Errno);
        ExpectTerminated(fault);
    }

    [Fact]
    public void FaultActor_must_report_an_unknown_outcome_when_nobody_answers()
    {
        var (fault, segment) = Start();
        segment.ExpectMsg<Fault.Pin>();
        Watch(fault);
        ((TestScheduler)Sys.Scheduler).Advance(TimeSpan.FromSeconds(3));
        ExpectMsg<TimedOut>(t => t.RequestId == Id);
        Assert.Equal(Id, segment.ExpectMsg<Fault.Abandon>().RequestId);
        ExpectTerminated(fault);
    }
}
