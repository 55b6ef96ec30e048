// Proves the range walks (read, write, fill, check, sum32, add32, copy) driven chunk by chunk
// over a fake memory of 4 KiB pages (FakeMemory): no chunk crosses a page; a store's bytes come
// out the same when made twice (a refused remote store); check stops at the first differing byte
// and names it; sum32 and add32 get words that straddle two pages right (add32 loads such a word
// whole before storing any of it, so a fault in its second page stores nothing); copy is memmove,
// byte-exact against Array.Copy in both overlap directions over 2,000 random cases; a remote
// unit goes back in the array its load brought, and no array a store sent changes afterwards;
// and a walk over 1 GiB runs in constant memory. Expected bytes come from references written here.
using System.Buffers.Binary;
using System.Diagnostics;
using Emulator.Partitions.Memory;
using Emulator.Protocol.Processes;
using Xunit;

namespace Emulator.Tests.Memory;

public sealed class RangeWalkSpec
{
    private const int PageBytes = FakeMemory.PageBytes;
    private const ulong Base = 0x40000000;

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    // ---- chunks ----

    [Fact]
    public void RangeWalk_must_never_give_a_chunk_that_crosses_a_page()
    {
        // FakeMemory.Run asserts every chunk stays in its page; here every walk kind goes over
        // random unaligned ranges.
        var random = new Random(7);
        for (var i = 0; i < 300; i++)
        {
            var address = Base + (ulong)random.Next(0, 3 * PageBytes);
            var size = (ulong)random.Next(0, 5 * PageBytes);
            var other = Base + (ulong)random.Next(0, 8 * PageBytes);
            Call[] calls =
            [
                new ReadCall(address, 1 << random.Next(4)),
                new WriteCall(address, 1 << random.Next(4), 0x0102030405060708),
                new FillCall(address, size, new Index32Pattern(1)),
                new CheckCall(address, size, new ZeroPattern()),
                new Sum32Call(address, size),
                new Add32Call(address, size, 3),
                new CopyCall(other, address, size),
            ];
            foreach (var call in calls)
            {
                var memory = new FakeMemory();
                Assert.Null(memory.Run(RangeWalk.For(call, AccessGrain.Page)!));
            }
        }
    }

    [Fact]
    public void RangeWalk_must_make_a_walk_for_memory_calls_only()
    {
        Assert.IsType<LoadWalk>(RangeWalk.For(new ReadCall(0, 4), AccessGrain.Page));
        Assert.IsType<StoreWalk>(RangeWalk.For(new WriteCall(0, 4, 1), AccessGrain.Page));
        Assert.IsType<FillWalk>(RangeWalk.For(new FillCall(0, 4, new ZeroPattern()), AccessGrain.Page));
        Assert.IsType<CheckWalk>(RangeWalk.For(new CheckCall(0, 4, new ZeroPattern()), AccessGrain.Page));
        Assert.IsType<Sum32Walk>(RangeWalk.For(new Sum32Call(0, 4), AccessGrain.Page));
        Assert.IsType<Add32Walk>(RangeWalk.For(new Add32Call(0, 4, 1), AccessGrain.Page));
        Assert.IsType<CopyWalk>(RangeWalk.For(new CopyCall(0, 8, 4), AccessGrain.Page));
        Assert.Null(RangeWalk.For(new ForkCall(), AccessGrain.Page));
        Assert.Null(RangeWalk.For(new MunmapCall(0, 4096), AccessGrain.Page));
    }

    // ---- read and write ----

