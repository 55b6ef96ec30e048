// Proves what live mode needs of pages shared by actors on several threads: a page's bytes never
// tear (a reader on one thread always sees a whole store of another), and when both sharers of a
// copy-on-write page break it at the same moment, one copies and the last one keeps the frame:
// no page left with no sharer, no frame leaked from the budget. Two threads start together at a
// barrier and race for many rounds; nothing sleeps.
using Emulator.Partitions.Memory;
using Xunit;

namespace Emulator.Tests.Memory;

public sealed class PageThreadsSpec
{
    private const int Rounds = 20_000;

    [Fact]
    public async Task Page_must_never_tear_a_store_seen_by_a_load_on_another_thread()
    {
        var page = new Page(1);
        var start = new Barrier(2);
        var torn = 0;
        var readsLeft = Rounds;
        // The writer stores for as long as the reader loads, so every load overlaps stores.
        var writer = Task.Run(() =>
        {
            var ones = Enumerable.Repeat((byte)0x11, Page.SizeBytes).ToArray();
            var twos = Enumerable.Repeat((byte)0x22, Page.SizeBytes).ToArray();
            start.SignalAndWait();
            for (var round = 0; Volatile.Read(ref readsLeft) > 0; round++)
                page.Write(0, round % 2 == 0 ? ones : twos);
        });
        var reader = Task.Run(() =>
        {
            start.SignalAndWait();
            for (; readsLeft > 0; Interlocked.Decrement(ref readsLeft))
            {
                var bytes = page.Read(0, Page.SizeBytes);
                if (bytes.AsSpan().ContainsAnyExcept(bytes[0])) Interlocked.Increment(ref torn);
            }
        });
        await Task.WhenAll(writer, reader).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(0, torn);
    }

    [Fact]
    public async Task AddressSpace_must_break_copy_on_write_once_when_both_sharers_break_at_once()
    {
        // Each trial forks afresh and races the two sharers over every page.
        for (var trial = 0; trial < 20; trial++) await CopyOnWriteRace();
    }

    private static async Task CopyOnWriteRace()
    {
        const int pages = 256;
        var frames = new FrameCounter();
        var parent = new AddressSpace(frames);
        for (var number = 0UL; number < pages; number++)
            parent.PageForWrite(number << 12).Bytes[0] = (byte)number;
        var child = parent.ForkCopy();
        Assert.Equal(pages, frames.Live);

        var start = new Barrier(2);
        var breakers = new[] { parent, child }.Select(space => Task.Run(() =>
        {
            start.SignalAndWait();
            var written = new Page[pages];
            for (var number = 0UL; number < pages; number++)
                written[number] = space.PageForWrite(number << 12);
            return written;
        })).ToArray();
        var results = await Task.WhenAll(breakers).WaitAsync(TimeSpan.FromMinutes(1));

        // Each page now has two frames, one per process, each with one sharer; none leaked.
        Assert.Equal(2 * pages, frames.Live);
        for (var number = 0; number < pages; number++)
        {
            var (mine, theirs) = (results[0][number], results[1][number]);
            Assert.NotSame(mine, theirs);
            Assert.Equal(1, mine.Sharers);
            Assert.Equal(1, theirs.Sharers);
            Assert.Equal((byte)number, mine.Bytes[0]);
            Assert.Equal((byte)number, theirs.Bytes[0]);
        }
    }
}
