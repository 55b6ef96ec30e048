using System.Buffers.Binary;
using System.Numerics;
using Emulator.Protocol.Processes;

namespace Emulator.Partitions.Memory;

/// <summary>
/// The bytes a pattern lays over a range, produced in order a chunk at a time from the range's
/// first byte: nothing the size of the range is ever allocated.
/// </summary>
public sealed class PatternCursor(Pattern pattern)
{
    private ulong _offset;
    private uint _lfsr = pattern is Lfsr32Pattern lfsr ? lfsr.Seed : 0;
    private ulong _lfsrWord = ulong.MaxValue;

    /// <summary>
    /// One LFSR step: <c>next = (s &lt;&lt; 1) | parity(s &amp; 1337)</c>; word i holds the i+1-th
    /// step from the seed.
    /// </summary>
    public static uint NextLfsr(uint state)
        => (state << 1) | (uint)(BitOperations.PopCount(state & 1337) & 1);

    /// <summary>The whole pattern over a small range (tests, single values).</summary>
    public static byte[] Lay(Pattern pattern, int sizeBytes)
    {
        var bytes = new byte[sizeBytes];
        new PatternCursor(pattern).Next(bytes);
        return bytes;
    }

    /// <summary>
    /// True when every byte from here on is zero (the zero pattern, byte 0, an LFSR that reached
    /// its fixed point 0): a stretch of zeros can be skipped instead of compared.
    /// </summary>
    public bool ZeroFromHere => pattern switch
    {
        ZeroPattern => true,
        BytePattern b => b.Value == 0,
        Lfsr32Pattern => _lfsr == 0 && (_offset & 3) == 0,
        _ => false,
    };

    /// <summary>
    /// Moves past <paramref name="count"/> bytes; only where <see cref="ZeroFromHere"/>.
    /// </summary>
    public void Skip(ulong count)
    {
        Invariant.Holds(ZeroFromHere, "a pattern skipped where it is not all zero");
        _offset += count;
        if (pattern is Lfsr32Pattern) _lfsrWord = (_offset >> 2) - 1;
    }

    /// <summary>Writes the pattern's next <c>destination.Length</c> bytes.</summary>
    public void Next(Span<byte> destination)
    {
        switch (pattern)
        {
            case ZeroPattern:
                destination.Clear();
                break;
            case BytePattern b:
                destination.Fill(b.Value);
                break;
            default:
                NextWords(destination);
                return;
        }
        _offset += (ulong)destination.Length;
    }

    private void NextWords(Span<byte> destination)
    {
        Span<byte> word = stackalloc byte[4];
        while (destination.Length > 0)
        {
            var inWord = (int)(_offset & 3);
            var value = WordAt(_offset >> 2);
            if (inWord == 0 && destination.Length >= 4)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(destination, value);
                destination = destination[4..];
                _offset += 4;
                continue;
            }
            BinaryPrimitives.WriteUInt32LittleEndian(word, value);
            var take = Math.Min(4 - inWord, destination.Length);
            word.Slice(inWord, take).CopyTo(destination);
            destination = destination[take..];
            _offset += (ulong)take;
        }
    }

    /// <summary>Word <paramref name="index"/>; the LFSR is asked for words in order only.</summary>
    private uint WordAt(ulong index)
    {
        if (pattern is Index32Pattern index32) return unchecked((uint)index + index32.K);
        if (_lfsrWord != index)
        {
            _lfsr = NextLfsr(_lfsr);
            _lfsrWord = index;
        }
        return _lfsr;
    }
}
