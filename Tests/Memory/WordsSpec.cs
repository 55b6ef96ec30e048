// Proves the vector word loops agree with a word-at-a-time reference at every length, every
// alignment of the tail, and on sums and additions that wrap.
using System.Buffers.Binary;
using Emulator.Partitions.Memory;
using Xunit;

namespace Emulator.Tests.Memory;

public sealed class WordsSpec
{
    private const int Seed = 7;

    [Fact]
    public void Sum32_must_add_every_whole_word_as_one_at_a_time_would()
    {
        var random = new Random(Seed);
        for (var length = 0; length <= 4096 + 7; length += length < 80 ? 1 : 509)
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            ulong expected = 0;
            for (var i = 0; i + 4 <= length; i += 4)
                expected += BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i));
            Assert.True(expected == Words.Sum32(bytes),
                $"seed {Seed}, length {length}: {Words.Sum32(bytes)}, expected {expected}");
        }
    }

    [Fact]
    public void Add32_must_add_to_every_whole_word_wrapping_and_leave_the_tail()
    {
        var random = new Random(Seed);
        for (var length = 0; length <= 4096 + 7; length += length < 80 ? 1 : 509)
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            var expected = (byte[])bytes.Clone();
            var k = (uint)random.Next() | 0x8000_0000u;
            for (var i = 0; i + 4 <= length; i += 4)
            {
                var word = BinaryPrimitives.ReadUInt32LittleEndian(expected.AsSpan(i));
                BinaryPrimitives.WriteUInt32LittleEndian(expected.AsSpan(i), unchecked(word + k));
            }
            Words.Add32(bytes, k);
            Assert.True(expected.AsSpan().SequenceEqual(bytes),
                $"seed {Seed}, length {length}, k {k:x}: the words differ");
        }
    }
}