    [Theory]
    [InlineData(0, 1)]
    [InlineData(0, 8)]
    [InlineData(4092, 4)]
    [InlineData(4093, 4)]   // straddles
    [InlineData(4095, 2)]   // straddles
    [InlineData(4090, 8)]   // straddles
    [InlineData(4095, 8)]   // straddles, one byte in the first page
    public void LoadWalk_must_read_a_little_endian_value_even_across_two_pages(int offset, int width)
    {
        var memory = new FakeMemory();
        var random = new Random(offset * 10 + width);
        var bytes = RandomBytes(random, 2 * PageBytes);
        memory.Write(Base, bytes);
        var walk = new LoadWalk(Base + (ulong)offset, width);
        Assert.Null(memory.Run(walk));
        var expected = new byte[8];
        bytes.AsSpan(offset, width).CopyTo(expected);
        Assert.Equal(OutcomeKind.Ok, walk.Outcome.Kind);
        Assert.Equal(BinaryPrimitives.ReadUInt64LittleEndian(expected), walk.Outcome.Value);
        Assert.Equal(offset + width > PageBytes ? 2 : 1, memory.Chunks.Count);
    }

    [Theory]
    [InlineData(0, 8)]
    [InlineData(100, 2)]
    [InlineData(4093, 4)]   // straddles
    [InlineData(4095, 8)]   // straddles
    public void StoreWalk_must_store_exactly_its_width_even_across_two_pages(int offset, int width)
    {
        const ulong value = 0x8877665544332211;
        var memory = new FakeMemory { RefuseEachStoreOnce = true };
        memory.Write(Base, Enumerable.Repeat((byte)0xEE, 2 * PageBytes).ToArray());
        Assert.Null(memory.Run(new StoreWalk(Base + (ulong)offset, value, width)));
        var expected = Enumerable.Repeat((byte)0xEE, 2 * PageBytes).ToArray();
        var wide = BitConverter.GetBytes(value);
        wide.AsSpan(0, width).CopyTo(expected.AsSpan(offset));
        Assert.Equal(expected, memory.Read(Base, 2 * PageBytes));
    }

    // ---- fill ----

    public static TheoryData<string> PatternNames => ["zero", "byte", "index32", "lfsr"];

    private static Pattern Named(string name) => name switch
    {
        "zero" => new ZeroPattern(),
        "byte" => new BytePattern(0x61),
        "index32" => new Index32Pattern(1000),
        _ => new Lfsr32Pattern(0x1234567),
    };

    [Theory]
    [MemberData(nameof(PatternNames))]
    public void FillWalk_must_lay_the_pattern_over_an_unaligned_range_and_nothing_else(string name)
    {
        var pattern = Named(name);
        const int offset = 4093;
        const int size = 3 * PageBytes + 10;
        var memory = new FakeMemory();
        var around = Enumerable.Repeat((byte)0xEE, 5 * PageBytes).ToArray();
        memory.Write(Base, around);
        var walk = new FillWalk(Base + offset, size, pattern, AccessGrain.Page);
        Assert.Null(memory.Run(walk));
        Assert.Equal(OutcomeKind.Ok, walk.Outcome.Kind);
        PatternCursor.Lay(pattern, size).CopyTo(around.AsSpan(offset));
        Assert.Equal(around, memory.Read(Base, 5 * PageBytes));
        Assert.Equal(5, memory.Chunks.Count);
        Assert.Equal(3, memory.Chunks[0].LengthBytes);
    }

    [Theory]
    [MemberData(nameof(PatternNames))]
    public void FillWalk_must_make_the_same_bytes_again_for_a_refused_store(string name)
    {
        var pattern = Named(name);
        const int size = 4 * PageBytes + 6;
        var memory = new FakeMemory { RefuseEachStoreOnce = true };
        Assert.Null(memory.Run(new FillWalk(Base + 2, size, pattern, AccessGrain.Page)));
        Assert.Equal(PatternCursor.Lay(pattern, size), memory.Read(Base + 2, size));
    }

