using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Emulator.Partitions.Locks;
using Emulator.Partitions.Memory;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Processes;

namespace Emulator.Host.Reports;

/// <summary>
/// How an integer field reads; the field's name decides (<see cref="TraceShapes.StyleOf"/>).
/// </summary>
public enum NumberStyle
{
    /// <summary>A JSON number: sizes, counts, pids, pin ids.</summary>
    Decimal,

    /// <summary>
    /// A string <c>"0x10000"</c>: addresses, offsets, values, flags, segids, apids.
    /// </summary>
    Hex,

    /// <summary>A string <c>"0666"</c>: permission modes, as chmod reads them.</summary>
    Octal,
}

/// <summary>Writes one kind of value as JSON; one instance per (type, style), cached.</summary>
internal abstract class TraceEncoder
{
    /// <summary>True when <paramref name="value"/> is left out of the trace.</summary>
    public abstract bool OmitsBoxed(object value);

    public abstract void WriteBoxed(Utf8JsonWriter writer, object value);

    /// <summary>
    /// Writes <paramref name="name"/> and the value, unless the value is left out.
    /// </summary>
    public abstract void WriteFieldBoxed(Utf8JsonWriter writer, JsonEncodedText name,
        object value);
}

internal abstract class TraceEncoder<T> : TraceEncoder
{
    public virtual bool Omits(T value) => false;

    public abstract void Write(Utf8JsonWriter writer, T value);

    public virtual void WriteField(Utf8JsonWriter writer, JsonEncodedText name, T value)
    {
        if (Omits(value)) return;
        writer.WritePropertyName(name);
        Write(writer, value);
    }

    public override bool OmitsBoxed(object value) => Omits((T)value);

    public override void WriteBoxed(Utf8JsonWriter writer, object value) => Write(writer, (T)value);

    public override void WriteFieldBoxed(Utf8JsonWriter writer, JsonEncodedText name,
        object value) => WriteField(writer, name, (T)value);
}

/// <summary>
/// Picks the encoder for a type: ids, addresses and modes as people read them in an XPMEM trace,
/// records as nested objects with a <c>type</c>, lists as arrays; never a <c>ToString()</c> of
/// an object. Built once per (type, style) and cached, so the reflection runs once per type.
/// </summary>
internal static class TraceEncoders
{
    private static readonly ConcurrentDictionary<(Type, NumberStyle, bool), TraceEncoder> Cache =
        new();

    /// <summary>The encoder for values declared as <paramref name="type"/>.</summary>
    public static TraceEncoder For(Type type, NumberStyle style) =>
        Cache.GetOrAdd((type, style, false), static key => Create(key.Item1, key.Item2, false));

    /// <summary>The encoder for a value whose runtime type is <paramref name="type"/>.</summary>
    public static TraceEncoder ForRuntime(Type type, NumberStyle style) =>
        Cache.GetOrAdd((type, style, true), static key => Create(key.Item1, key.Item2, true));

    /// <summary>Records: classes and structs the compiler made from a <c>record</c>.</summary>
    public static bool IsRecord(Type type) =>
        type.GetMethod("PrintMembers", BindingFlags.Instance | BindingFlags.Public
            | BindingFlags.NonPublic, [typeof(StringBuilder)]) is not null;

