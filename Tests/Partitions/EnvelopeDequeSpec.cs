// Proves a mailbox's envelope deque keeps order through growth and wraparound, puts an unstashed
// envelope ahead of the rest, and loses nothing when several threads tell at once.
using Akka.Actor;
using Emulator.Partitions;
using Xunit;

namespace Emulator.Tests.Partitions;

public sealed class EnvelopeDequeSpec
{
    private static Envelope Of(int value) => new(value, ActorRefs.NoSender);

    private static List<int> Drain(EnvelopeDeque deque)
    {
        var taken = new List<int>();
        while (deque.TryDequeue(out var envelope)) taken.Add((int)envelope.Message);
        return taken;
    }

    [Fact]
    public void EnvelopeDeque_must_keep_order_through_growth_and_wraparound()
    {
        var deque = new EnvelopeDeque();
        var expected = new Queue<int>();
        var next = 0;
        // Take some out as we go, so the ring's head wraps before and after each growth.
        for (var round = 0; round < 200; round++)
        {
            for (var add = 0; add < 3; add++)
            {
                deque.Enqueue(Of(next));
                expected.Enqueue(next++);
            }
            Assert.True(deque.TryDequeue(out var envelope));
            Assert.Equal(expected.Dequeue(), (int)envelope.Message);
        }
        Assert.Equal(expected.Count, deque.Count);
        Assert.Equal(expected, Drain(deque));
        Assert.False(deque.TryDequeue(out _));
        Assert.Equal(0, deque.Count);
    }

    [Fact]
    public void EnvelopeDeque_must_put_what_is_enqueued_first_ahead_of_the_rest()
    {
        var deque = new EnvelopeDeque();
        for (var value = 10; value < 16; value++) deque.Enqueue(Of(value));
        deque.TryDequeue(out _);
        // As Stash unstashes: the last one put first comes out first.
        for (var value = 3; value >= 0; value--) deque.EnqueueFirst(Of(value));
        Assert.Equal([0, 1, 2, 3, 11, 12, 13, 14, 15], Drain(deque));
    }

    [Theory]
    [InlineData(false)] // sim's: the spin gate
    [InlineData(true)] // live's: a lock
    public void EnvelopeDeque_must_lose_nothing_when_threads_tell_at_once(bool contended)
    {
        const int Threads = 4;
        const int Each = 20_000;
        var deque = new EnvelopeDeque(contended);
        var taken = new List<int>();
        var tellers = Enumerable.Range(0, Threads).Select(thread => Task.Run(() =>
        {
            for (var index = 0; index < Each; index++) deque.Enqueue(Of(thread * Each + index));
        })).ToArray();
        while (!tellers.All(teller => teller.IsCompleted) || deque.Count > 0)
        {
            if (deque.TryDequeue(out var envelope)) taken.Add((int)envelope.Message);
        }
        Assert.Equal(Threads * Each, taken.Count);
        for (var thread = 0; thread < Threads; thread++)
        {
            // Each teller's envelopes come out in the order it told them.
            var mine = taken.Where(value => value / Each == thread).ToList();
            Assert.Equal(Enumerable.Range(thread * Each, Each), mine);
        }
    }
}