    [Fact]
    public void FillWalk_must_give_the_same_bytes_to_a_retry_after_a_shorter_refused_attempt()
    {
        // A refused store asks again with the same chunk; Fill may be called any number of times.
        var walk = new FillWalk(Base, 2 * PageBytes, new Index32Pattern(0), AccessGrain.Page);
        Assert.True(walk.TryCurrent(out var chunk));
        var first = new byte[chunk.LengthBytes];
        var second = new byte[chunk.LengthBytes];
        var third = new byte[chunk.LengthBytes];
        walk.Fill(first);
        walk.Fill(second);
        walk.Fill(third);
        Assert.Equal(first, second);
        Assert.Equal(first, third);
        walk.Stored();
        Assert.True(walk.TryCurrent(out var next));
        Assert.Equal(Base + PageBytes, next.Address);
        var page2 = new byte[next.LengthBytes];
        walk.Fill(page2);
        Assert.Equal(1024u, BinaryPrimitives.ReadUInt32LittleEndian(page2));
    }

    // ---- check ----

    [Theory]
    [MemberData(nameof(PatternNames))]
    public void CheckWalk_must_pass_a_range_that_holds_the_pattern(string name)
    {
        var pattern = Named(name);
        const int size = 3 * PageBytes + 1;
        var memory = new FakeMemory();
        memory.Write(Base + 5, PatternCursor.Lay(pattern, size));
        var walk = new CheckWalk(Base + 5, size, pattern, AccessGrain.Page);
        Assert.Null(memory.Run(walk));
        Assert.Equal(OutcomeKind.Ok, walk.Outcome.Kind);
        Assert.Equal(4, memory.Chunks.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4090)]
    [InlineData(4091)]
    [InlineData(5000)]
    [InlineData(3 * 4096 - 1)]
    public void CheckWalk_must_stop_at_the_first_differing_byte_and_name_it(int wrong)
    {
        var pattern = new Index32Pattern(0x10);
        const int offset = 6;
        const int size = 3 * PageBytes;
        var memory = new FakeMemory();
        var laid = PatternCursor.Lay(pattern, size);
        memory.Write(Base + offset, laid);
        var expected = laid[wrong];
        memory.Write(Base + offset + (ulong)wrong, [(byte)(expected ^ 0x5A)]);
        if (wrong + 10 < size) memory.Write(Base + offset + (ulong)wrong + 10, [0xFF]);
        var walk = new CheckWalk(Base + offset, size, pattern, AccessGrain.Page);
        Assert.Null(memory.Run(walk));
        Assert.Equal(OutcomeKind.Mismatch, walk.Outcome.Kind);
        var address = Base + offset + (ulong)wrong;
        Assert.Equal($"0x{address:x}: expected 0x{expected:x2}, found 0x{expected ^ 0x5A:x2}",
            walk.Outcome.Detail);
        // Nothing past the page of the differing byte was loaded.
        Assert.Equal(FakeMemory.PageOf(address), FakeMemory.PageOf(memory.Chunks[^1].Address));
        Assert.False(walk.TryCurrent(out _));
    }

    // ---- sum32 ----

