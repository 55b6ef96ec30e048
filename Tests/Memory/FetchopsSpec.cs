// Proves the fetchops' semantics as pure functions and on a page: fetch-add32 adds mod 2^32,
// swap32 stores its value, cas32 stores only when the word held the expected value; each gives
// the word before and touches no other byte; only 4-byte aligned addresses are aligned. On a page
// shared by threads (live), fetch-adds from two threads at once never lose one: the load and the
// store are one hold of the gate (two threads start together at a barrier; nothing sleeps).
using System.Buffers.Binary;
using Emulator.Partitions.Memory;
using Emulator.Protocol.Processes;
using Xunit;

namespace Emulator.Tests.Memory;

public sealed class FetchopsSpec
{
    [Theory]
    [InlineData(5u, 3u, 8u)]
    [InlineData(0xffffffffu, 2u, 1u)]
    [InlineData(7u, 0xffffffffu, 6u)]
    public void FetchAdd32_must_add_modulo_two_to_the_32(uint old, uint k, uint stored)
    {
        Assert.Equal(stored, Fetchops.Apply(new FetchAdd32Call(0, k), old));
    }

    [Fact]
    public void Cas32_must_store_only_over_the_expected_word()
    {
        Assert.Equal(9u, Fetchops.Apply(new Cas32Call(0, Expected: 4, New: 9), 4));
        Assert.Equal(5u, Fetchops.Apply(new Cas32Call(0, Expected: 4, New: 9), 5));
        Assert.Equal(0u, Fetchops.Apply(new Cas32Call(0, Expected: 0xffffffff, New: 0), 0xffffffff));
    }

    [Fact]
    public void Swap32_must_store_its_word_whatever_was_there()
    {
        Assert.Equal(3u, Fetchops.Apply(new Swap32Call(0, 3), 0));
        Assert.Equal(3u, Fetchops.Apply(new Swap32Call(0, 3), 3));
    }

    [Theory]
    [InlineData(0x1000UL, true)]
    [InlineData(0x1004UL, true)]
    [InlineData(0x1ffcUL, true)]
    [InlineData(0x1001UL, false)]
    [InlineData(0x1002UL, false)]
    [InlineData(0x1ffeUL, false)]
    public void Fetchops_must_take_only_4_byte_aligned_addresses(ulong address, bool aligned)
    {
        Assert.Equal(aligned, Fetchops.Aligned(address));
    }

    [Fact]
    public void Page_fetchop_must_give_the_word_before_and_change_only_that_word()
    {
        var page = new Page(1);
        page.Bytes.Fill(0xAA);
        BinaryPrimitives.WriteUInt32LittleEndian(page.Bytes[8..], 41);

        Assert.Equal(41u, page.Fetchop(8, new FetchAdd32Call(8, 1)));
        Assert.Equal(42u, page.Fetchop(8, new Cas32Call(8, Expected: 7, New: 0)));
        Assert.Equal(42u, page.Fetchop(8, new Cas32Call(8, Expected: 42, New: 100)));
        Assert.Equal(100u, page.Fetchop(8, new Swap32Call(8, 0x01020304)));

        Assert.Equal(0x01020304u, BinaryPrimitives.ReadUInt32LittleEndian(page.Bytes[8..]));
        Assert.All(page.Bytes[..8].ToArray(), b => Assert.Equal(0xAA, b));
        Assert.All(page.Bytes[12..].ToArray(), b => Assert.Equal(0xAA, b));
    }

    [Fact]
    public void FetchopWalk_must_move_one_word_in_one_chunk_and_end_with_the_word_before()
    {
        var memory = new FakeMemory { Grain = AccessGrain.Word };
        memory.Write(0x40000ffc, [1, 0, 0, 0]);
        var walk = RangeWalk.For(new FetchAdd32Call(0x40000ffc, 10), AccessGrain.Line)!;
        Assert.Null(memory.Run(walk));
        Assert.Equal([new Chunk(0x40000ffc, 4, Write: true)], memory.Chunks);
        Assert.Equal(1UL, walk.Outcome.Value);
        Assert.Equal(new byte[] { 11, 0, 0, 0 }, memory.Read(0x40000ffc, 4));
        Assert.False(walk.TryCurrent(out _));
    }

    [Fact]
    public async Task Page_fetchops_on_two_threads_at_once_must_never_lose_an_update()
    {
        const int adds = 50_000;
        var page = new Page(1);
        var start = new Barrier(2);
        var olds = new[] { new List<uint>(adds), new List<uint>(adds) };
        var threads = olds.Select(seen => Task.Run(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < adds; i++) seen.Add(page.Fetchop(64, new FetchAdd32Call(64, 1)));
        })).ToArray();
        await Task.WhenAll(threads).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(2u * adds, BinaryPrimitives.ReadUInt32LittleEndian(page.Bytes[64..]));
        // Each old value was handed out once: no two fetch-adds read the same word.
        Assert.Equal(Enumerable.Range(0, 2 * adds).Select(i => (uint)i),
            olds.SelectMany(o => o).Order());
    }
}
