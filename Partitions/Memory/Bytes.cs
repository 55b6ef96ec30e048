using System.Buffers.Binary;

namespace Emulator.Partitions.Memory;

/// <summary>Little-endian values over byte ranges, as x86-64 loads and stores them.</summary>
public static class Bytes
{
    public static ulong ToValue(byte[] bytes)
    {
        Span<byte> wide = stackalloc byte[8];
        bytes.CopyTo(wide);
        return BinaryPrimitives.ReadUInt64LittleEndian(wide);
    }

    public static byte[] FromValue(ulong value, int widthBytes)
    {
        Span<byte> wide = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(wide, value);
        return wide[..widthBytes].ToArray();
    }

    /// <summary>
    /// Adds <paramref name="k"/> to every whole 32-bit word (a trailing partial word is left as it
    /// is).
    /// </summary>
    public static byte[] Add32(byte[] bytes, uint k)
    {
        var result = (byte[])bytes.Clone();
        for (var i = 0; i + 4 <= result.Length; i += 4)
        {
            var word = BinaryPrimitives.ReadUInt32LittleEndian(result.AsSpan(i));
            BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(i), unchecked(word + k));
        }
        return result;
    }

    /// <summary>The 64-bit sum of the whole 32-bit words.</summary>
    public static ulong Sum32(byte[] bytes)
    {
        ulong sum = 0;
        for (var i = 0; i + 4 <= bytes.Length; i += 4)
            sum += BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i));
        return sum;
    }
}
