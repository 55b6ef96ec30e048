using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Emulator.Partitions.Memory;
using Emulator.Partitions.Xpc;
using Emulator.Protocol;

namespace Emulator.Tests.Serialization;

/// <summary>
/// Builds sample instances of message types by reflection, so a type added later gets samples
/// with no edit here. Each constructor parameter gets values that are not its type's default; a
/// nullable one also gets null; an abstract record or interface gets the samples of every concrete
/// subtype (so <c>Process.Run</c> comes with every <c>Call</c>, <c>FillCall</c> with every
/// <c>Pattern</c>), and <c>object</c> (<c>XpcActor.Carry.Message</c>) those of every message.
/// Parameters combine "each choice": sample i takes value i of every parameter, wrapping, so every
/// value appears at least once. A type it cannot build throws, naming the chain of parameters
/// that led there.
/// </summary>
internal sealed class SampleBuilder(IActorRef actor, IReadOnlyCollection<Type> excluded)
{
    public static readonly IReadOnlyList<Assembly> WireAssemblies =
        [typeof(IXpmemMessage).Assembly, typeof(XpcActor).Assembly];

    private readonly Dictionary<Type, IReadOnlyList<object>> _composites = [];
    private readonly HashSet<Type> _building = [];
    private readonly NullabilityInfoContext _nullability = new();
    private long _next;

