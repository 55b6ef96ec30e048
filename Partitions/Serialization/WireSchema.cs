using System.Reflection;
using System.Text;

namespace Emulator.Partitions.Serialization;

/// <summary>
/// What the wire looks like in this build, as text: one line per type a message can reach (a
/// composite's constructor parameters in order, with their types and nullability; a tagged
/// field's candidates in tag order; an enum's members), sorted. Its FNV-1a hash, the
/// <see cref="Fingerprint"/>, heads every message, so two builds whose messages differ in any
/// field, order, tag list or enum refuse each other's bytes with a clear error, instead of
/// reading one field as another. Type names leave out assembly versions: a runtime patch does not
/// change it.
/// </summary>
internal sealed class WireSchema
{
    private const uint FnvOffsetBasis = 2166136261;
    private const uint FnvPrime = 16777619;

    private readonly WireTypes _types;
    private readonly NullabilityInfoContext _nullability = new();
    private readonly HashSet<Type> _reached = [];
    private readonly List<string> _lines = [];

    public static WireSchema Instance { get; } = new(WireTypes.Instance);

    private WireSchema(WireTypes types)
    {
        _types = types;
        var queue = new Queue<Type>(
            types.Messages.OrderBy(t => t.FullName, StringComparer.Ordinal));
        while (queue.TryDequeue(out var type))
        {
            if (!_reached.Add(type)) continue;
            foreach (var next in Describe(type)) queue.Enqueue(next);
        }
        _lines.Sort(StringComparer.Ordinal);
        Text = string.Join("\n", _lines);
        Fingerprint = Fnv1a(Encoding.UTF8.GetBytes(Text));
    }

    public string Text { get; }

    public uint Fingerprint { get; }

    /// <summary>Every record and struct a message can reach on the wire, itself included.</summary>
    public IEnumerable<Type> Composites =>
        _reached.Where(t => WireShapes.Of(t, _types) == WireShape.Composite);

    /// <summary>Adds the type's line; returns the types its line names, to describe next.</summary>
    private IEnumerable<Type> Describe(Type type)
    {
        switch (WireShapes.Of(type, _types))
        {
            case WireShape.Composite:
                ParameterInfo[] parameters;
                try
                {
                    parameters = WireShapes.MembersOf(type).Constructor?.GetParameters() ?? [];
                }
                catch (NotSupportedException e)
                {
                    _lines.Add($"{NameOf(type)} unsupported: {e.Message}");
                    return [];
                }
                var fields = parameters.Select(p =>
                    $"{NameOf(p.ParameterType, _nullability.Create(p))} {p.Name}");
                _lines.Add($"{NameOf(type)}({string.Join(", ", fields)})");
                return parameters.Select(p => p.ParameterType);
            case WireShape.Tagged:
                var candidates = _types.CandidatesOf(type);
                _lines.Add($"{NameOf(type)} = {string.Join(" | ", candidates.Select(NameOf))}");
                return candidates;
            case WireShape.Nullable:
                return [System.Nullable.GetUnderlyingType(type)!];
            case WireShape.List:
                return [WireShapes.ElementOf(type)!];
            case WireShape.Enum:
                var members = Enum.GetNames(type).Zip(
                    Enum.GetValuesAsUnderlyingType(type).Cast<object>(), (n, v) => $"{n}={v}");
                _lines.Add($"{NameOf(type)} {{ {string.Join(", ", members)} }}");
                return [];
            default:
                return [];
        }
    }

    /// <summary>
    /// Namespace, containers and generic arguments; "?" where null may be written.
    /// </summary>
    private static string NameOf(Type type, NullabilityInfo? nullability)
    {
        if (System.Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return $"{NameOf(underlying)}?";
        }
        var mark = !type.IsValueType && nullability?.WriteState != NullabilityState.NotNull
            ? "?"
            : "";
        if (type.IsArray)
        {
            return $"{NameOf(type.GetElementType()!, nullability?.ElementType)}[]{mark}";
        }
        if (!type.IsGenericType) return NameOf(type) + mark;
        var arguments = type.GetGenericArguments()
            .Select((a, i) => NameOf(a, nullability?.GenericTypeArguments.ElementAtOrDefault(i)));
        return $"{NameOf(type)}<{string.Join(", ", arguments)}>{mark}";
    }

    private static string NameOf(Type type)
    {
        var name = type.IsGenericType ? type.Name[..type.Name.IndexOf('`')] : type.Name;
        return type.DeclaringType is { } container
            ? $"{NameOf(container)}+{name}"
            : $"{type.Namespace}.{name}";
    }

    private static uint Fnv1a(ReadOnlySpan<byte> bytes)
    {
        var hash = FnvOffsetBasis;
        foreach (var b in bytes) hash = (hash ^ b) * FnvPrime;
        return hash;
    }
}
