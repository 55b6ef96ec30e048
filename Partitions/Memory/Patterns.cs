using System.Buffers.Binary;
using System.Numerics;
using Emulator.Protocol.Processes;

namespace Emulator.Partitions.Memory;

/// <summary>The bytes a pattern lays over a range, from its first byte.</summary>
public static class Patterns
{
    public static byte[] Lay(Pattern pattern, ulong sizeBytes)
    {
        var bytes = new byte[sizeBytes];
        switch (pattern)
        {
            case BytePattern b:
                bytes.AsSpan().Fill(b.Value);
                break;
            case Index32Pattern index:
                LayWords(bytes, i => unchecked((uint)i + index.K));
                break;
            case Lfsr32Pattern lfsr:
                var state = lfsr.Seed;
                LayWords(bytes, _ => state = NextLfsr(state));
                break;
        }
        return bytes;
    }

    /// <summary>
    /// The index of the first byte of <paramref name="bytes"/> that differs from the pattern, or
    /// null.
    /// </summary>
    public static int? FirstDifference(Pattern pattern, byte[] bytes)
    {
        var expected = Lay(pattern, (ulong)bytes.Length);
        var index = bytes.AsSpan().CommonPrefixLength(expected);
        return index == bytes.Length ? null : index;
    }

    /// <summary>
    /// One LFSR step: <c>next = (s &lt;&lt; 1) | parity(s &amp; 1337)</c>; word i holds the i+1-th
    /// step from the seed.
    /// </summary>
    public static uint NextLfsr(uint state)
        => (state << 1) | (uint)(BitOperations.PopCount(state & 1337) & 1);

    /// <summary>
    /// Words are laid whole; a trailing partial word gets the low bytes of its value.
    /// </summary>
    private static void LayWords(byte[] bytes, Func<long, uint> word)
    {
        Span<byte> tail = stackalloc byte[4];
        for (long i = 0; i * 4 < bytes.Length; i++)
        {
            var offset = (int)(i * 4);
            var value = word(i);
            if (offset + 4 <= bytes.Length)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(offset), value);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(tail, value);
                tail[..(bytes.Length - offset)].CopyTo(bytes.AsSpan(offset));
            }
        }
    }
}
