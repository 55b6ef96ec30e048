// The logical clock that orders a cluster run's events: each system's moves on with every tick,
// never back, and every message our serializer writes carries it to the reader, whose clock
// moves past it; so an event on the receiving node, stamped after, orders after the sender's.
using Akka.Actor;
using Emulator.Partitions.Cluster;
using Emulator.Partitions.Serialization;
using Emulator.Protocol.Faults;
using Emulator.Protocol.Ids;
using Xunit;

namespace Emulator.Tests.Cluster;

public sealed class LogicalClockSpec
{
    [Fact]
    public void Clock_must_tick_up_and_never_go_back_on_witness()
    {
        var clock = new LogicalClock();
        Assert.Equal(1, clock.Tick());
        clock.Witness(10);
        Assert.Equal(11, clock.Tick());
        clock.Witness(3);
        Assert.Equal(12, clock.Tick());
    }

    [Fact]
    public void Serializer_must_carry_the_writer_s_clock_to_the_reader()
    {
        using var writer = ActorSystem.Create("writer", XpmemSerializer.Config);
        using var reader = ActorSystem.Create("reader", XpmemSerializer.Config);
        var message = new Fault.Done(new RequestId(new PartitionId(1), 5));
        for (var i = 0; i < 100; i++) LogicalClock.Of(writer).Tick();

        var bytes = writer.Serialization.FindSerializerFor(message).ToBinary(message);
        var stampWritten = LogicalClock.Of(writer).Now;
        var serializer = (XpmemSerializer)reader.Serialization.FindSerializerFor(message);
        serializer.FromBinary(bytes, serializer.Manifest(message));

        Assert.True(stampWritten > 100, $"writing ticked the writer's clock: {stampWritten}");
        Assert.True(LogicalClock.Of(reader).Tick() > stampWritten,
            "an event the reader stamps after reading orders after the writing");
    }
}
