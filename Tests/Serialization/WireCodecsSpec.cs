// Proves the codecs handle the shapes no message uses yet, so the next message that does needs
// no code: every integer width at its extremes, float, double, TimeSpan, enums (plain, [Flags]),
// nullable values and records, lists as arrays, IReadOnlyList and List (of nullable items, of
// records that take no bytes), a tagged field that recurs. How: records declared here, seen
// through a WireTypes over Protocol, Partitions and this assembly, round-tripped field by field.
// Also: what has no wire form, a field that would be dropped, a null where none is allowed, and
// nesting past the bound are refused with errors that name the field.
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Emulator.Partitions.Serialization;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Xunit;
using static Emulator.Tests.Serialization.WireEquality;

namespace Emulator.Tests.Serialization;

public sealed class WireCodecsSpec : TestKit
{
    private static readonly WireCodecs Codecs =
        new(new WireTypes([.. SampleBuilder.WireAssemblies, typeof(WireCodecsSpec).Assembly]));

    [Fact]
    public void WireCodecs_must_round_trip_every_shape_at_its_edges()
    {
        foreach (var sample in new[] { Lows(), Highs() })
        {
            var copy = RoundTrip(sample);
            Assert.Empty(Differences(sample, copy));
        }
    }

    [Fact]
    public void WireCodecs_must_write_small_numbers_in_one_byte_each()
    {
        Assert.Equal(2, Write(new Numbers(0, 0)).Length);
        Assert.Equal(2, Write(new Numbers(-64, 127)).Length);
        Assert.Equal(4, Write(new Numbers(64, 128)).Length);
        Assert.Equal(10 + 10, Write(new Numbers(long.MinValue, ulong.MaxValue)).Length);
    }

    [Fact]
    public void WireCodecs_must_carry_a_tagged_field_that_recurs_up_to_the_depth_bound()
    {
        Shape shape = new Square(1);
        for (var i = 0; i < WireReader.DepthMax - 1; i++) shape = new Stack(i, shape);
        var within = new Drawing(shape);
        // Record equality: these hold no lists, and WireEquality stops at a depth this passes.
        Assert.Equal(within, RoundTrip(within));

        var deeper = new Drawing(new Stack(-1, shape));
        var refusal = Assert.Throws<SerializationException>(() => Write(deeper));
        Assert.Contains($"deeper than {WireReader.DepthMax}", refusal.Message);
    }

    [Fact]
    public void WireCodecs_must_refuse_what_has_no_wire_form_naming_the_field()
    {
        var unsupported = Assert.Throws<SerializationException>(() =>
            Write(new Dated(DateTime.UnixEpoch)));
        Assert.Contains("Dated.At", unsupported.Message);
        Assert.Contains("System.DateTime", unsupported.Message);

        var dropped = Assert.Throws<SerializationException>(() =>
            Write(new Extra(1) { Note = "lost on the wire" }));
        Assert.Contains("Extra.Note", dropped.Message);

        var nulled = Assert.Throws<SerializationException>(() => Write(new Inner(1, null!)));
        Assert.Contains("Inner.Name is null", nulled.Message);

        var foreign = Assert.Throws<SerializationException>(() => Write(new Box("a string")));
        Assert.Contains("Box.Content holds System.String", foreign.Message);
    }

    [Fact]
    public void WireCodecs_must_refuse_a_value_an_enum_does_not_define()
    {
        var bytes = Write(new WithErrno(Errno.ENOENT));
        bytes[0] = 99;
        var refusal = Assert.Throws<SerializationException>(() => Read<WithErrno>(bytes));
        Assert.Contains("-50 is not a Errno", refusal.Message);

        var flags = Write(new WithAccess(Access.Read));
        flags[0] = 14;
        Assert.Equal((Access)7, Read<WithAccess>(flags).Access);
    }