    /// <summary>Every concrete type in Protocol and Partitions (records, structs, classes).</summary>
    public static IEnumerable<Type> ConcreteTypes =>
        WireAssemblies.SelectMany(a => a.GetTypes()).Where(t =>
            !t.IsAbstract && !t.IsInterface && !t.IsGenericTypeDefinition
            && !t.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false));

    /// <summary>Every concrete message (IXpmemMessage or XpcActor.Carry) that is not excluded.</summary>
    public IEnumerable<Type> Messages =>
        ConcreteTypes.Where(t => IsMessage(t) && !excluded.Contains(t));

    public static bool IsMessage(Type type) =>
        typeof(IXpmemMessage).IsAssignableFrom(type) || type == typeof(XpcActor.Carry);

    public IReadOnlyList<object> SamplesOf(Type type)
    {
        if (Primitive(type) is { } values) return values;
        // Any message: built anew each time, as the types being built are left out of it.
        if (type == typeof(object)) return Subtypes(typeof(IXpmemMessage));
        if (_composites.TryGetValue(type, out var cached)) return cached;
        if (!_building.Add(type)) throw new InvalidOperationException($"{type.Name} holds itself");
        try
        {
            var samples = Composite(type);
            if (samples.Count == 0) throw new InvalidOperationException($"no sample for {type}");
            _composites[type] = samples;
            return samples;
        }
        finally
        {
            _building.Remove(type);
        }
    }

    /// <summary>
    /// Values at the edges of each encoding too (the extremes of every integer, the empty string
    /// and array, multi-byte UTF-8), so a varint or a length that is off shows on the round trip.
    /// </summary>
    private object[]? Primitive(Type type)
    {
        var n = ++_next;
        if (type == typeof(bool)) return [true];
        if (type == typeof(byte)) return [(byte)(0xA0 + n % 0x50), byte.MaxValue];
        if (type == typeof(short)) return [(short)(0x4000 + n), short.MinValue];
        if (type == typeof(ushort)) return [(ushort)(0xF000 + n), ushort.MaxValue];
        if (type == typeof(int)) return [0x4000_0000 + (int)n, -(int)n, int.MinValue, int.MaxValue];
        if (type == typeof(uint)) return [0xF000_0000u + (uint)n, uint.MaxValue];
        if (type == typeof(long))
        {
            return [0x7000_0000_0000_0000L + n, -n, long.MinValue, long.MaxValue];
        }
        if (type == typeof(ulong))
        {
            return [0xF000_0000_0000_0000UL + (ulong)n, ulong.MaxValue, 0x7FUL];
        }
        if (type == typeof(float)) return [n + 0.25f, float.NegativeInfinity];
        if (type == typeof(double)) return [n + 0.125, -double.Epsilon, double.NaN];
        if (type == typeof(TimeSpan)) return [TimeSpan.FromTicks(n * 10_007), TimeSpan.MinValue];
        if (type == typeof(string)) return [$"sample {n} \u00e9\u2713\U0001F600", ""];
        if (type == typeof(byte[]))
        {
            return [new byte[] { 0, 1, 0x7F, 0x80, 0xFF, (byte)n }, Array.Empty<byte>()];
        }
        if (type == typeof(Page)) return [SamplePage(n)];
        if (type == typeof(IActorRef)) return [actor];
        if (type.IsEnum) return NonDefaultValues(type);
        return null;
    }

    /// <summary>The members past the default, or the one member an enum may have.</summary>
    private static object[] NonDefaultValues(Type enumType)
    {
        var all = Enum.GetValues(enumType).Cast<object>().ToArray();
        var past = all.Where(v => Convert.ToInt64(v) != 0).ToArray();
        return past.Length > 0 ? past : all;
    }

    private static Page SamplePage(long n)
    {
        var page = new Page(1);
        page.Bytes[0] = (byte)n;
        return page;
    }

    private List<object> Composite(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying) return [.. SamplesOf(underlying)];
        if (ElementOf(type) is { } element) return [List(type, element)];
        if (type.IsAbstract || type.IsInterface) return Subtypes(type);
        return Construct(type);
    }

    private List<object> Subtypes(Type baseType)
    {
        // A message that carries any message (an XPC packet) carries every one but itself.
        var subtypes = ConcreteTypes
            .Where(t => baseType.IsAssignableFrom(t) && !excluded.Contains(t)
                && !_building.Contains(t))
            .ToList();
        if (subtypes.Count == 0) throw new InvalidOperationException($"no subtype of {baseType}");
        return [.. subtypes.SelectMany(SamplesOf)];
    }

    private static Type? ElementOf(Type type)
    {
        if (type.IsArray) return type.GetElementType();
        if (type == typeof(string) || !typeof(IEnumerable).IsAssignableFrom(type)) return null;
        return type.IsGenericType && type.GetGenericArguments() is [var element] ? element : null;
    }

    private object List(Type type, Type element)
    {
        var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
        // Every sample of the element, so a list of an abstract type (a chunk of events) holds
        // each kind; at least three items, so a list is never a lone value in disguise.
        var items = SamplesOf(element);
        for (var i = 0; i < Math.Max(3, items.Count); i++) list.Add(items[i % items.Count]);
        if (type.IsArray)
        {
            var array = Array.CreateInstance(element, list.Count);
            list.CopyTo(array, 0);
            return array;
        }
        if (!type.IsInstanceOfType(list)) throw new InvalidOperationException($"no list fits {type}");
        return list;
    }

    /// <summary>Through the widest public constructor (not a record's copy constructor).</summary>
    private List<object> Construct(Type type)
    {
        if (!WireAssemblies.Contains(type.Assembly))
        {
            throw new InvalidOperationException(
                $"no sample value for {type}: add one to SampleBuilder.Primitive");
        }
        var constructor = type.GetConstructors()
            .Where(c => c.GetParameters() is not [var only] || only.ParameterType != type)
            .MaxBy(c => c.GetParameters().Length);
        if (constructor is null)
        {
            if (type.IsValueType) return [Activator.CreateInstance(type)!];
            throw new InvalidOperationException($"{type} has no public constructor");
        }
        var parameters = constructor.GetParameters();
        var choices = parameters.Select(p => ValuesFor(type, p)).ToList();
        var count = choices.Select(c => c.Count).DefaultIfEmpty(1).Max();
        var samples = new List<object>(count);
        for (var i = 0; i < count; i++)
        {
            samples.Add(constructor.Invoke([.. choices.Select(c => c[i % c.Count])]));
        }
        return samples;
    }

    private List<object?> ValuesFor(Type owner, ParameterInfo parameter)
    {
        try
        {
            List<object?> values = [.. SamplesOf(parameter.ParameterType)];
            var nullable = Nullable.GetUnderlyingType(parameter.ParameterType) is not null
                || _nullability.Create(parameter).WriteState == NullabilityState.Nullable;
            if (nullable) values.Add(null);
            return values;
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"{owner.Name}({parameter.Name}) -> {e.Message}", e);
        }
    }
}
