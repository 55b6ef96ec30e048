using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using Akka.Actor;

namespace Emulator.Host.Reports;

/// <summary>
/// Turns a message or event into typed JSON fields, walking its record generically: one writer
/// per type, built on first use from the record's positional properties (delegates bound to their
/// getters), so a line costs property reads and JSON writes, no reflection and no
/// <c>ToString()</c>. Field names are the
/// properties' in snake case (<c>SourceAddress</c> → <c>source_address</c>); durations get
/// <c>_ns</c>; a name the line itself uses (<c>seq</c>, <c>type</c>, ...) gets a trailing <c>_</c>.
/// </summary>
public static class TraceShapes
{
    /// <summary>The fields every deliver or event line starts with, in this order.</summary>
    public static readonly IReadOnlyList<string> LineFields =
        ["seq", "t_ns", "actor", "process", "kind", "type"];

    internal static readonly JsonEncodedText TypeField = JsonEncodedText.Encode("type");

    private static readonly HashSet<string> NestedReserved = ["type"];
    private static readonly HashSet<string> LineReserved = [.. LineFields];

    private static readonly ConcurrentDictionary<Type, Action<Utf8JsonWriter, object>> Lines =
        new();
    private static readonly ConcurrentDictionary<Type, JsonEncodedText> TypeNames = new();
    private static readonly ConcurrentDictionary<Type, JsonEncodedText> Kinds = new();

    /// <summary>
    /// Akka's own messages that are not records but say something worth a field.
    /// </summary>
    private static readonly Dictionary<Type, Action<Utf8JsonWriter, object>> Special = new()
    {
        [typeof(Terminated)] = (writer, message) =>
            writer.WriteString("stopped", TracePaths.Of(((Terminated)message).ActorRef)),
    };

    /// <summary>Writes <paramref name="value"/>'s fields into the line being written.</summary>
    public static void WriteFields(Utf8JsonWriter writer, object value) =>
        Lines.GetOrAdd(value.GetType(), LineWriterOf)(writer, value);

    /// <summary>A message's type name, as the <c>type</c> field shows it (<c>Run</c>).</summary>
    public static JsonEncodedText TypeNameOf(Type type) =>
        TypeNames.GetOrAdd(type, static t => JsonEncodedText.Encode(t.Name));

    /// <summary>An event's kind: its type name in snake case (<c>PagePinned</c> →
    /// <c>page_pinned</c>).</summary>
    public static JsonEncodedText KindOf(Type type) =>
        Kinds.GetOrAdd(type, static t => JsonEncodedText.Encode(SnakeCase(t.Name)));

    public static string SnakeCase(string name) =>
        JsonNamingPolicy.SnakeCaseLower.ConvertName(name);

    /// <summary>
    /// The style of an integer field, by its name, so one name reads one way everywhere:
    /// <c>Mode</c> octal; segids, apids, <c>Flags</c>, <c>OffsetBytes</c> and <c>Value</c> hex;
    /// any other unsigned 64-bit value (an address) hex unless its name ends in <c>Bytes</c> (a
    /// size: <c>SizeBytes</c>, <c>WidthBytes</c>); everything else decimal.
    /// </summary>
    public static NumberStyle StyleOf(string property, Type type)
    {
        if (property.EndsWith("Mode", StringComparison.Ordinal)) return NumberStyle.Octal;
        if (property.EndsWith("SegId", StringComparison.Ordinal)
            || property.EndsWith("ApId", StringComparison.Ordinal)
            || property is "Flags" or "OffsetBytes" or "Value") return NumberStyle.Hex;
        var core = Nullable.GetUnderlyingType(type) ?? TraceEncoders.ElementOf(type) ?? type;
        if (core != typeof(ulong)) return NumberStyle.Decimal;
        return property.EndsWith("Bytes", StringComparison.Ordinal)
            ? NumberStyle.Decimal : NumberStyle.Hex;
    }

    /// <summary>
    /// The fields of a record written inside another (of the names, only <c>type</c> is taken).
    /// </summary>
    internal static RecordFields<T> NestedFieldsOf<T>() => FieldsOf<T>(NestedReserved);

