// Proves the XPC endpoint keeps its channels reliable over a lossy link, as SGI's XPC channels:
// a packet the link drops is sent again until it arrives; a packet the link duplicates is handed
// over once; packets the link reorders (random delays) are handed over in the order they were
// sent; retransmission backs off exponentially up to its cap and no further; acks ride on the
// replies (a request and its reply cost two packets, no retransmission); heartbeats notice a cut
// link (PeerUnreachable to the partition on both sides, the session ended with what it owed,
// nothing carried while disconnected) and the heal (PeerReachable both sides, a new session from
// sequence 1); a short cut only delays; a peer that starts a newer session (a restart) ends ours.
// How: real XpcActors on a sim system (XpcBench: seeded loop, virtual time, deliveries free) with
// recorders for the partitions and receivers; faults are set on the link directly; the trace
// records every packet each endpoint handled. Each failure names the seed.
using Akka.Actor;
using Emulator.Partitions.Xpc;
using Emulator.Protocol.Partitions;
using Xunit;
using static Emulator.Tests.Xpc.XpcBench;

namespace Emulator.Tests.Xpc;

public sealed class XpcActorSpec
{
    private const int Seed = 7;

    /// <summary>No heartbeat within any of these specs unless it asks for one.</summary>
    private static readonly XpcSettings Quiet =
        XpcSettings.Default with { HeartbeatInterval = TimeSpan.FromHours(1) };

    private static readonly TimeSpan Millisecond = TimeSpan.FromMilliseconds(1);

