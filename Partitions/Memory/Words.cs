using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Emulator.Partitions.Memory;

/// <summary>
/// Whole 32-bit little-endian words of a chunk, a vector at a time: <c>sum32</c> and
/// <c>add32</c> run over every word of every page they touch, and a word-at-a-time loop was
/// the largest piece of emulator code in an Altix-sized profile.
/// </summary>
public static class Words
{
    /// <summary>The sum of the whole words at the start of <paramref name="bytes"/>.</summary>
    public static ulong Sum32(ReadOnlySpan<byte> bytes)
    {
        var count = bytes.Length / 4;
        ulong sum = 0;
        var done = 0;
        if (BitConverter.IsLittleEndian && Vector.IsHardwareAccelerated)
        {
            var words = MemoryMarshal.Cast<byte, uint>(bytes[..(count * 4)]);
            var wide = Vector<ulong>.Zero;
            for (; done + Vector<uint>.Count <= count; done += Vector<uint>.Count)
            {
                Vector.Widen(new Vector<uint>(words[done..]), out var low, out var high);
                wide += low + high;
            }
            sum = Vector.Sum(wide);
        }
        for (; done < count; done++)
            sum += BinaryPrimitives.ReadUInt32LittleEndian(bytes[(done * 4)..]);
        return sum;
    }

    /// <summary>Adds <paramref name="k"/> (wrapping) to each whole word of
    /// <paramref name="bytes"/>.</summary>
    public static void Add32(Span<byte> bytes, uint k)
    {
        var count = bytes.Length / 4;
        var done = 0;
        if (BitConverter.IsLittleEndian && Vector.IsHardwareAccelerated)
        {
            var words = MemoryMarshal.Cast<byte, uint>(bytes[..(count * 4)]);
            var add = new Vector<uint>(k);
            for (; done + Vector<uint>.Count <= count; done += Vector<uint>.Count)
            {
                var slice = words[done..];
                (new Vector<uint>(slice) + add).CopyTo(slice);
            }
        }
        for (; done < count; done++)
        {
            var word = bytes[(done * 4)..];
            BinaryPrimitives.WriteUInt32LittleEndian(word,
                unchecked(BinaryPrimitives.ReadUInt32LittleEndian(word) + k));
        }
    }
}
