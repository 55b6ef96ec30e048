// Proves the plain state behind each XPC channel: the sender's half numbers messages from 1,
// forgets what a cumulative ack covers (and nothing else), and backs off 1, 2, 4, ... up to its
// cap, starting over when an ack makes progress; the receiver's half hands each message over
// once and in order, whatever order and however many copies arrive (every permutation of six
// messages with duplicates, and seeded shuffles of 200); a peer watch counts silent heartbeat
// intervals and turns unreachable at the limit, reachable at the first word.
// How: the classes alone, no actors. Shuffles name their seed.
using Emulator.Partitions;
using Emulator.Partitions.Xpc;
using Emulator.Protocol.Ids;
using Xunit;

namespace Emulator.Tests.Xpc;

public sealed class XpcChannelsSpec
{
    private static readonly PartitionId P0 = new(0);
    private static readonly Endpoint To = new(new PartitionId(1), Akka.Actor.ActorRefs.Nobody);

    [Fact]
    public void OutboundChannel_must_number_from_one_and_forget_only_what_is_acknowledged()
    {
        var channel = new OutboundChannel(XpcSettings.Default);
        var sent = Enumerable.Range(0, 5).Select(i => channel.Accept(P0, 1, To, $"m{i}", 0)).ToList();
        Assert.Equal([1L, 2, 3, 4, 5], sent.Select(p => p.Sequence));

        Assert.False(channel.Acknowledge(0));
        Assert.True(channel.Acknowledge(3));
        Assert.Equal([4L, 5], channel.Unacknowledged.Select(p => p.Sequence));
        Assert.False(channel.Acknowledge(2));
        Assert.True(channel.Acknowledge(5));
        Assert.False(channel.HasUnacknowledged);
        Assert.Throws<InvariantException>(() => channel.Acknowledge(6));
    }

    [Fact]
    public void OutboundChannel_must_back_off_up_to_its_cap_and_start_over_on_progress()
    {
        var settings = XpcSettings.Default;
        var channel = new OutboundChannel(settings);
        channel.Accept(P0, 1, To, "m", 0);
        Assert.Equal(settings.RetransmitInterval, channel.Backoff);
        var waits = Enumerable.Range(0, 9).Select(_ => channel.BackOff().TotalMilliseconds);
        Assert.Equal([2.0, 4, 8, 16, 32, 64, 64, 64, 64], waits);

        channel.Accept(P0, 1, To, "n", 0);
        channel.Acknowledge(1);
        Assert.Equal(settings.RetransmitInterval, channel.Backoff);
        channel.BackOff();
        channel.Reset();
        Assert.Equal(settings.RetransmitInterval, channel.Backoff);
        Assert.False(channel.HasUnacknowledged);
        Assert.Equal(1, channel.Accept(P0, 2, To, "o", 0).Sequence);
    }

    [Fact]
    public void InboundChannel_must_hand_over_every_permutation_once_in_order()
    {
        var packets = Enumerable.Range(1, 6).Select(Packet).ToList();
        foreach (var order in Permutations(packets))
        {
            // Each packet comes twice: once in the permuted order, once again right after.
            var arrivals = order.SelectMany(p => new[] { p, p }).ToList();
            Assert.Equal([1L, 2, 3, 4, 5, 6], HandedOver(arrivals));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void InboundChannel_must_hand_over_a_shuffled_stream_once_in_order(int seed)
    {
        var random = new Random(seed);
        var arrivals = Enumerable.Range(1, 200).Select(Packet)
            .SelectMany(p => random.Next(3) == 0 ? new[] { p, p } : [p])
            .OrderBy(_ => random.Next()).ToList();
        var handed = HandedOver(arrivals);
        Assert.True(handed.SequenceEqual(Enumerable.Range(1, 200).Select(i => (long)i)),
            $"seed {seed}: handed over {string.Join(",", handed)}");
    }

    [Fact]
    public void PeerConnection_must_end_the_session_after_silent_intervals_and_start_the_next_one()
    {
        var peer = new PeerConnection(missedMax: 3);
        Assert.False(peer.Tick());
        Assert.Equal(Hearing.Current, peer.Hear(1));
        Assert.False(peer.Tick());   // heard during the interval: not missed
        Assert.False(peer.Tick());
        Assert.False(peer.Tick());
        Assert.True(peer.Connected);
        Assert.True(peer.Tick());    // the third silent interval in a row
        Assert.False(peer.Connected);
        Assert.Equal(2, peer.Epoch);
        Assert.False(peer.Tick());   // said once

        Assert.Equal(Hearing.Stale, peer.Hear(1));   // the peer still speaks the old session
        Assert.Equal(Hearing.Stale, peer.Hear(2));   // not torn down yet: not joined
        peer.TornDown();
        Assert.Equal(Hearing.Reconnected, peer.Hear(2));
        Assert.True(peer.Connected);
        Assert.Equal(Hearing.Current, peer.Hear(2));
        Assert.Equal(Hearing.Stale, peer.Hear(1));   // a late packet of the ended session
    }

    [Fact]
    public void PeerConnection_must_end_its_session_when_the_peer_starts_a_newer_one()
    {
        var peer = new PeerConnection(missedMax: 3);
        Assert.Equal(Hearing.Superseded, peer.Hear(3));
        Assert.False(peer.Connected);
        Assert.Equal(3, peer.Epoch);
        peer.TornDown();
        Assert.Equal(Hearing.Reconnected, peer.Hear(3));

        peer.Restart();             // our side booted again: nothing to tear down
        Assert.Equal(4, peer.Epoch);
        Assert.Equal(Hearing.Stale, peer.Hear(3));
        Assert.Equal(Hearing.Reconnected, peer.Hear(5));   // the peer went further: we follow
        Assert.Equal(5, peer.Epoch);
    }

    private static XpcActor.Sequenced Packet(int sequence) =>
        new(P0, 1, sequence, 0, To, $"m{sequence}");

    private static List<long> HandedOver(IEnumerable<XpcActor.Sequenced> arrivals)
    {
        var channel = new InboundChannel();
        var handed = arrivals.SelectMany(channel.Receive).Select(p => p.Sequence).ToList();
        Assert.Equal(0, channel.EarlyCount);
        Assert.Equal(handed.Count, channel.Delivered);
        return handed;
    }

    private static IEnumerable<List<T>> Permutations<T>(List<T> items)
    {
        if (items.Count <= 1)
        {
            yield return items;
            yield break;
        }
        for (var i = 0; i < items.Count; i++)
        {
            var rest = items.Where((_, j) => j != i).ToList();
            foreach (var tail in Permutations(rest)) yield return [items[i], .. tail];
        }
    }
}
