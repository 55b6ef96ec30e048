using System.Buffers.Binary;
using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;

namespace Emulator.Partitions.Serialization;

/// <summary>
/// A growable buffer the codecs write one message into. One is kept per thread and reused, so a
/// message costs one allocation: its exact-size copy. Lengths and counts are written as
/// 1 + the value, so 0 can mean null at no cost.
/// </summary>
internal sealed class WireWriter
{
    /// <summary>A buffer grown past this (a large Frames.Data) is not kept for the next.</summary>
    private const int KeptCapacityMaxBytes = 64 * 1024;

    /// <summary>Varint-encoded value at most.</summary>
    private const int VarintBytesMax = 10;

    /// <summary>Strict both ways: a lone surrogate is an error, never a silent U+FFFD.</summary>
    internal static readonly UTF8Encoding Utf8 = new(false, throwOnInvalidBytes: true);

    [ThreadStatic] private static WireWriter? _spare;

    private byte[] _buffer = new byte[256];
    private int _length;
    private int _depth;

    /// <summary>This thread's writer, emptied; give it back with <see cref="Return"/>.</summary>
    public static WireWriter Rent()
    {
        var writer = _spare ?? new WireWriter();
        _spare = null;
        return writer;
    }

    public static void Return(WireWriter writer)
    {
        writer._length = 0;
        writer._depth = 0;
        if (writer._buffer.Length <= KeptCapacityMaxBytes) _spare = writer;
    }

    public int Length => _length;

    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    public void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
    }

    public void WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    /// <summary>LEB128: 7 bits a byte, low first; the high bit says another byte follows.</summary>
    public void WriteUnsigned(ulong value)
    {
        Ensure(VarintBytesMax);
        var buffer = _buffer;
        var at = _length;
        while (value >= 0x80)
        {
            buffer[at++] = (byte)(value | 0x80);
            value >>= 7;
        }
        buffer[at++] = (byte)value;
        _length = at;
    }

    /// <summary>Zigzag first: a small negative number is as short as a small positive.</summary>
    public void WriteSigned(long value) => WriteUnsigned((ulong)((value << 1) ^ (value >> 63)));

    public void WriteFixed32(uint value)
    {
        Ensure(sizeof(uint));
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_length), value);
        _length += sizeof(uint);
    }

    public void WriteFixed64(ulong value)
    {
        Ensure(sizeof(ulong));
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(_length), value);
        _length += sizeof(ulong);
    }

    public void WriteSingle(float value)
    {
        Ensure(sizeof(float));
        BinaryPrimitives.WriteSingleLittleEndian(_buffer.AsSpan(_length), value);
        _length += sizeof(float);
    }

    public void WriteDouble(double value)
    {
        Ensure(sizeof(double));
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.AsSpan(_length), value);
        _length += sizeof(double);
    }

    public void WriteString(string? value, bool allowsNull, string field)
    {
        if (value is null)
        {
            WriteNull(allowsNull, field);
            return;
        }
        int length;
        try
        {
            length = Utf8.GetByteCount(value);
        }
        catch (EncoderFallbackException e)
        {
            throw new SerializationException($"{field} is not valid text: {e.Message}", e);
        }
        WriteUnsigned((ulong)length + 1);
        Ensure(length);
        _length += Utf8.GetBytes(value, _buffer.AsSpan(_length));
    }

    public void WriteBytes(byte[]? value, bool allowsNull, string field)
    {
        if (value is null)
        {
            WriteNull(allowsNull, field);
            return;
        }
        WriteUnsigned((ulong)value.Length + 1);
        Ensure(value.Length);
        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
    }

    /// <summary>
    /// The serialization path: under remoting it carries the node's address, so the receiver
    /// resolves a ref that reaches back here.
    /// </summary>
    public void WriteActorRef(IActorRef? value, bool allowsNull, string field)
    {
        if (value is null)
        {
            WriteNull(allowsNull, field);
            return;
        }
        WriteString(Akka.Serialization.Serialization.SerializedActorPath(value), false, field);
    }

    /// <summary>The 0 that means null in a length, a count, a tag or a presence byte.</summary>
    public void WriteNull(bool allowsNull, string field)
    {
        if (!allowsNull) throw new SerializationException($"{field} is null but not nullable.");
        WriteByte(0);
    }

    /// <summary>One level deeper into carried messages; bounded like the reader.</summary>
    public void Enter(string field)
    {
        if (++_depth > WireReader.DepthMax)
        {
            throw new SerializationException(
                $"{field} nests messages deeper than {WireReader.DepthMax}.");
        }
    }

    public void Leave() => _depth--;

    private void Ensure(int count)
    {
        if (_buffer.Length - _length >= count) return;
        var size = Math.Max(_buffer.Length * 2, _length + count);
        Array.Resize(ref _buffer, size);
    }
}