    private AllShapes Lows() => new(
        false, byte.MinValue, sbyte.MinValue, short.MinValue, ushort.MinValue, char.MinValue,
        int.MinValue, uint.MinValue, long.MinValue, ulong.MinValue, float.MinValue,
        double.NegativeInfinity, TimeSpan.MinValue, Errno.None, null, Access.None, "", null,
        [], null, null, new RequestId(new PartitionId(0), 0), null, new Inner(0, ""), null, [],
        [], [], [], [], TestActor, null, new Circle(0.5), null);

    private AllShapes Highs() => new(
        true, byte.MaxValue, sbyte.MaxValue, short.MaxValue, ushort.MaxValue, char.MaxValue,
        int.MaxValue, uint.MaxValue, long.MaxValue, ulong.MaxValue, float.MaxValue,
        double.NaN, TimeSpan.MaxValue, Errno.NOPROC, Signal.SIGBUS, Access.Read | Access.Write,
        "\u00e9\U0001F600", "maybe", [0, 255], [7], int.MinValue,
        new RequestId(new PartitionId(PartitionId.MaxValue), long.MaxValue),
        new RequestId(new PartitionId(1), -1), new Inner(-1, "inner"), new Inner(2, "maybe"),
        [new Inner(3, "a"), new Inner(4, "b")], ["x", "y"], [long.MinValue, 0, long.MaxValue],
        [1, null, -1], [new Empty(), new Empty(), new Empty()], TestActor, TestActor,
        new Square(3), new Stack(1, new Circle(-2)));

    private byte[] Write(object value)
    {
        var writer = WireWriter.Rent();
        try
        {
            Codecs.For(value.GetType()).Write(writer, value);
            return writer.ToArray();
        }
        finally
        {
            WireWriter.Return(writer);
        }
    }

    private T Read<T>(byte[] bytes)
    {
        var reader = new WireReader(bytes, (ExtendedActorSystem)Sys);
        var value = (T)Codecs.For(typeof(T)).Read(reader);
        reader.ExpectEnd();
        return value;
    }

    private object RoundTrip(object value)
    {
        var reader = new WireReader(Write(value), (ExtendedActorSystem)Sys);
        var copy = Codecs.For(value.GetType()).Read(reader);
        reader.ExpectEnd();
        return copy;
    }

    // The records below stand for messages to come; nested so their names stay here.

    [Flags]
    public enum Access
    {
        None = 0,
        Read = 1,
        Write = 2,
    }

    public sealed record AllShapes(
        bool Bool, byte Byte, sbyte SByte, short Short, ushort UShort, char Char,
        int Int, uint UInt, long Long, ulong ULong, float Single,
        double Double, TimeSpan Span, Errno Errno, Signal? MaybeSignal, Access Access, string Text,
        string? MaybeText, byte[] Bytes, byte[]? MaybeBytes, int? MaybeInt, RequestId Id,
        RequestId? MaybeId, Inner Inner, Inner? MaybeInner,
        IReadOnlyList<Inner> Inners, List<string> Names, long[] Longs,
        IReadOnlyList<int?> MaybeInts, IReadOnlyList<Empty> Empties, IActorRef Actor,
        IActorRef? MaybeActor, Shape Shape, Shape? MaybeShape);

    public sealed record Inner(int Value, string Name);

    public sealed record Empty;

    public sealed record Numbers(long Signed, ulong Unsigned);

    public sealed record WithErrno(Errno Errno);

    public sealed record WithAccess(Access Access);

    public sealed record Box(object Content);

    public sealed record Dated(DateTime At);

    public sealed record Extra(int Value)
    {
        public string? Note { get; init; }
    }

    public sealed record Drawing(Shape Shape);

    public abstract record Shape;

    public sealed record Circle(double Radius) : Shape;

    public sealed record Square(int Side) : Shape;

    /// <summary>A shape on a shape: the tagged field recurs.</summary>
    public sealed record Stack(int Level, Shape Below) : Shape;
}
