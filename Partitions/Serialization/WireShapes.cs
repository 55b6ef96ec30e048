using System.Reflection;
using Akka.Actor;
using Emulator.Partitions.Memory;

namespace Emulator.Partitions.Serialization;

/// <summary>How a declared type is written on the wire (see <see cref="WireCodecs"/>).</summary>
internal enum WireShape
{
    /// <summary>No wire form: building a codec for it fails, naming the field.</summary>
    Unsupported,
    /// <summary>A live frame: refused, it never leaves its partition.</summary>
    Page,
    Bool,
    Byte,
    /// <summary>sbyte, short, int, long: zigzag LEB128.</summary>
    Signed,
    /// <summary>ushort, char, uint, ulong: LEB128.</summary>
    Unsigned,
    Single,
    Double,
    /// <summary>
    /// Its underlying number, signed or not; read back only if the enum defines it.
    /// </summary>
    Enum,
    /// <summary>Ticks, as a signed number.</summary>
    TimeSpan,
    /// <summary>Length + 1 (0: null), then UTF-8.</summary>
    String,
    /// <summary>Length + 1 (0: null), then the bytes.</summary>
    Bytes,
    /// <summary>Its serialization path, as a string; resolved by the receiving system.</summary>
    ActorRef,
    /// <summary>A presence byte, then the value.</summary>
    Nullable,
    /// <summary>Count + 1 (0: null), then each item; read back as an array or a List.</summary>
    List,
    /// <summary>
    /// Declared abstract, as an interface or <c>object</c>: a tag (0: null, else 1 + the index of
    /// the concrete type among the declared type's candidates), then that type's fields.
    /// </summary>
    Tagged,
    /// <summary>A sealed record or struct of ours: its constructor parameters, in order.</summary>
    Composite,
}

/// <summary>
/// Classifies declared types and finds the constructor a composite is written through. Shared by
/// the codecs and the schema fingerprint, so both see the same wire.
/// </summary>
internal static class WireShapes
{
    public static WireShape Of(Type type, WireTypes types)
    {
        if (type == typeof(Page)) return WireShape.Page;
        if (type == typeof(bool)) return WireShape.Bool;
        if (type == typeof(byte)) return WireShape.Byte;
        if (type == typeof(sbyte) || type == typeof(short) || type == typeof(int)
            || type == typeof(long)) return WireShape.Signed;
        if (type == typeof(ushort) || type == typeof(char) || type == typeof(uint)
            || type == typeof(ulong)) return WireShape.Unsigned;
        if (type == typeof(float)) return WireShape.Single;
        if (type == typeof(double)) return WireShape.Double;
        if (type.IsEnum) return WireShape.Enum;
        if (type == typeof(TimeSpan)) return WireShape.TimeSpan;
        if (type == typeof(string)) return WireShape.String;
        if (type == typeof(byte[])) return WireShape.Bytes;
        // Only as IActorRef: a resolved ref is whatever kind the receiving system makes.
        if (type == typeof(IActorRef)) return WireShape.ActorRef;
        if (System.Nullable.GetUnderlyingType(type) is not null) return WireShape.Nullable;
        if (ElementOf(type) is not null) return WireShape.List;
        if (type == typeof(object)) return WireShape.Tagged;
        if (!types.IsOurs(type)) return WireShape.Unsupported;
        if (type.IsInterface || type.IsAbstract || !(type.IsValueType || type.IsSealed))
        {
            return WireShape.Tagged;
        }
        return WireShape.Composite;
    }

    /// <summary>
    /// The item type of an array, <c>List&lt;T&gt;</c>, or an interface an array implements
    /// (<c>IReadOnlyList&lt;T&gt;</c>...); null for anything else, a dictionary among them.
    /// </summary>
    public static Type? ElementOf(Type type)
    {
        if (type.IsArray) return type.GetArrayRank() == 1 ? type.GetElementType() : null;
        if (!type.IsGenericType || type.GetGenericArguments() is not [var element]) return null;
        if (type.GetGenericTypeDefinition() == typeof(List<>)) return element;
        var isReadBack = type.IsInterface && type.IsAssignableFrom(element.MakeArrayType());
        return isReadBack ? element : null;
    }

    /// <summary>
    /// The constructor a composite is written through: its widest public one (a record's primary
    /// constructor), with a readable property per parameter. A settable property no parameter
    /// names would be dropped on the wire, so such a type is refused instead.
    /// </summary>
    public static (ConstructorInfo? Constructor, PropertyInfo[] Properties) MembersOf(Type type)
    {
        var widest = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance)
            .Where(c => c.GetParameters() is not [var only] || only.ParameterType != type)
            .GroupBy(c => c.GetParameters().Length)
            .MaxBy(g => g.Key)
            ?.ToList();
        if (widest is null)
        {
            if (type.IsValueType) return (null, []);
            throw new NotSupportedException($"{type.FullName} has no public constructor");
        }
        if (widest.Count > 1)
        {
            throw new NotSupportedException(
                $"{type.FullName} has {widest.Count} public constructors of the widest arity");
        }
        var constructor = widest[0];
        var all = type.GetProperties(BindingFlags.Public | BindingFlags.Instance);
        var properties = constructor.GetParameters()
            .Select(p => PropertyFor(type, all, p))
            .ToArray();
        var dropped = all.FirstOrDefault(p =>
            p.SetMethod is { IsPublic: true } && !properties.Contains(p));
        if (dropped is not null)
        {
            throw new NotSupportedException(
                $"{type.FullName}.{dropped.Name} is settable, "
                + "but no constructor parameter takes it");
        }
        return (constructor, properties);
    }

    private static PropertyInfo PropertyFor(Type type, PropertyInfo[] all, ParameterInfo parameter)
    {
        var property = all.FirstOrDefault(p =>
                string.Equals(p.Name, parameter.Name, StringComparison.Ordinal))
            ?? all.FirstOrDefault(p =>
                string.Equals(p.Name, parameter.Name, StringComparison.OrdinalIgnoreCase));
        if (property is null || property.GetMethod is null
            || property.PropertyType != parameter.ParameterType)
        {
            throw new NotSupportedException(
                $"{type.FullName}({parameter.Name}) has no readable property of its type");
        }
        return property;
    }
}
