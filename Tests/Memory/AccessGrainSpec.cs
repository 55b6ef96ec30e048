// Proves how range operations split into grain units, with pure functions and walks over a fake
// memory: a unit ends at the next boundary aligned to its size (4, 128 or 4096 bytes) and so never
// crosses a page; every range walk's chunks stay inside one unit of its grain, and a run alone
// leaves the same bytes and outcome at every grain (the grain changes what others may see
// between units, never what one operation does); fill and check take one chunk per unit; add32
// and copy load a unit and store it as two chunks, unit after unit; a word of add32 that
// straddles two units is loaded whole before any of it is stored. The setting's words are exactly
// word, line and page.
using System.Buffers.Binary;
using Emulator.Partitions.Memory;
using Emulator.Protocol;
using Emulator.Protocol.Processes;
using Xunit;

namespace Emulator.Tests.Memory;

public sealed class AccessGrainSpec
{
    private const ulong Base = 0x40000000;
    private const int PageBytes = FakeMemory.PageBytes;

    public static TheoryData<AccessGrain> Grains =>
        [AccessGrain.Word, AccessGrain.Line, AccessGrain.Page];

    [Fact]
    public void AccessGrain_must_name_word_line_and_page_by_their_bytes()
    {
        Assert.Equal(4, AccessGrain.Word.Bytes());
        Assert.Equal(128, AccessGrain.Line.Bytes());
        Assert.Equal(4096, AccessGrain.Page.Bytes());
        Assert.Equal(AccessGrain.Word, AccessGrains.Parse("word"));
        Assert.Equal(AccessGrain.Line, AccessGrains.Parse("line"));
        Assert.Equal(AccessGrain.Page, AccessGrains.Parse("page"));
        Assert.Null(AccessGrains.Parse("Line"));
        Assert.Null(AccessGrains.Parse("128"));
        Assert.Null(AccessGrains.Parse(""));
    }

    [Theory]
    [InlineData(0x1000, AccessGrain.Word, 4)]
    [InlineData(0x1001, AccessGrain.Word, 3)]
    [InlineData(0x1003, AccessGrain.Word, 1)]
    [InlineData(0x1000, AccessGrain.Line, 128)]
    [InlineData(0x107f, AccessGrain.Line, 1)]
    [InlineData(0x1082, AccessGrain.Line, 126)]
    [InlineData(0x1000, AccessGrain.Page, 4096)]
    [InlineData(0x1ffc, AccessGrain.Page, 4)]
    public void ToUnitEnd_must_end_a_unit_at_the_next_boundary_of_its_size(ulong address,
        AccessGrain grain, ulong expected)
    {
        Assert.Equal(expected, AccessGrains.ToUnitEnd(address, grain));
    }

    [Theory]
    [MemberData(nameof(Grains))]
    public void A_unit_must_never_cross_a_page_going_up_or_down(AccessGrain grain)
    {
        var random = new Random(grain.Bytes());
        for (var i = 0; i < 10_000; i++)
        {
            var address = (ulong)random.NextInt64(1, long.MaxValue);
            var up = AccessGrains.ToUnitEnd(address, grain);
            var toPage = Xpmem.PageSize - (address % Xpmem.PageSize);
            Assert.InRange(up, 1UL, (ulong)grain.Bytes());
            Assert.True(up <= toPage, $"0x{address:x}: {up} bytes up crosses a page");
            Assert.Equal(0UL, (address + up) % (ulong)grain.Bytes());
            var down = AccessGrains.FromUnitStart(address, grain);
            Assert.InRange(down, 1UL, (ulong)grain.Bytes());
            Assert.Equal(0UL, (address - down) % (ulong)grain.Bytes());
            Assert.Equal((address - 1) / Xpmem.PageSize, (address - down) / Xpmem.PageSize);
        }
    }

    [Theory]
    [MemberData(nameof(Grains))]
    public void Range_walks_must_stay_inside_a_unit_and_end_as_they_do_at_page_grain(
        AccessGrain grain)
    {
        // The same random calls on two fake memories, one walked at this grain, one at page
        // grain: every chunk inside its unit, the same bytes and outcomes at the end.
        var random = new Random(11 * grain.Bytes());
        var fine = new FakeMemory { Grain = grain };
        var coarse = new FakeMemory();
        var start = new byte[8 * PageBytes];
        random.NextBytes(start);
        fine.Write(Base, start);
        coarse.Write(Base, start);
        ulong Somewhere(ulong size) =>
            Base + (ulong)random.NextInt64(0, (long)(8 * (ulong)PageBytes - size + 1));
        for (var step = 0; step < 300; step++)
        {
            var size = (ulong)random.Next(0, 3 * PageBytes);
            Call call = random.Next(5) switch
            {
                0 => new FillCall(Somewhere(size), size, new Lfsr32Pattern((uint)step)),
                1 => new CheckCall(Somewhere(size), size, new Index32Pattern(0)),
                2 => new Add32Call(Somewhere(size), size, (uint)random.Next()),
                3 => new Sum32Call(Somewhere(size), size),
                _ => new CopyCall(Somewhere(size), Somewhere(size), size),
            };
            var atGrain = RangeWalk.For(call, grain)!;
            var atPage = RangeWalk.For(call, AccessGrain.Page)!;
            Assert.Null(fine.Run(atGrain));
            Assert.Null(coarse.Run(atPage));
            Assert.True(atPage.Outcome == atGrain.Outcome, $"step {step}: {call}");
        }
        Assert.Equal(coarse.Read(Base, 8 * PageBytes), fine.Read(Base, 8 * PageBytes));
    }

