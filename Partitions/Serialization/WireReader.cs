using System.Buffers.Binary;
using System.Runtime.Serialization;
using Akka.Actor;

namespace Emulator.Partitions.Serialization;

/// <summary>
/// Reads one message the codecs wrote, checking every step against what is left: a truncated or
/// corrupt input ends in a <see cref="SerializationException"/> that says where and what, never an
/// index error, a huge allocation or a hang (every length and count is bounded by the bytes left,
/// nesting by <see cref="DepthMax"/>).
/// </summary>
internal sealed class WireReader(byte[] bytes, ExtendedActorSystem system)
{
    /// <summary>
    /// Carried messages inside carried messages; XPC nests two (Sequenced, then Run's Call).
    /// </summary>
    public const int DepthMax = 16;

    /// <summary>
    /// Items of a list whose items may take no bytes (empty records): a count the bytes left
    /// cannot bound is bounded by this.
    /// </summary>
    public const int ZeroSizeItemsMax = 1 << 16;

    private int _position;
    private int _depth;

    public int Remaining => bytes.Length - _position;

    public byte ReadByte()
    {
        if (_position >= bytes.Length) throw Truncated(1, "a byte");
        return bytes[_position++];
    }

    public bool ReadBool() => ReadByte() switch
    {
        0 => false,
        1 => true,
        var other => throw Corrupt($"{other} is not a bool"),
    };

    /// <summary>A presence byte: 1, a value follows; 0, null.</summary>
    public bool ReadPresence() => ReadBool();

    public ulong ReadUnsigned()
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var next = ReadByte();
            // The tenth byte holds bit 63 only; more would not fit in 64 bits.
            if (shift == 63 && next > 1) throw Corrupt("a varint longer than 64 bits");
            value |= (ulong)(next & 0x7F) << shift;
            if (next < 0x80) return value;
        }
    }

    public ulong ReadUnsigned(ulong max)
    {
        var value = ReadUnsigned();
        if (value > max) throw Corrupt($"{value} is out of range (at most {max})");
        return value;
    }

    public long ReadSigned(long min, long max)
    {
        var zigzag = ReadUnsigned();
        var value = (long)(zigzag >> 1) ^ -(long)(zigzag & 1);
        if (value < min || value > max) throw Corrupt($"{value} is out of range [{min}, {max}]");
        return value;
    }

    /// <summary>An enum's number, refused unless the enum defines it (or it is [Flags]).</summary>
    public long ReadEnum(WireEnum info)
    {
        var value = info.IsSigned
            ? ReadSigned(info.Min, info.Max)
            : unchecked((long)ReadUnsigned(unchecked((ulong)info.Max)));
        if (!info.Accepts(value)) throw Corrupt($"{value} is not a {info.Name}");
        return value;
    }

    public uint ReadFixed32() =>
        BinaryPrimitives.ReadUInt32LittleEndian(Take(sizeof(uint), "a 32-bit number"));

    public ulong ReadFixed64() =>
        BinaryPrimitives.ReadUInt64LittleEndian(Take(sizeof(ulong), "a 64-bit number"));

    public float ReadSingle() =>
        BinaryPrimitives.ReadSingleLittleEndian(Take(sizeof(float), "a float"));

    public double ReadDouble() =>
        BinaryPrimitives.ReadDoubleLittleEndian(Take(sizeof(double), "a double"));

    public string? ReadString(bool allowsNull, string field)
    {
        if (ReadLength(allowsNull, field) is not { } length) return null;
        var at = _position;
        var span = Take(length, field);
        try
        {
            return WireWriter.Utf8.GetString(span);
        }
        catch (ArgumentException e)
        {
            throw new SerializationException($"{field} at byte {at} is not UTF-8: {e.Message}", e);
        }
    }

    public byte[]? ReadBytes(bool allowsNull, string field) =>
        ReadLength(allowsNull, field) is { } length ? Take(length, field).ToArray() : null;

    public IActorRef? ReadActorRef(bool allowsNull, string field)
    {
        if (ReadString(allowsNull, field) is not { } path) return null;
        try
        {
            return system.Provider.ResolveActorRef(path);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            // Akka's path parser throws on a malformed uid; a path it cannot place is DeadLetters.
            throw new SerializationException(
                $"corrupt input before byte {_position}: {field} holds '{path}', "
                + $"which is not an actor path: {e.Message}", e);
        }
    }

    /// <summary>
    /// A count of items at least <paramref name="itemBytesMin"/> long each, or null: bounded by
    /// the bytes left, so a corrupt count fails here instead of allocating.
    /// </summary>
    public int? ReadCount(int itemBytesMin, bool allowsNull, string field)
    {
        var encoded = ReadUnsigned();
        if (encoded == 0) return NullOr(allowsNull, field);
        var count = encoded - 1;
        var max = itemBytesMin == 0 ? ZeroSizeItemsMax : (ulong)Remaining / (ulong)itemBytesMin;
        if (count > max)
        {
            throw Corrupt($"{field} counts {count} items, but only {Remaining} bytes are left");
        }
        return (int)count;
    }

    /// <summary>A tag: 0 for null, else 1 + a candidate's index.</summary>
    public int? ReadTag(int candidates, bool allowsNull, string field)
    {
        var encoded = ReadUnsigned();
        if (encoded == 0) return NullOr(allowsNull, field);
        if (encoded > (ulong)candidates)
        {
            throw Corrupt($"{field} has type tag {encoded}, but only {candidates} types fit it");
        }
        return (int)encoded - 1;
    }

    public void Enter(string field)
    {
        if (++_depth > DepthMax) throw Corrupt($"{field} nests messages deeper than {DepthMax}");
    }

    public void Leave() => _depth--;

    public void ExpectEnd()
    {
        if (Remaining != 0) throw Corrupt($"{Remaining} bytes follow the end of the message");
    }

    public SerializationException Corrupt(string what) =>
        new($"corrupt input at byte {_position} of {bytes.Length}: {what}.");

    private int? ReadLength(bool allowsNull, string field)
    {
        var encoded = ReadUnsigned();
        if (encoded == 0) return NullOr(allowsNull, field);
        var length = encoded - 1;
        if (length > (ulong)Remaining) throw Truncated(length, field);
        return (int)length;
    }

    private int? NullOr(bool allowsNull, string field) =>
        allowsNull ? null : throw Corrupt($"{field} is null but not nullable");

    private ReadOnlySpan<byte> Take(int count, string what)
    {
        if (count > Remaining) throw Truncated((ulong)count, what);
        var span = bytes.AsSpan(_position, count);
        _position += count;
        return span;
    }

    private SerializationException Truncated(ulong needed, string what) =>
        new($"input ends at byte {bytes.Length}, but {what} at byte {_position} "
            + $"needs {needed} bytes.");
}