    private static ulong SumOfWords(byte[] bytes)
    {
        ulong sum = 0;
        for (var i = 0; i + 4 <= bytes.Length; i += 4) sum += BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i));
        return sum;
    }

    [Theory]
    [InlineData(0, 4 * 4096)]
    [InlineData(1, 4 * 4096)]     // every page boundary cuts a word 1:3
    [InlineData(2, 3 * 4096 + 3)] // 2:2, and three trailing bytes that are no word
    [InlineData(3, 9)]            // one word straddles
    [InlineData(4094, 4)]         // the only word straddles
    [InlineData(5, 3)]            // no whole word
    public void Sum32Walk_must_sum_the_whole_words_of_any_range(int offset, int size)
    {
        var random = new Random(offset + size);
        var memory = new FakeMemory();
        var bytes = RandomBytes(random, size);
        memory.Write(Base + (ulong)offset, bytes);
        var walk = new Sum32Walk(Base + (ulong)offset, (ulong)size, AccessGrain.Page);
        Assert.Null(memory.Run(walk));
        Assert.Equal(SumOfWords(bytes), walk.Outcome.Value);
    }

    [Fact]
    public void Sum32Walk_must_sum_into_64_bits()
    {
        var memory = new FakeMemory();
        memory.Write(Base + 2, Enumerable.Repeat((byte)0xFF, 2 * PageBytes).ToArray());
        var walk = new Sum32Walk(Base + 2, 2 * PageBytes, AccessGrain.Page);
        Assert.Null(memory.Run(walk));
        Assert.Equal(2048UL * 0xFFFFFFFF, walk.Outcome.Value);
    }

    // ---- add32 ----

    [Theory]
    [InlineData(0, 2 * 4096)]
    [InlineData(1, 3 * 4096)]
    [InlineData(2, 2 * 4096 + 7)]
    [InlineData(4094, 4)]
    [InlineData(7, 2)]
    public void Add32Walk_must_add_K_to_every_whole_word_and_nothing_else(int offset, int size)
    {
        const uint k = 0x80000001; // wraps most words
        var random = new Random(offset * 3 + size);
        var memory = new FakeMemory { RefuseEachStoreOnce = true };
        var around = RandomBytes(random, size + 2 * PageBytes);
        memory.Write(Base, around);
        Assert.Null(memory.Run(new Add32Walk(Base + (ulong)offset, (ulong)size, k, AccessGrain.Page)));
        for (var i = offset; i + 4 <= offset + size; i += 4)
        {
            var word = BinaryPrimitives.ReadUInt32LittleEndian(around.AsSpan(i));
            BinaryPrimitives.WriteUInt32LittleEndian(around.AsSpan(i), unchecked(word + k));
        }
        Assert.Equal(around, memory.Read(Base, around.Length));
    }

    [Fact]
    public void Add32Walk_must_load_a_straddling_word_whole_before_storing_any_of_it()
    {
        var memory = new FakeMemory();
        memory.Write(Base + PageBytes - 6, [1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0]);
        Assert.Null(memory.Run(new Add32Walk(Base + PageBytes - 6, 12, 10, AccessGrain.Page)));
        var edge = Base + PageBytes;
        Assert.Equal(
        [
            new Chunk(edge - 6, 4, false), new Chunk(edge - 6, 4, true),
            new Chunk(edge - 2, 2, false), new Chunk(edge, 2, false),
            new Chunk(edge - 2, 2, true), new Chunk(edge, 2, true),
            new Chunk(edge + 2, 4, false), new Chunk(edge + 2, 4, true),
        ], memory.Chunks);
        Assert.Equal(new byte[] { 11, 0, 0, 0, 12, 0, 0, 0, 13, 0, 0, 0 },
            memory.Read(Base + PageBytes - 6, 12));
    }

    [Fact]
    public void Add32Walk_must_leave_a_straddling_word_unstored_when_its_second_page_faults()
    {
        var memory = new FakeMemory();
        memory.Write(Base + PageBytes - 6, [1, 0, 0, 0, 2, 0, 0, 0]);
        memory.Holes.Add(Base + PageBytes);
        var walk = new Add32Walk(Base + PageBytes - 6, 8, 10, AccessGrain.Page);
        var stop = memory.Run(walk);
        Assert.Equal(new Chunk(Base + PageBytes, 2, false), stop);
        // The first word is done, the straddling one untouched in both pages.
        Assert.Equal(new byte[] { 11, 0, 0, 0, 2, 0 }, memory.Read(Base + PageBytes - 6, 6));
        Assert.DoesNotContain(memory.Chunks, c => c.Write && c.Address >= Base + PageBytes - 2);
        // Once the page is there, the walk goes on from the chunk it stopped at.
        memory.Holes.Clear();
        Assert.Null(memory.Run(walk));
        Assert.Equal(new byte[] { 11, 0, 0, 0, 12, 0, 0, 0 }, memory.Read(Base + PageBytes - 6, 8));
    }

    [Theory]
    [InlineData("page", 0, 3 * 4096)]
    [InlineData("page", 6, 2 * 4096 + 7)]
    [InlineData("line", 0, 4096)]
    [InlineData("line", 66, 1000)]
    public void Add32Walk_must_store_back_a_remote_unit_in_the_array_its_load_brought(
        string grain, int offset, int size)
    {
        var random = new Random(offset * 5 + size);
        var memory = new FakeMemory { Remote = true, RefuseEachStoreOnce = true };
        var around = RandomBytes(random, size + 2 * PageBytes);
        memory.Write(Base, around);
        var walk = new Add32Walk(Base + (ulong)offset, (ulong)size, 7,
            AccessGrains.Parse(grain)!.Value);
        Assert.Null(memory.Run(walk));
        for (var i = offset; i + 4 <= offset + size; i += 4)
        {
            var word = BinaryPrimitives.ReadUInt32LittleEndian(around.AsSpan(i));
            BinaryPrimitives.WriteUInt32LittleEndian(around.AsSpan(i), word + 7);
        }
        Assert.Equal(around, memory.Read(Base, around.Length));
        // Every unit a single load brought whole went back in that array (each store three
        // times: refused, made again, taken); only straddling words were copied.
        var stores = memory.Chunks.Count(chunk => chunk.Write);
        var straddling = memory.Chunks.Count(chunk => chunk.Write && chunk.LengthBytes < 4);
        Assert.Equal(3 * (stores - straddling), memory.StoresOfReceivedArrays);
    }

    [Fact]
    public void UnitWalks_must_leave_a_remote_store_s_bytes_as_sent_over_random_cases()
    {
        var random = new Random(11);
        for (var i = 0; i < 300; i++)
        {
            var grain = random.Next(2) == 0 ? AccessGrain.Page : AccessGrain.Line;
            var memory = new FakeMemory
            {
                Remote = true,
                RefuseEachStoreOnce = random.Next(2) == 0,
            };
            var region = RandomBytes(random, 6 * PageBytes);
            memory.Write(Base, region);
            var source = Base + (ulong)random.Next(0, 2 * PageBytes);
            var destination = Base + (ulong)random.Next(0, 2 * PageBytes);
            var size = random.Next(0, 3 * PageBytes);
            RangeWalk walk = random.Next(2) == 0
                ? new Add32Walk(source, (ulong)size, (uint)random.Next(), grain)
                : new CopyWalk(destination, source, (ulong)size, grain);
            // FakeMemory asserts every sent array is as it was sent when the run ends.
            Assert.Null(memory.Run(walk));
            if (walk is CopyWalk)
            {
                Array.Copy(region, (int)(source - Base), region, (int)(destination - Base), size);
                Assert.Equal(region, memory.Read(Base, region.Length));
            }
        }
    }

    // ---- copy ----

    private static void CheckCopy(Random random, int regionPages, ulong destination, ulong source,
        int size, bool refuse)
    {
        var memory = new FakeMemory { RefuseEachStoreOnce = refuse };
        var region = RandomBytes(random, regionPages * PageBytes);
        memory.Write(Base, region);
        Assert.Null(memory.Run(new CopyWalk(destination, source, (ulong)size, AccessGrain.Page)));
        Array.Copy(region, (int)(source - Base), region, (int)(destination - Base), size);
        var got = memory.Read(Base, region.Length);
        if (!got.AsSpan().SequenceEqual(region))
        {
            var first = got.AsSpan().CommonPrefixLength(region);
            Assert.Fail($"copy of {size} bytes from 0x{source:x} to 0x{destination:x}: first "
                + $"wrong byte at 0x{Base + (ulong)first:x}");
        }
    }

    [Theory]
    [InlineData(100, 0, 3 * 4096)]        // apart
    [InlineData(1, 0, 3 * 4096)]          // destination one above: backward
    [InlineData(0, 1, 3 * 4096)]          // destination one below: forward
    [InlineData(4096, 0, 3 * 4096)]       // a page above, overlapping
    [InlineData(0, 4096, 3 * 4096)]       // a page below, overlapping
    [InlineData(4000, 3, 2 * 4096 + 17)]  // above, misaligned pages
    [InlineData(3, 4000, 2 * 4096 + 17)]  // below, misaligned pages
    [InlineData(7, 7, 2 * 4096)]          // onto itself
    [InlineData(0, 5, 0)]                 // nothing
    public void CopyWalk_must_copy_like_memmove(int destination, int source, int size)
    {
        CheckCopy(new Random(destination ^ source ^ size), 6, Base + (ulong)destination,
            Base + (ulong)source, size, refuse: false);
    }

    [Fact]
    public void CopyWalk_must_copy_like_memmove_over_2000_random_cases()
    {
        const int pages = 6;
        var random = new Random(2024);
        for (var i = 0; i < 2000; i++)
        {
            var size = random.Next(4) == 0 ? random.Next(0, 16) : random.Next(0, 3 * PageBytes);
            var source = random.Next(0, pages * PageBytes - size + 1);
            // Half the cases overlap on purpose.
            var destination = random.Next(2) == 0
                ? random.Next(0, pages * PageBytes - size + 1)
                : Math.Clamp(source + random.Next(-size, size + 1), 0, pages * PageBytes - size);
            CheckCopy(random, pages, Base + (ulong)destination, Base + (ulong)source, size,
                refuse: i % 5 == 0);
        }
    }

    [Fact]
    public void CopyWalk_must_go_backward_when_the_destination_overlaps_from_above()
    {
        var memory = new FakeMemory();
        Assert.Null(memory.Run(new CopyWalk(Base + 8, Base, 3 * PageBytes, AccessGrain.Page)));
        var loads = memory.Chunks.Where(c => !c.Write).Select(c => c.Address).ToList();
        Assert.Equal(loads.OrderByDescending(a => a), loads);
        var forward = new FakeMemory();
        Assert.Null(forward.Run(new CopyWalk(Base, Base + 8, 3 * PageBytes, AccessGrain.Page)));
        var forwardLoads = forward.Chunks.Where(c => !c.Write).Select(c => c.Address).ToList();
        Assert.Equal(forwardLoads.Order(), forwardLoads);
    }

    // ---- huge ranges ----

    /// <summary>
    /// Drives a read walk over memory that is one shared zero page everywhere, allocating nothing.
    /// </summary>
    private static long DriveOverZeroPage(RangeWalk walk, byte[] zero)
    {
        long chunks = 0;
        while (walk.TryCurrent(out var chunk))
        {
            walk.Loaded(zero.AsSpan(FakeMemory.Offset(chunk.Address), chunk.LengthBytes));
            chunks++;
        }
        return chunks;
    }

    [Fact]
    public void RangeWalk_must_cover_a_gibibyte_in_constant_memory()
    {
        // check reads 1 GiB, sum32 a quarter of it (its per-word loop is slow in Debug builds);
        // memory that is one shared zero page everywhere costs the test nothing either.
        const ulong gib = 1UL << 30;
        const ulong quarter = gib / 4;
        var zero = new byte[PageBytes];
        // Warm up (JIT) so what is measured is the walk alone.
        DriveOverZeroPage(new Sum32Walk(Base, 2 * PageBytes, AccessGrain.Page), zero);
        DriveOverZeroPage(new CheckWalk(Base, 2 * PageBytes, new ZeroPattern(), AccessGrain.Page), zero);

        var clock = Stopwatch.StartNew();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var check = new CheckWalk(Base, gib, new ZeroPattern(), AccessGrain.Page);
        var checkChunks = DriveOverZeroPage(check, zero);
        var sum = new Sum32Walk(Base + 2, quarter, AccessGrain.Page);
        var sumChunks = DriveOverZeroPage(sum, zero);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        clock.Stop();

        Assert.Equal(OutcomeKind.Ok, check.Outcome.Kind);
        Assert.Equal(0UL, sum.Outcome.Value);
        Assert.Equal((long)(gib / PageBytes), checkChunks);
        Assert.Equal((long)(quarter / PageBytes) + 1, sumChunks);
        Assert.True(allocated < 1 << 20, $"{allocated} bytes allocated walking 1.25 GiB");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
    }
}