    [Fact]
    public void XpcActor_must_send_a_dropped_packet_again_until_it_arrives()
    {
        using var bench = new XpcBench(Seed, Quiet);
        bench.Link.Drop(1, new LinkDirection(P0, P1));
        bench.Send(0, 1, "lost once");
        bench.Loop.RunUntilIdle();
        Assert.True(bench.MessagesAt(1).Count == 0, $"seed {Seed}: arrived through a full drop");

        bench.Link.Drop(0);
        bench.Loop.Advance(Millisecond);
        Assert.Equal(["lost once"], bench.MessagesAt(1));
        Assert.True(bench.Received[1][0].At == Millisecond,
            $"seed {Seed}: resent at {bench.Received[1][0].At}, not after retransmit-interval");
        bench.Loop.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["lost once"], bench.MessagesAt(1));
        Assert.True(bench.Link.Settled, $"seed {Seed}: the link still owes a message");
    }

    [Fact]
    public void XpcActor_must_hand_over_a_duplicated_packet_once()
    {
        using var bench = new XpcBench(Seed, Quiet);
        bench.Link.Duplicate(1);
        string[] sent = ["a", "b", "c"];
        foreach (var message in sent) bench.Send(0, 1, message);
        bench.Loop.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(sent, bench.MessagesAt(1));
        var copies = bench.PacketsAt<XpcActor.Sequenced>("xpc-p1");
        Assert.True(copies.Count >= 6, $"seed {Seed}: only {copies.Count} copies reached p1");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void XpcActor_must_hand_over_in_the_order_sent_what_the_link_reorders(int seed)
    {
        using var bench = new XpcBench(seed, Quiet);
        bench.Link.Delay(TimeSpan.Zero, TimeSpan.FromMilliseconds(5));
        bench.Link.Drop(0.2);
        bench.Link.Duplicate(0.2);
        var sent = Enumerable.Range(1, 50).Select(i => $"m{i}").ToList();
        foreach (var message in sent) bench.Send(0, 1, message);
        bench.Loop.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(sent, bench.MessagesAt(1));
        var arrivals = bench.PacketsAt<XpcActor.Sequenced>("xpc-p1")
            .Select(p => p.Packet.Sequence).ToList();
        Assert.True(arrivals.Zip(arrivals.Skip(1)).Any(pair => pair.Second < pair.First),
            $"seed {seed}: the link never reordered ({string.Join(",", arrivals)})");
    }

    [Fact]
    public void XpcActor_must_back_off_exponentially_up_to_its_cap()
    {
        using var bench = new XpcBench(Seed, Quiet, silentPeer: true);
        bench.Send(0, 1, "never acked");
        bench.Loop.Advance(TimeSpan.FromMilliseconds(400));

        var times = bench.SilentPeer.Where(p => p.Message is XpcActor.Sequenced)
            .Select(p => p.At.TotalMilliseconds).ToList();
        // Sent at 0, then after 1, 2, 4, ... 64 ms, and every 64 ms after that.
        double[] expected = [0, 1, 3, 7, 15, 31, 63, 127, 191, 255, 319, 383];
        Assert.True(expected.SequenceEqual(times),
            $"seed {Seed}: sent at {string.Join(", ", times)} ms");
        Assert.All(bench.SilentPeer.Select(p => p.Message),
            packet => Assert.Equal(1, Assert.IsType<XpcActor.Sequenced>(packet).Sequence));
    }

    [Fact]
    public void XpcActor_must_let_acks_ride_on_replies()
    {
        using var bench = new XpcBench(Seed, Quiet);
        for (var round = 0; round < 10; round++)
        {
            bench.Send(0, 1, $"request {round}");
            bench.Loop.RunUntilIdle();
            bench.Send(1, 0, $"reply {round}");
            bench.Loop.RunUntilIdle();
        }
        bench.Loop.Advance(TimeSpan.FromSeconds(1));

        var sequenced = bench.PacketsAt<XpcActor.Sequenced>("xpc-p0").Count
            + bench.PacketsAt<XpcActor.Sequenced>("xpc-p1").Count;
        var acks = bench.PacketsAt<XpcActor.Ack>("xpc-p0").Count
            + bench.PacketsAt<XpcActor.Ack>("xpc-p1").Count;
        // 20 messages, 20 packets; only the last reply's ack goes alone.
        Assert.True(sequenced == 20 && acks == 1,
            $"seed {Seed}: {sequenced} sequenced packets and {acks} lone acks for 20 messages");
    }

    [Fact]
    public void XpcActor_must_end_the_session_across_a_long_cut_and_start_a_new_one_at_the_heal()
    {
        var settings = XpcSettings.Default;
        using var bench = new XpcBench(Seed, settings);
        bench.Link.Cut(P0, P1);
        bench.Send(0, 1, "across the cut");
        bench.Loop.Advance(TimeSpan.FromSeconds(1));

        var silence = settings.HeartbeatInterval * settings.MissedHeartbeatsMax;
        foreach (var (side, peer) in new[] { (0, P1), (1, P0) })
        {
            var (at, message) = Assert.Single(bench.Partition[side]);
            Assert.Equal(new Partition.PeerUnreachable(peer), message);
            Assert.True(at == silence, $"seed {Seed}: p{side} gave up on {peer} at {at}");
        }
        var ended = bench.Trace.Events.Select(e => e.Event).OfType<XpcDisconnected>().ToList();
        Assert.Contains(new XpcDisconnected(P0, P1, Epoch: 2, Dropped: 1), ended);
        // Disconnected, the peer is sent beats, nothing else.
        var paused = bench.Trace.Events.Where(e => e.At > silence)
            .Select(e => e.Event).OfType<PacketDropped>()
            .Where(d => d.Packet == nameof(XpcActor.Sequenced)).ToList();
        Assert.True(paused.Count == 0, $"seed {Seed}: {paused.Count} resends to a lost peer");
        bench.Send(0, 1, "while down");
        bench.Loop.RunUntilIdle();
        Assert.Contains(bench.Trace.Events.Select(e => e.Event).OfType<CarryRefused>(),
            refused => refused.To == P1);

        bench.Link.Heal(P0, P1);
        bench.Loop.Advance(settings.HeartbeatInterval * 2);
        foreach (var (side, peer) in new[] { (0, P1), (1, P0) })
        {
            Assert.Equal(new Partition.PeerReachable(peer), bench.Partition[side][^1].Message);
        }
        // What the ended session owed died with it (its senders fail their requests).
        Assert.Empty(bench.MessagesAt(1));
        Assert.True(bench.Link.Settled, $"seed {Seed}: the link still owes a message");

        bench.Send(0, 1, "next session");
        bench.Loop.Advance(settings.HeartbeatInterval);
        Assert.Equal(["next session"], bench.MessagesAt(1));
        var resumed = bench.PacketsAt<XpcActor.Sequenced>("xpc-p1").Select(p => p.Packet).Last();
        Assert.True(resumed is { Epoch: 2, Sequence: 1 }, $"seed {Seed}: {resumed}");
    }

    [Fact]
    public void XpcActor_must_hand_over_what_a_short_cut_held_up()
    {
        var settings = XpcSettings.Default;
        using var bench = new XpcBench(Seed, settings);
        bench.Link.Cut(P0, P1);
        bench.Send(0, 1, "across a short cut");
        bench.Loop.Advance(settings.HeartbeatInterval * (settings.MissedHeartbeatsMax - 2));
        bench.Link.Heal(P0, P1);
        bench.Loop.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(["across a short cut"], bench.MessagesAt(1));
        Assert.All(bench.Partition, told => Assert.Empty(told));
    }

    [Fact]
    public void XpcActor_must_end_its_session_when_the_peer_starts_a_newer_one()
    {
        using var bench = new XpcBench(Seed, XpcSettings.Default);
        bench.Send(0, 1, "first");
        bench.Loop.RunUntilIdle();
        // Partition 1 booted again: its endpoint starts session 2, and 0 hears it at its beat.
        bench.Wiring.XpcOf(P1).Tell(new XpcActor.Restart(), ActorRefs.NoSender);
        bench.Loop.Advance(TimeSpan.FromMilliseconds(200));

        Assert.Equal(new Partition.PeerUnreachable(P1), bench.Partition[0][0].Message);
        Assert.Equal(new Partition.PeerReachable(P1), bench.Partition[0][^1].Message);
        Assert.Equal(new Partition.PeerReachable(P0), Assert.Single(bench.Partition[1]).Message);
        bench.Send(0, 1, "second");
        bench.Loop.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(["first", "second"], bench.MessagesAt(1));
    }

    [Fact]
    public void XpcActor_must_keep_a_peer_reachable_while_it_beats()
    {
        using var bench = new XpcBench(Seed, XpcSettings.Default, partitions: 3);
        bench.Loop.Advance(TimeSpan.FromSeconds(10));

        Assert.All(bench.Partition, told => Assert.Empty(told));
        var beats = bench.PacketsAt<XpcActor.Heartbeat>("xpc-p0").Count;
        // Two peers, one beat each per 50 ms.
        Assert.True(beats == 400, $"seed {Seed}: p0 heard {beats} beats in 10 s");
    }
}