    [Theory]
    [InlineData(AccessGrain.Word, 1024)]
    [InlineData(AccessGrain.Line, 32)]
    [InlineData(AccessGrain.Page, 1)]
    public void Fill_and_check_must_take_one_chunk_per_unit(AccessGrain grain, int units)
    {
        var memory = new FakeMemory { Grain = grain };
        Assert.Null(memory.Run(new FillWalk(Base, PageBytes, new Index32Pattern(3), grain)));
        Assert.Equal(units, memory.Chunks.Count);
        Assert.All(memory.Chunks, c => Assert.Equal(grain.Bytes(), c.LengthBytes));
        memory.Chunks.Clear();
        var check = new CheckWalk(Base, PageBytes, new Index32Pattern(3), grain);
        Assert.Null(memory.Run(check));
        Assert.Equal(Outcome.Ok(), check.Outcome);
        Assert.Equal(units, memory.Chunks.Count);
    }

    [Fact]
    public void Fill_must_start_and_end_an_unaligned_range_with_part_units()
    {
        var memory = new FakeMemory { Grain = AccessGrain.Line };
        Assert.Null(memory.Run(new FillWalk(Base + 100, 300, new BytePattern(1),
            AccessGrain.Line)));
        Assert.Equal([28, 128, 128, 16], memory.Chunks.Select(c => c.LengthBytes));
    }

    [Theory]
    [MemberData(nameof(Grains))]
    public void Add32_must_load_a_unit_then_store_it_as_two_chunks_unit_after_unit(
        AccessGrain grain)
    {
        var memory = new FakeMemory { Grain = grain };
        Assert.Null(memory.Run(new Add32Walk(Base, 2 * PageBytes, 1, grain)));
        var unit = grain.Bytes();
        var expected = Enumerable.Range(0, 2 * PageBytes / unit).SelectMany(i => new[]
        {
            new Chunk(Base + (ulong)(i * unit), unit, Write: false),
            new Chunk(Base + (ulong)(i * unit), unit, Write: true),
        });
        Assert.Equal(expected, memory.Chunks);
        var words = memory.Read(Base, 2 * PageBytes);
        for (var i = 0; i < words.Length; i += 4)
            Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(words.AsSpan(i)));
    }

    [Fact]
    public void Add32_must_load_a_word_that_straddles_two_units_whole_before_storing_it()
    {
        // Two bytes before a line boundary: the word across it goes alone, both halves loaded
        // before either is stored; the words around it go as their unit's share.
        var memory = new FakeMemory { Grain = AccessGrain.Line };
        memory.Write(Base + 118, new byte[20]);
        Assert.Null(memory.Run(new Add32Walk(Base + 118, 20, 7, AccessGrain.Line)));
        var edge = Base + 128;
        Assert.Equal(
        [
            new Chunk(edge - 10, 8, false), new Chunk(edge - 10, 8, true),
            new Chunk(edge - 2, 2, false), new Chunk(edge, 2, false),
            new Chunk(edge - 2, 2, true), new Chunk(edge, 2, true),
            new Chunk(edge + 2, 8, false), new Chunk(edge + 2, 8, true),
        ], memory.Chunks);
        var words = memory.Read(Base + 118, 20);
        for (var i = 0; i < 20; i += 4)
            Assert.Equal(7u, BinaryPrimitives.ReadUInt32LittleEndian(words.AsSpan(i)));
    }

    [Theory]
    [MemberData(nameof(Grains))]
    public void Copy_must_go_a_unit_at_a_time_from_the_end_when_it_overlaps_from_above(
        AccessGrain grain)
    {
        var memory = new FakeMemory { Grain = grain };
        var bytes = new byte[3 * PageBytes];
        new Random(5).NextBytes(bytes);
        memory.Write(Base, bytes);
        Assert.Null(memory.Run(new CopyWalk(Base + 6, Base, 2 * PageBytes, grain)));
        Array.Copy(bytes, 0, bytes, 6, 2 * PageBytes);
        Assert.Equal(bytes, memory.Read(Base, 3 * PageBytes));
        var loads = memory.Chunks.Where(c => !c.Write).Select(c => c.Address).ToList();
        Assert.Equal(loads.OrderByDescending(a => a), loads);
        // Each unit's load is followed by its store before the next unit is loaded.
        for (var i = 0; i + 1 < memory.Chunks.Count; i += 2)
        {
            Assert.False(memory.Chunks[i].Write);
            Assert.True(memory.Chunks[i + 1].Write);
            Assert.Equal(memory.Chunks[i].LengthBytes, memory.Chunks[i + 1].LengthBytes);
        }
    }
}
