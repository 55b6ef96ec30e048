using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Runtime.InteropServices;
using System.Runtime.Serialization;

namespace Emulator.Partitions.Serialization;

/// <summary>
/// Writes and reads one type's fields (no header, no tag): compiled once per process from the
/// type's shape, so a message costs delegate calls and buffer writes, no reflection.
/// </summary>
internal sealed class WireCodec(Action<WireWriter, object> write, Func<WireReader, object> read)
{
    public Action<WireWriter, object> Write => write;

    public Func<WireReader, object> Read => read;
}

/// <summary>
/// The codecs of one set of types (<see cref="WireTypes"/>), each built on first use and kept for
/// the life of the process: they depend on no ActorSystem (the reader carries the one that
/// resolves actor refs). Also the helpers the compiled codecs call for lists.
/// </summary>
internal sealed class WireCodecs(WireTypes types)
{
    /// <summary>Building compiles expression trees: rare, and one at a time.</summary>
    private readonly Lock _buildLock = new();

    private readonly ConcurrentDictionary<Type, WireCodec> _built = new();

    /// <summary>The codecs of Protocol's and Partitions' messages.</summary>
    public static WireCodecs Instance { get; } = new(WireTypes.Instance);

    public WireTypes Types => types;

    public WireCodec For(Type type) =>
        _built.TryGetValue(type, out var codec) ? codec : Build(type);

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

    private WireCodec Build(Type type)
    {
        lock (_buildLock)
        {
            if (_built.TryGetValue(type, out var codec)) return codec;
            try
            {
                codec = new WireCodecBuilder(this).Build(type);
            }
            catch (Exception e) when (e is NotSupportedException or ArgumentException
                or InvalidOperationException)
            {
                // A shape the builder has no answer for: refused at first use, naming the type.
                throw new SerializationException(
                    $"XpmemSerializer cannot write {WireTypes.NameOf(type)}: {e.Message}.", e);
            }
            _built[type] = codec;
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
    private readonly WireCodecs _codecs;
    private readonly IReadOnlyList<Type> _candidates;
    private readonly FrozenDictionary<Type, int> _tags;
    private readonly WireCodec?[] _candidateCodecs;
    private readonly Type _declared;
    private readonly bool _allowsNull;
    private readonly string _field;

    public WireTagged(WireCodecs codecs, Type declared, bool allowsNull, string field)
    {
        _codecs = codecs;
        _candidates = codecs.Types.CandidatesOf(declared);
        _tags = _candidates.Select((type, index) => (type, index))
            .ToFrozenDictionary(c => c.type, c => c.index);
        _candidateCodecs = new WireCodec?[_candidates.Count];
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
    private WireCodec CodecAt(int tag) =>
        _candidateCodecs[tag] ??= _codecs.For(_candidates[tag]);

    private SerializationException Refusal(Type type)
    {
        if (_codecs.Types.InProcessOnly.Contains(type))
        {
            return new SerializationException($"{_field} holds {WireTypes.PageRefusal(type)}");
        }
        var what = _declared == typeof(object) ? "an XPMEM message" : $"a {_declared.Name}";
        return new SerializationException(
            $"{_field} holds {type.FullName}, which is not {what} XpmemSerializer knows "
            + "(only IXpmemMessage crosses XPC, and only the types of Protocol and Partitions).");
    }
}