/// <summary>What an enum accepts on read, computed once per enum type.</summary>
internal sealed class WireEnum
{
    private readonly HashSet<long>? _defined;

    public WireEnum(Type type)
    {
        Name = type.Name;
        var underlying = Enum.GetUnderlyingType(type);
        IsSigned = underlying == typeof(sbyte) || underlying == typeof(short)
            || underlying == typeof(int) || underlying == typeof(long);
        (Min, Max) = Type.GetTypeCode(underlying) switch
        {
            TypeCode.SByte => (sbyte.MinValue, sbyte.MaxValue),
            TypeCode.Int16 => (short.MinValue, short.MaxValue),
            TypeCode.Int32 => (int.MinValue, int.MaxValue),
            TypeCode.Int64 => (long.MinValue, long.MaxValue),
            TypeCode.Byte => (0, byte.MaxValue),
            TypeCode.UInt16 => (0, ushort.MaxValue),
            TypeCode.UInt32 => (0, uint.MaxValue),
            _ => (0L, unchecked((long)ulong.MaxValue)),
        };
        // A [Flags] enum's combinations are not listed, so any number in range is one.
        if (!type.IsDefined(typeof(FlagsAttribute), inherit: false))
        {
            _defined = [.. Enum.GetValuesAsUnderlyingType(type).Cast<object>().Select(ToLong)];
        }
    }

    public string Name { get; }

    public bool IsSigned { get; }

    public long Min { get; }

    /// <summary>For an unsigned ulong enum, ulong.MaxValue seen as a long (-1).</summary>
    public long Max { get; }

    public bool Accepts(long value) => _defined is null || _defined.Contains(value);

    private static long ToLong(object value) =>
        value is ulong unsigned ? unchecked((long)unsigned) : Convert.ToInt64(value);
}
