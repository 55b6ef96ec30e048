// Proves the pattern cursor: the bytes a pattern lays come out the same whatever the chunks they
// are asked for in (1, 3, 4, 4095, 4096, 10000 bytes, and random mixes), they match a reference
// written here from the patterns' definitions (little-endian words, the LFSR word i being the
// i+1-th step from the seed, with a few words worked out by hand), and producing many megabytes
// a page at a time allocates nothing the size of the range.
using System.Buffers.Binary;
using Emulator.Partitions.Memory;
using Emulator.Protocol.Processes;
using Xunit;

namespace Emulator.Tests.Memory;

public sealed class PatternCursorSpec
{
    private const int Total = 3 * 4096 + 4096 * 2 + 123;

    public static TheoryData<string> PatternNames => ["zero", "byte", "index32", "index32wrap",
        "lfsr", "lfsr0"];

    private static Pattern Named(string name) => name switch
    {
        "zero" => new ZeroPattern(),
        "byte" => new BytePattern(0x61),
        "index32" => new Index32Pattern(7),
        "index32wrap" => new Index32Pattern(0xFFFFFF00),
        "lfsr" => new Lfsr32Pattern(0xDEADBEEF),
        "lfsr0" => new Lfsr32Pattern(1),
        _ => throw new ArgumentException(name),
    };

    /// <summary>The pattern's bytes from its definition, one word at a time.</summary>
    private static byte[] Reference(Pattern pattern, int size)
    {
        var words = new byte[(size + 3) / 4 * 4];
        var state = pattern is Lfsr32Pattern l ? l.Seed : 0u;
        for (var i = 0; i < words.Length / 4; i++)
        {
            uint word;
            switch (pattern)
            {
                case ZeroPattern:
                    word = 0;
                    break;
                case BytePattern b:
                    word = b.Value * 0x01010101u;
                    break;
                case Index32Pattern x:
                    word = unchecked((uint)i + x.K);
                    break;
                default:
                    var parity = System.Numerics.BitOperations.PopCount(state & 1337u) & 1;
                    state = unchecked(state << 1) | (uint)parity;
                    word = state;
                    break;
            }
            BinaryPrimitives.WriteUInt32LittleEndian(words.AsSpan(i * 4), word);
        }
        return words[..size];
    }

    private static byte[] Chunked(Pattern pattern, IEnumerable<int> sizes, int total)
    {
        var bytes = new byte[total];
        var cursor = new PatternCursor(pattern);
        var at = 0;
        using var chunks = sizes.GetEnumerator();
        while (at < total && chunks.MoveNext())
        {
            var take = Math.Min(chunks.Current, total - at);
            cursor.Next(bytes.AsSpan(at, take));
            at += take;
        }
        Assert.Equal(total, at);
        return bytes;
    }

    private static IEnumerable<int> Repeat(int size)
    {
        while (true) yield return size;
    }

    [Theory]
    [MemberData(nameof(PatternNames))]
    public void PatternCursor_must_lay_in_one_go_what_the_patterns_definition_says(string name)
    {
        var pattern = Named(name);
        Assert.Equal(Reference(pattern, Total), PatternCursor.Lay(pattern, Total));
    }

    [Theory]
    [MemberData(nameof(PatternNames))]
    public void PatternCursor_must_lay_the_same_bytes_in_chunks_of_any_one_size(string name)
    {
        var pattern = Named(name);
        var whole = PatternCursor.Lay(pattern, Total);
        foreach (var size in new[] { 1, 2, 3, 4, 5, 4095, 4096, 4097, 10000 })
        {
            Assert.True(whole.AsSpan().SequenceEqual(Chunked(pattern, Repeat(size), Total)),
                $"chunks of {size} bytes differ from the whole");
        }
    }

    [Theory]
    [MemberData(nameof(PatternNames))]
    public void PatternCursor_must_lay_the_same_bytes_in_mixed_chunks(string name)
    {
        var pattern = Named(name);
        var whole = PatternCursor.Lay(pattern, Total);
        var fixedMix = new[] { 1, 3, 4, 4095, 4096, 10000, 1, 1, 2 };
        Assert.Equal(whole, Chunked(pattern, fixedMix.Concat(Repeat(7)), Total));
        var random = new Random(1234);
        for (var run = 0; run < 50; run++)
        {
            var sizes = Enumerable.Range(0, 10_000).Select(_ => random.Next(6) switch
            {
                0 => 1,
                1 => 3,
                2 => 4,
                3 => 4095,
                4 => 4096,
                _ => random.Next(0, 10_001),
            }).ToList();
            Assert.True(whole.AsSpan().SequenceEqual(Chunked(pattern, sizes, Total)),
                $"run {run}: mixed chunks differ from the whole");
        }
    }

