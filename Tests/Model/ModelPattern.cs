using System.Buffers.Binary;
using System.Numerics;
using Emulator.Protocol.Processes;

namespace Emulator.Tests.Model;

/// <summary>
/// Lays a <see cref="Pattern"/> out byte after byte from the range's first byte, so that fill
/// and check can walk a range page by page without building it whole. Words are little endian.
/// </summary>
internal sealed class PatternCursor(Pattern pattern)
{
    private uint _word;
    private uint _wordIndex;
    private int _byteInWord = 4;
    private uint _lfsrState = pattern is Lfsr32Pattern lfsr ? lfsr.Seed : 0;

    public byte Next()
    {
        switch (pattern)
        {
            case ZeroPattern:
                return 0;
            case BytePattern b:
                return b.Value;
        }
        if (_byteInWord == 4)
        {
            _word = NextWord();
            _byteInWord = 0;
        }
        return (byte)(_word >> (8 * _byteInWord++));
    }

    public void Fill(Span<byte> destination)
    {
        switch (pattern)
        {
            case ZeroPattern:
                destination.Clear();
                return;
            case BytePattern b:
                destination.Fill(b.Value);
                return;
        }
        var i = 0;
        for (; i < destination.Length && _byteInWord != 4; i++)
        {
            destination[i] = Next();
        }
        for (; i + 4 <= destination.Length; i += 4)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination[i..], NextWord());
        }
        for (; i < destination.Length; i++)
        {
            destination[i] = Next();
        }
    }

    /// <summary>
    /// One LFSR step: <c>(s &lt;&lt; 1) | parity(s &amp; 1337)</c>, 32 bits. Our choice for where
    /// the
    /// sequence starts: the state begins at the seed and every word, word 0 included, is the
    /// state after one more step (word 0 = next(seed), word 1 = next(next(seed)), ...).
    /// </summary>
    public static uint LfsrNext(uint state) =>
        unchecked((state << 1) | (uint)(BitOperations.PopCount(state & 1337u) & 1));

    private uint NextWord()
    {
        var index = _wordIndex++;
        switch (pattern)
        {
            case Index32Pattern indexed:
                return unchecked(index + indexed.K);
            case Lfsr32Pattern:
                _lfsrState = LfsrNext(_lfsrState);
                return _lfsrState;
            default:
                throw new ArgumentException($"unknown pattern {pattern}");
        }
    }
}
