using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Runtime.InteropServices;
using System.Runtime.Serialization;

namespace Emulator.Partitions.Serialization;

/// <summary>
/// Writes and reads one type's fields (no header, no tag): compiled once per process from the
/// type's shape, so a message costs delegate calls and buffer writes, no reflection.
/// </summary>
internal sealed class WireCodec(Type type, Action<WireWriter, object> write,
    Func<WireReader, object> read)
{
    public Type Type => type;

    public Action<WireWriter, object> Write => write;

    public Func<WireReader, object> Read => read;
}

/// <summary>
/// The codecs, built on first use of each type and kept for the life of the process (they depend
/// on no ActorSystem: the reader carries the one that resolves actor refs). Also the helpers the
/// compiled codecs call for lists.
/// </summary>
internal static class WireCodecs
{
    private static readonly ConcurrentDictionary<Type, WireCodec> Built = new();

    /// <summary>Building compiles expression trees: rare, and one at a time.</summary>
    private static readonly Lock BuildLock = new();

    public static WireCodec For(Type type) =>
        Built.TryGetValue(type, out var codec) ? codec : Build(type);

    public static void WriteList<T>(WireWriter writer, IEnumerable<T>? items,
        Action<WireWriter, T> writeItem, int itemBytesMin, bool allowsNull, string field)
    {
        if (items is null)
        {
            writer.WriteNull(allowsNull, field);
            return;
        }
        ReadOnlySpan<T> span = items switch
        {
            T[] array => array,
            List<T> list => CollectionsMarshal.AsSpan(list),
            _ => items.ToArray(),
        };
        if (itemBytesMin == 0 && span.Length > WireReader.ZeroSizeItemsMax)
        {
            throw new SerializationException(
                $"{field} has {span.Length} items that take no bytes; "
                + $"at most {WireReader.ZeroSizeItemsMax} can be read back.");
        }
        writer.WriteUnsigned((ulong)span.Length + 1);
        foreach (var item in span) writeItem(writer, item);
    }

    public static T[]? ReadArray<T>(WireReader reader, Func<WireReader, T> readItem,
        int itemBytesMin, bool allowsNull, string field)
    {
        if (reader.ReadCount(itemBytesMin, allowsNull, field) is not { } count) return null;
        var items = new T[count];
        for (var i = 0; i < items.Length; i++) items[i] = readItem(reader);
        return items;
    }

    public static List<T>? ReadList<T>(WireReader reader, Func<WireReader, T> readItem,
        int itemBytesMin, bool allowsNull, string field) =>
        ReadArray(reader, readItem, itemBytesMin, allowsNull, field) is { } items
            ? [.. items]
            : null;

    private static WireCodec Build(Type type)
    {
        lock (BuildLock)
        {
            if (Built.TryGetValue(type, out var codec)) return codec;
            try
            {
                codec = new WireCodecBuilder(WireTypes.Instance).Build(type);
            }
            catch (NotSupportedException e)
            {
                throw new SerializationException(
                    $"XpmemSerializer cannot write {WireTypes.NameOf(type)}: {e.Message}.", e);
            }
            Built[type] = codec;
            return codec;
        }
    }
}

/// <summary>
/// A field declared abstract, as an interface or as <c>object</c>: which concrete type it holds
/// is written as a tag, 1 + its index among <see cref="WireTypes.CandidatesOf"/> (0: null).
/// A value of any other type is refused, naming the field, rather than sent half-understood.
/// </summary>
internal sealed class WireTagged
{
    private readonly IReadOnlyList<Type> _candidates;
    private readonly FrozenDictionary<Type, int> _tags;
    private readonly WireCodec?[] _codecs;
    private readonly Type _declared;
    private readonly bool _allowsNull;
    private readonly string _field;

    public WireTagged(WireTypes types, Type declared, bool allowsNull, string field)
    {
        _candidates = types.CandidatesOf(declared);
        _tags = _candidates.Select((type, index) => (type, index))
            .ToFrozenDictionary(c => c.type, c => c.index);
        _codecs = new WireCodec?[_candidates.Count];
        _declared = declared;
        _allowsNull = allowsNull;
        _field = field;
    }

    public void Write(WireWriter writer, object? value)
    {
        if (value is null)
        {
            writer.WriteNull(_allowsNull, _field);
            return;
        }
        if (!_tags.TryGetValue(value.GetType(), out var tag)) throw Refusal(value.GetType());
        writer.WriteUnsigned((ulong)tag + 1);
        writer.Enter(_field);
        CodecAt(tag).Write(writer, value);
        writer.Leave();
    }

    public object? Read(WireReader reader)
    {
        if (reader.ReadTag(_candidates.Count, _allowsNull, _field) is not { } tag) return null;
        reader.Enter(_field);
        var value = CodecAt(tag).Read(reader);
        reader.Leave();
        return value;
    }

    /// <summary>
    /// Built on first use: a carried message may carry any message, itself included.
    /// </summary>
    private WireCodec CodecAt(int tag) => _codecs[tag] ??= WireCodecs.For(_candidates[tag]);

    private SerializationException Refusal(Type type)
    {
        if (WireTypes.Instance.InProcessOnly.Contains(type))
        {
            return new SerializationException($"{_field} holds {WireTypes.PageRefusal(type)}");
        }
        var what = _declared == typeof(object) ? "an XPMEM message" : $"a {_declared.Name}";
        return new SerializationException(
            $"{_field} holds {type.FullName}, which is not {what} XpmemSerializer knows "
            + "(only IXpmemMessage crosses XPC, and only the types of Protocol and Partitions).");
    }
}