    private static Action<Utf8JsonWriter, object> LineWriterOf(Type type)
    {
        if (Special.TryGetValue(type, out var special)) return special;
        // Not a record (an Akka system message): the type alone says it.
        if (!TraceEncoders.IsRecord(type)) return static (_, _) => { };
        var fields = (RecordFields)typeof(TraceShapes)
            .GetMethod(nameof(FieldsOf), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(type)
            .Invoke(null, [LineReserved])!;
        return fields.WriteBoxed;
    }

    /// <summary>
    /// One field object per property, each holding a delegate bound to the property's getter and
    /// its encoder: built with reflection once, no code generated, no boxing per value.
    /// </summary>
    private static RecordFields<T> FieldsOf<T>(HashSet<string> reserved)
    {
        var fields = new List<RecordField<T>>();
        foreach (var property in PropertiesOf(typeof(T)))
        {
            var style = StyleOf(property.Name, property.PropertyType);
            var field = typeof(RecordField<,>).MakeGenericType(typeof(T), property.PropertyType);
            fields.Add((RecordField<T>)Activator.CreateInstance(field,
                JsonEncodedText.Encode(FieldName(property, reserved)), property.GetMethod!,
                TraceEncoders.For(property.PropertyType, style))!);
        }
        return new RecordFields<T>([.. fields]);
    }

    /// <summary>
    /// A record's positional properties in declaration order (its widest Deconstruct); a record
    /// without one gives its public properties.
    /// </summary>
    private static IReadOnlyList<PropertyInfo> PropertiesOf(Type type)
    {
        var deconstruct = type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.Name == "Deconstruct" && m.GetParameters().All(p => p.IsOut))
            .MaxBy(m => m.GetParameters().Length);
        if (deconstruct is not null)
        {
            return deconstruct.GetParameters()
                .Select(p => type.GetProperty(p.Name!, BindingFlags.Public | BindingFlags.Instance))
                .OfType<PropertyInfo>()
                .ToList();
        }
        return type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0)
            .ToList();
    }

    private static string FieldName(PropertyInfo property, HashSet<string> reserved)
    {
        var name = SnakeCase(property.Name);
        var core = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        if (core == typeof(TimeSpan) && !name.EndsWith("_ns", StringComparison.Ordinal))
            name += "_ns";
        return reserved.Contains(name) ? name + "_" : name;
    }
}

/// <summary>Writes the fields of one record type, in declaration order.</summary>
internal abstract class RecordFields
{
    public abstract void WriteBoxed(Utf8JsonWriter writer, object value);
}

internal sealed class RecordFields<T>(RecordField<T>[] fields) : RecordFields
{
    public void Write(Utf8JsonWriter writer, T value)
    {
        foreach (var field in fields) field.Write(writer, value);
    }

    public override void WriteBoxed(Utf8JsonWriter writer, object value) => Write(writer, (T)value);
}

internal abstract class RecordField<T>
{
    public abstract void Write(Utf8JsonWriter writer, T owner);
}

/// <summary>
/// One property of a record: read through a delegate bound to its getter, written by its
/// encoder under its JSON name; a null value leaves the field out.
/// </summary>
internal sealed class RecordField<TOwner, TValue> : RecordField<TOwner>
{
    private readonly JsonEncodedText _name;
    private readonly Func<TOwner, TValue> _get;
    private readonly TraceEncoder<TValue> _encoder;

    public RecordField(JsonEncodedText name, MethodInfo getter, TraceEncoder encoder)
    {
        _name = name;
        _encoder = (TraceEncoder<TValue>)encoder;
        if (typeof(TOwner).IsValueType)
        {
            // A struct's getter takes its instance by reference.
            var byRef = getter.CreateDelegate<ByRef>();
            _get = owner => byRef(ref owner);
        }
        else _get = getter.CreateDelegate<Func<TOwner, TValue>>();
    }

    private delegate TValue ByRef(ref TOwner owner);

    public override void Write(Utf8JsonWriter writer, TOwner owner)
    {
        var value = _get(owner);
        if (value is null) return;
        _encoder.WriteField(writer, _name, value);
    }
}
