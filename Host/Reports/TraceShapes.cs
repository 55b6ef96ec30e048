using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using Akka.Actor;

namespace Emulator.Host.Reports;

/// <summary>
/// Turns a message or event into typed JSON fields, walking its record generically: one compiled
/// writer per type, built on first use from the record's positional properties, so a line costs
/// property reads and JSON writes, no reflection and no <c>ToString()</c>. Field names are the
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
        Lines.GetOrAdd(value.GetType(), CompileLine)(writer, value);

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
    /// The JSON names of a record's fields, as a line or a nested object writes them.
    /// </summary>
    public static IReadOnlyList<string> FieldNamesOf(Type type, bool nested) =>
        PropertiesOf(type).Select(p => FieldName(p, nested ? NestedReserved : LineReserved))
            .ToList();

    internal static Action<Utf8JsonWriter, T> CompileFields<T>()
    {
        var writer = Expression.Parameter(typeof(Utf8JsonWriter), "writer");
        var value = Expression.Parameter(typeof(T), "value");
        var body = FieldWrites(typeof(T), writer, value, NestedReserved);
        return Expression.Lambda<Action<Utf8JsonWriter, T>>(body, writer, value).Compile();
    }

    private static Action<Utf8JsonWriter, object> CompileLine(Type type)
    {
        if (Special.TryGetValue(type, out var special)) return special;
        // Not a record (an Akka system message): the type alone says it.
        if (!TraceEncoders.IsRecord(type)) return static (_, _) => { };
        var writer = Expression.Parameter(typeof(Utf8JsonWriter), "writer");
        var value = Expression.Parameter(typeof(object), "value");
        var body = FieldWrites(type, writer, Expression.Convert(value, type), LineReserved);
        return Expression.Lambda<Action<Utf8JsonWriter, object>>(body, writer, value).Compile();
    }

    private static Expression FieldWrites(Type type, ParameterExpression writer,
        Expression instance, HashSet<string> reserved)
    {
        var writes = new List<Expression>();
        foreach (var property in PropertiesOf(type))
        {
            var style = StyleOf(property.Name, property.PropertyType);
            var encoder = TraceEncoders.For(property.PropertyType, style);
            var field = Activator.CreateInstance(
                typeof(TraceField<>).MakeGenericType(property.PropertyType),
                JsonEncodedText.Encode(FieldName(property, reserved)), encoder)!;
            var write = field.GetType().GetMethod(nameof(TraceField<int>.Write))!;
            writes.Add(Expression.Call(Expression.Constant(field), write, writer,
                Expression.Property(instance, property)));
        }
        return writes.Count == 0 ? Expression.Empty() : Expression.Block(writes);
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