    /// <summary>
    /// The element type of a collection (not a string, not bytes); null otherwise.
    /// </summary>
    public static Type? ElementOf(Type type)
    {
        if (type == typeof(string) || type == typeof(byte[])) return null;
        if (type.IsArray) return type.GetElementType();
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>))
            return type.GetGenericArguments()[0];
        return type.GetInterfaces()
            .FirstOrDefault(i => i.IsGenericType
                && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))
            ?.GetGenericArguments()[0];
    }

    private static TraceEncoder Create(Type type, NumberStyle style, bool exact)
    {
        if (Scalar(type, style) is { } scalar) return scalar;
        if (Nullable.GetUnderlyingType(type) is { } inner)
            return Make(typeof(NullableEncoder<>), inner, For(inner, style));
        if (type.IsEnum) return Make(typeof(EnumEncoder<>), type);
        if (typeof(IActorRef).IsAssignableFrom(type) && !type.IsValueType)
            return Make(typeof(ActorRefEncoder<>), type);
        if (typeof(Delegate).IsAssignableFrom(type)) return Make(typeof(OmitEncoder<>), type);
        if (ElementOf(type) is { } element)
        {
            return (TraceEncoder)Activator.CreateInstance(
                typeof(ListEncoder<,>).MakeGenericType(type, element),
                For(element, style))!;
        }
        if (IsRecord(type) && (exact || type.IsValueType || type.IsSealed))
            return Make(typeof(RecordEncoder<>), type);
        // Declared as a base (Call, object, an interface): the runtime type decides.
        if (!exact && !type.IsValueType && (type.IsAbstract || !type.IsSealed))
            return Make(typeof(RuntimeEncoder<>), type, style);
        // A plain object (an address space): its state is no message's data.
        return Make(typeof(OmitEncoder<>), type);
    }

    private static TraceEncoder? Scalar(Type type, NumberStyle style)
    {
        if (type == typeof(string)) return new StringEncoder();
        if (type == typeof(bool)) return new BoolEncoder();
        if (type == typeof(ulong)) return new UInt64Encoder(style);
        if (type == typeof(long)) return new IntegerEncoder<long>(v => v, style);
        if (type == typeof(int)) return new IntegerEncoder<int>(v => v, style);
        if (type == typeof(uint)) return new IntegerEncoder<uint>(v => v, style);
        if (type == typeof(short)) return new IntegerEncoder<short>(v => v, style);
        if (type == typeof(ushort)) return new IntegerEncoder<ushort>(v => v, style);
        if (type == typeof(byte)) return new IntegerEncoder<byte>(v => v, style);
        if (type == typeof(sbyte)) return new IntegerEncoder<sbyte>(v => v, style);
        if (type == typeof(TimeSpan)) return new TimeSpanEncoder();
        if (type == typeof(Page)) return new PageEncoder();
        if (type == typeof(byte[])) return new BytesEncoder();
        if (type == typeof(Outcome)) return new OutcomeEncoder();
        if (type == typeof(SegId)) return new TextEncoder<SegId>(id => Hex(id.Value));
        if (type == typeof(ApId)) return new TextEncoder<ApId>(id => Hex(id.Value));
        if (type == typeof(TgId)) return new TgIdEncoder();
        if (type == typeof(LockId)) return new TextEncoder<LockId>(id => id.ToString());
        if (type == typeof(LockTask)) return new TextEncoder<LockTask>(task => task.ToString());
        if (type == typeof(RequestId)) return new RequestIdEncoder();
        if (type == typeof(PartitionId)) return new PartitionIdEncoder();
        if (type == typeof(Endpoint))
            return new TextEncoder<Endpoint>(endpoint => TracePaths.Of(endpoint.Ref));
        return null;
    }

    private static string Hex(long value) => $"0x{unchecked((ulong)value):x}";

    private static TraceEncoder Make(Type generic, Type argument, params object[] arguments) =>
        (TraceEncoder)Activator.CreateInstance(generic.MakeGenericType(argument), arguments)!;
}

/// <summary>Numbers as strings in hex or octal, without allocating for the digits.</summary>
internal static class TraceNumbers
{
    public static void Write(Utf8JsonWriter writer, ulong value, NumberStyle style)
    {
        switch (style)
        {
            case NumberStyle.Decimal:
                writer.WriteNumberValue(value);
                return;
            case NumberStyle.Hex:
                Span<char> hex = stackalloc char[18];
                hex[0] = '0';
                hex[1] = 'x';
                value.TryFormat(hex[2..], out var digits, "x", CultureInfo.InvariantCulture);
                writer.WriteStringValue(hex[..(digits + 2)]);
                return;
            default:
                writer.WriteStringValue(Octal(value, stackalloc char[24]));
                return;
        }
    }

    /// <summary>A leading 0 and at least three digits, as modes are written: <c>0666</c>.</summary>
    private static ReadOnlySpan<char> Octal(ulong value, Span<char> buffer)
    {
        var start = buffer.Length;
        do
        {
            buffer[--start] = (char)('0' + (int)(value & 7));
            value >>= 3;
        }
        while (value != 0 || buffer.Length - start < 3);
        buffer[--start] = '0';
        return buffer[start..];
    }
}

internal sealed class StringEncoder : TraceEncoder<string>
{
    public override void Write(Utf8JsonWriter writer, string value) =>
        writer.WriteStringValue(value);
}

internal sealed class BoolEncoder : TraceEncoder<bool>
{
    public override void Write(Utf8JsonWriter writer, bool value) =>
        writer.WriteBooleanValue(value);
}

internal sealed class UInt64Encoder(NumberStyle style) : TraceEncoder<ulong>
{
    public override void Write(Utf8JsonWriter writer, ulong value) =>
        TraceNumbers.Write(writer, value, style);
}

/// <summary>Integers up to 64 bits signed; hex and octal show the two's complement.</summary>
internal sealed class IntegerEncoder<T>(Func<T, long> widen, NumberStyle style) : TraceEncoder<T>
{
    public override void Write(Utf8JsonWriter writer, T value)
    {
        var wide = widen(value);
        if (style == NumberStyle.Decimal) writer.WriteNumberValue(wide);
        else TraceNumbers.Write(writer, unchecked((ulong)wide), style);
    }
}

