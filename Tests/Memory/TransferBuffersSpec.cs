// Proves the machine's arrays for remote loads and stores: a page-sized array given back is what
// the next page-sized take hands out (a remote load's Page.Read then fills every byte of it);
// other sizes are never kept; no more than KeptMax are kept; and arrays taken from many threads
// at once are never handed to two takers. That nobody reads an array once it is given back is
// the owner's side (SegmentActor gives back a remote store's bytes once moved in, and not in a
// traced run: LossyLinksSpec's duplicate packets show the bytes they were sent with).
using System.Collections.Concurrent;
using Emulator.Partitions.Memory;
using Xunit;

namespace Emulator.Tests.Memory;

public sealed class TransferBuffersSpec
{
    [Fact]
    public void TransferBuffers_must_hand_a_page_sized_array_given_back_out_again()
    {
        var buffers = new TransferBuffers();
        var first = buffers.Take(Page.SizeBytes);
        buffers.Return(first);
        Assert.Same(first, buffers.Take(Page.SizeBytes));
        Assert.Equal(1, buffers.Reused);
        Assert.NotSame(first, buffers.Take(Page.SizeBytes));
    }

    [Fact]
    public void TransferBuffers_must_keep_no_other_size_and_no_more_than_its_most()
    {
        var buffers = new TransferBuffers();
        var line = buffers.Take(128);
        Assert.Equal(128, line.Length);
        buffers.Return(line);
        Assert.NotSame(line, buffers.Take(128));
        for (var i = 0; i < TransferBuffers.KeptMax + 10; i++)
            buffers.Return(new byte[Page.SizeBytes]);
        for (var i = 0; i < TransferBuffers.KeptMax + 10; i++) buffers.Take(Page.SizeBytes);
        Assert.Equal(TransferBuffers.KeptMax, buffers.Reused);
    }

    [Fact]
    public void Page_must_read_into_an_array_its_machine_got_back()
    {
        var store = new FrameStore();
        var page = new Page(1, store);
        page.Bytes.Fill(7);
        var sent = page.Read(0, Page.SizeBytes);
        sent.AsSpan().Fill(9);
        page.Write(0, sent);
        page.Recycle(sent);
        page.Bytes[5] = 8;
        var again = page.Read(0, Page.SizeBytes);
        Assert.Same(sent, again);
        Assert.Equal(8, again[5]);
        Assert.True(again.AsSpan(6).IndexOfAnyExcept((byte)9) < 0,
            "a reused array's bytes are not the page's");
    }

    [Fact]
    public void TransferBuffers_must_never_hand_one_array_to_two_takers_at_once()
    {
        var buffers = new TransferBuffers();
        var held = new ConcurrentDictionary<byte[], bool>(ReferenceEqualityComparer.Instance);
        var twice = 0;
        Parallel.For(0, 4, _ =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                var bytes = buffers.Take(Page.SizeBytes);
                if (!held.TryAdd(bytes, true)) Interlocked.Increment(ref twice);
                held.TryRemove(bytes, out var _);
                buffers.Return(bytes);
            }
        });
        Assert.Equal(0, twice);
        Assert.True(buffers.Reused > 0);
    }
}