    [Fact]
    public void PatternCursor_must_step_the_lfsr_as_worked_out_by_hand()
    {
        // 1337 = bits 0, 3, 4, 5, 8, 10. Seed 1: 1&1337 = 1 (odd) -> 3; 3&1337 = 1 -> 7;
        // 7&1337 = 1 -> 15; 15&1337 = 9 (even) -> 30; 30&1337 = 24 (even) -> 60.
        Assert.Equal([3u, 7u, 15u, 30u, 60u], Words(new Lfsr32Pattern(1), 5));
        // Seed ~0: ~0&1337 = 1337 (6 bits, even) -> 0xFFFFFFFE; &1337 = 1336 (5 bits, odd)
        // -> 0xFFFFFFFD; &1337 = 1337 -> 0xFFFFFFFA; &1337 = 1336 -> 0xFFFFFFF5.
        Assert.Equal([0xFFFFFFFEu, 0xFFFFFFFDu, 0xFFFFFFFAu, 0xFFFFFFF5u],
            Words(new Lfsr32Pattern(0xFFFFFFFF), 4));
        // Seed 0x80000000: the top bit shifts out, nothing of the mask is set: 0 for ever.
        Assert.Equal([0u, 0u], Words(new Lfsr32Pattern(0x80000000), 2));
        Assert.Equal(3u, PatternCursor.NextLfsr(1));
        Assert.Equal(30u, PatternCursor.NextLfsr(15));
    }

    [Fact]
    public void PatternCursor_must_lay_index32_words_little_endian_from_K_and_wrap()
    {
        var bytes = PatternCursor.Lay(new Index32Pattern(0x11223344), 9);
        Assert.Equal(new byte[] { 0x44, 0x33, 0x22, 0x11, 0x45, 0x33, 0x22, 0x11, 0x46 }, bytes);
        Assert.Equal([0xFFFFFFFEu, 0xFFFFFFFFu, 0u, 1u], Words(new Index32Pattern(0xFFFFFFFE), 4));
    }

    [Fact]
    public void PatternCursor_must_lay_a_byte_pattern_and_zero_on_every_byte()
    {
        Assert.All(PatternCursor.Lay(new BytePattern(0x61), 4099), b => Assert.Equal(0x61, b));
        Assert.All(PatternCursor.Lay(new ZeroPattern(), 4099), b => Assert.Equal(0, b));
    }

    [Fact]
    public void PatternCursor_must_resume_a_word_split_across_chunks_without_stepping_the_lfsr()
    {
        var pattern = new Lfsr32Pattern(1);
        var cursor = new PatternCursor(pattern);
        var bytes = new byte[12];
        cursor.Next(bytes.AsSpan(0, 1));
        cursor.Next(bytes.AsSpan(1, 2));
        cursor.Next(bytes.AsSpan(3, 6));
        cursor.Next(bytes.AsSpan(9, 3));
        Assert.Equal([3u, 7u, 15u], Enumerable.Range(0, 3)
            .Select(i => BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i * 4))));
    }

    [Fact]
    public void PatternCursor_must_produce_a_long_range_a_page_at_a_time_without_allocating_it()
    {
        const int pages = 16 * 256; // 16 MiB
        var page = new byte[4096];
        var cursor = new PatternCursor(new Lfsr32Pattern(5));
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < pages; i++) cursor.Next(page);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 64 * 1024, $"{allocated} bytes allocated for 16 MiB of pattern");
        // The last page holds words 1,047,552 on: step an LFSR of our own there and compare.
        var state = 5u;
        for (var i = 0; i < (pages - 1) * 1024; i++) state = PatternCursor.NextLfsr(state);
        for (var i = 0; i < 1024; i++)
        {
            state = PatternCursor.NextLfsr(state);
            Assert.Equal(state, BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(i * 4)));
        }
    }

    private static List<uint> Words(Pattern pattern, int count)
    {
        var bytes = PatternCursor.Lay(pattern, count * 4);
        return Enumerable.Range(0, count)
            .Select(i => BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i * 4))).ToList();
    }
}