/// <summary>A page by its frame number: the bytes themselves are no message's data.</summary>
internal sealed class PageEncoder : TraceEncoder<Page>
{
    public override void Write(Utf8JsonWriter writer, Page value) =>
        writer.WriteNumberValue(value.Frame);
}

/// <summary>Durations as whole nanoseconds (the field's name ends in <c>_ns</c>).</summary>
internal sealed class TimeSpanEncoder : TraceEncoder<TimeSpan>
{
    public override void Write(Utf8JsonWriter writer, TimeSpan value) =>
        writer.WriteNumberValue(value.Ticks * TimeSpan.NanosecondsPerTick);
}

/// <summary>Enums by their member's name, encoded once per member.</summary>
internal sealed class EnumEncoder<T> : TraceEncoder<T> where T : struct, Enum
{
    private static readonly Dictionary<T, JsonEncodedText> Names = Enum.GetValues<T>()
        .DistinctBy(value => value)
        .ToDictionary(value => value, value => JsonEncodedText.Encode(value.ToString()));

    public static void WriteName(Utf8JsonWriter writer, T value)
    {
        if (Names.TryGetValue(value, out var name)) writer.WriteStringValue(name);
        else writer.WriteStringValue(value.ToString());
    }

    public override void Write(Utf8JsonWriter writer, T value) => WriteName(writer, value);
}

/// <summary>Values spelt by a function (an endpoint's path).</summary>
internal sealed class TextEncoder<T>(Func<T, string> text) : TraceEncoder<T>
{
    public override void Write(Utf8JsonWriter writer, T value) =>
        writer.WriteStringValue(text(value));
}

/// <summary>
/// Ids as XPMEM spells them, formatted without allocating: <c>p1</c>, <c>p1/100</c>,
/// <c>p1/100.3</c> (a request: origin partition, pid, n).
/// </summary>
internal static class IdText
{
    public static void Write(Utf8JsonWriter writer, int partition, long? pid = null,
        long? number = null)
    {
        Span<char> text = stackalloc char[48];
        text[0] = 'p';
        var length = 1 + Format(partition, text[1..]);
        if (pid is { } process)
        {
            text[length++] = '/';
            length += Format(process, text[length..]);
        }
        if (number is { } n)
        {
            text[length++] = '.';
            length += Format(n, text[length..]);
        }
        writer.WriteStringValue(text[..length]);
    }

    private static int Format(long value, Span<char> into)
    {
        value.TryFormat(into, out var written, default, CultureInfo.InvariantCulture);
        return written;
    }
}

internal sealed class PartitionIdEncoder : TraceEncoder<PartitionId>
{
    public override void Write(Utf8JsonWriter writer, PartitionId value) =>
        IdText.Write(writer, value.Value);
}

internal sealed class TgIdEncoder : TraceEncoder<TgId>
{
    public override void Write(Utf8JsonWriter writer, TgId value) =>
        IdText.Write(writer, value.Partition.Value, value.Pid);
}

/// <summary>
/// As <see cref="RequestId.ToString"/>: the sequence is <c>(pid &lt;&lt; 32) | n</c>.
/// </summary>
internal sealed class RequestIdEncoder : TraceEncoder<RequestId>
{
    public override void Write(Utf8JsonWriter writer, RequestId value) =>
        IdText.Write(writer, value.Origin.Value, value.Sequence >> 32,
            value.Sequence & 0xFFFFFFFF);
}

internal sealed class ActorRefEncoder<T> : TraceEncoder<T> where T : class, IActorRef
{
    public override void Write(Utf8JsonWriter writer, T value) =>
        writer.WriteStringValue(TracePaths.Of(value));
}

/// <summary>
/// Bytes as <c>{"length":N,"hex":"..."}</c>, the hex clipped to the first
/// <see cref="HexBytesMax"/> bytes: a page of data must not become a line of 8 KiB.
/// </summary>
internal sealed class BytesEncoder : TraceEncoder<byte[]>
{
    public const int HexBytesMax = 16;

    public override void Write(Utf8JsonWriter writer, byte[] value)
    {
        writer.WriteStartObject();
        writer.WriteNumber("length", value.Length);
        writer.WriteString("hex",
            Convert.ToHexStringLower(value.AsSpan(0, Math.Min(value.Length, HexBytesMax))));
        writer.WriteEndObject();
    }
}

/// <summary>
/// An outcome with only the fields its kind uses: <c>{"type":"Outcome","kind":"Ok",
/// "value":"0x10000"}</c>, <c>errno</c> for Failed, <c>signal</c> for Signalled, <c>detail</c> for
/// Mismatch.
/// </summary>
internal sealed class OutcomeEncoder : TraceEncoder<Outcome>
{
    private static readonly JsonEncodedText TypeName = JsonEncodedText.Encode(nameof(Outcome));
    private static readonly JsonEncodedText KindField = JsonEncodedText.Encode("kind");
    private static readonly JsonEncodedText ValueField = JsonEncodedText.Encode("value");
    private static readonly JsonEncodedText ErrnoField = JsonEncodedText.Encode("errno");
    private static readonly JsonEncodedText SignalField = JsonEncodedText.Encode("signal");

    public override void Write(Utf8JsonWriter writer, Outcome value)
    {
        writer.WriteStartObject();
        writer.WriteString(TraceShapes.TypeField, TypeName);
        writer.WritePropertyName(KindField);
        EnumEncoder<OutcomeKind>.WriteName(writer, value.Kind);
        switch (value.Kind)
        {
            case OutcomeKind.Ok:
                writer.WritePropertyName(ValueField);
                TraceNumbers.Write(writer, value.Value, NumberStyle.Hex);
                break;
            case OutcomeKind.Failed:
                writer.WritePropertyName(ErrnoField);
                EnumEncoder<Errno>.WriteName(writer, value.Errno);
                break;
            case OutcomeKind.Signalled:
                writer.WritePropertyName(SignalField);
                EnumEncoder<Signal>.WriteName(writer, value.Signal);
                break;
            case OutcomeKind.Mismatch:
                writer.WriteString("detail", value.Detail);
                break;
        }
        writer.WriteEndObject();
    }
}

internal sealed class NullableEncoder<T>(TraceEncoder inner) : TraceEncoder<T?> where T : struct
{
    private readonly TraceEncoder<T> _inner = (TraceEncoder<T>)inner;

    public override bool Omits(T? value) => value is not { } present || _inner.Omits(present);

    public override void Write(Utf8JsonWriter writer, T? value) =>
        _inner.Write(writer, value.GetValueOrDefault());
}

/// <summary>Lists as arrays; omitted kinds are left out, nulls written as null.</summary>
internal sealed class ListEncoder<TList, TElement>(TraceEncoder element) : TraceEncoder<TList>
    where TList : IEnumerable<TElement>
{
    private readonly TraceEncoder<TElement> _element = (TraceEncoder<TElement>)element;

    public override void Write(Utf8JsonWriter writer, TList value)
    {
        writer.WriteStartArray();
        foreach (var item in value)
        {
            if (item is null) writer.WriteNullValue();
            else if (!_element.Omits(item)) _element.Write(writer, item);
        }
        writer.WriteEndArray();
    }
}

/// <summary>A record as a nested object: its type name, then its fields.</summary>
internal sealed class RecordEncoder<T> : TraceEncoder<T>
{
    private static readonly JsonEncodedText TypeName = JsonEncodedText.Encode(typeof(T).Name);

    // Built on first use: a record may hold a record of its own type.
    private readonly Lazy<RecordFields<T>> _fields = new(TraceShapes.NestedFieldsOf<T>);

    public override void Write(Utf8JsonWriter writer, T value)
    {
        writer.WriteStartObject();
        writer.WriteString(TraceShapes.TypeField, TypeName);
        _fields.Value.Write(writer, value);
        writer.WriteEndObject();
    }
}

/// <summary>A value declared as a base type: encoded as its runtime type is.</summary>
internal sealed class RuntimeEncoder<T>(NumberStyle style) : TraceEncoder<T>
{
    private readonly ConcurrentDictionary<Type, TraceEncoder> _byType = new();

    public override bool Omits(T value) => Resolve(value).OmitsBoxed(value!);

    public override void Write(Utf8JsonWriter writer, T value) =>
        Resolve(value).WriteBoxed(writer, value!);

    /// <summary>One lookup for both questions: is it left out, and how is it written.</summary>
    public override void WriteField(Utf8JsonWriter writer, JsonEncodedText name, T value) =>
        Resolve(value).WriteFieldBoxed(writer, name, value!);

    private TraceEncoder Resolve(T value) => _byType.GetOrAdd(value!.GetType(),
        static (type, style) => TraceEncoders.ForRuntime(type, style), style);
}

/// <summary>Left out of the trace.</summary>
internal sealed class OmitEncoder<T> : TraceEncoder<T>
{
    public override bool Omits(T value) => true;

    public override void Write(Utf8JsonWriter writer, T value)
    {
    }
}
