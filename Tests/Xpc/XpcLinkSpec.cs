// Proves the link's faults do what the fault commands say: without faults every packet arrives
// once and at once, and no random number is drawn (a run without faults is the run it was);
// drop and duplicate rates hold over many packets; delays fall within their range; a direction
// set alone wins over every link's value until the next every-link command ends it; a cut link
// carries nothing either way until healed, and heal leaves loss in place; the same seed gives the
// same fates; the link is settled when everything accepted was handed over, or waits on a link
// that carries nothing.
// How: the plain XpcLink, no actors; rates over 10,000 packets of a named seed.
using Emulator.Partitions.Xpc;
using Emulator.Protocol.Ids;
using Xunit;

namespace Emulator.Tests.Xpc;

public sealed class XpcLinkSpec
{
    private const int Seed = 11;
    private const int Packets = 10_000;
    private static readonly PartitionId P0 = new(0);
    private static readonly PartitionId P1 = new(1);
    private static readonly PartitionId P2 = new(2);
    private static readonly LinkDirection Out = new(P0, P1);
    private static readonly LinkDirection Back = new(P1, P0);

    [Fact]
    public void XpcLink_must_deliver_everything_at_once_without_faults_and_draw_nothing()
    {
        var link = new XpcLink(Seed);
        Assert.All(Enumerable.Range(0, 100), _ => Assert.Same(PacketFate.Delivered, link.Decide(Out)));
        link.Drop(0.5);
        link.Drop(0);
        Assert.Same(PacketFate.Delivered, link.Decide(Out));

        // Nothing drawn: the first lossy fate is the one a fresh link of the seed gives.
        var fresh = new XpcLink(Seed);
        link.Drop(0.5);
        fresh.Drop(0.5);
        Assert.Equal(Fates(fresh, Out, 100), Fates(link, Out, 100));
    }

    [Fact]
    public void XpcLink_must_apply_each_fault_set_alone_on_a_fresh_link()
    {
        // A link without faults decides without its lock: each setter must end that.
        Assert.Equal(1, Set(link => link.Drop(1)).Decide(Out).Lost);
        Assert.True(Set(link => link.Duplicate(1)).Decide(Out).Duplicated);
        var delay = TimeSpan.FromMilliseconds(1);
        var delayed = Set(link => link.Delay(delay, delay)).Decide(Out);
        Assert.Equal(delay, Assert.Single(delayed.Arrivals));
        Assert.Same(PacketFate.CutOff, Set(link => link.Cut(P0, P1)).Decide(Out));
        Assert.Same(PacketFate.Delivered, Set(link =>
        {
            link.Cut(P0, P1);
            link.Heal(P0, P1);
        }).Decide(Out));

        static XpcLink Set(Action<XpcLink> fault)
        {
            var link = new XpcLink(Seed);
            fault(link);
            return link;
        }
    }

    [Fact]
    public void XpcLink_must_drop_and_duplicate_at_their_rates()
    {
        var link = new XpcLink(Seed);
        link.Drop(0.3);
        link.Duplicate(0.2);
        var fates = Enumerable.Range(0, Packets).Select(_ => link.Decide(Out)).ToList();
        var copies = fates.Sum(f => f.Arrivals.Count + f.Lost);
        var lost = fates.Sum(f => f.Lost) / (double)copies;
        var duplicated = fates.Count(f => f.Duplicated) / (double)Packets;
        Assert.True(Math.Abs(lost - 0.3) < 0.02, $"seed {Seed}: {lost:P1} of copies lost");
        Assert.True(Math.Abs(duplicated - 0.2) < 0.02, $"seed {Seed}: {duplicated:P1} duplicated");
        Assert.All(fates, f => Assert.Equal(f.Duplicated ? 2 : 1, f.Arrivals.Count + f.Lost));
    }

    [Fact]
    public void XpcLink_must_delay_within_the_range()
    {
        var link = new XpcLink(Seed);
        var (min, max) = (TimeSpan.FromMicroseconds(10), TimeSpan.FromMilliseconds(2));
        link.Delay(min, max);
        var delays = Enumerable.Range(0, Packets).Select(_ => Assert.Single(link.Decide(Out).Arrivals)).ToList();
        Assert.All(delays, d => Assert.InRange(d, min, max));
        Assert.True(delays.Distinct().Count() > Packets / 2, $"seed {Seed}: delays hardly vary");
        Assert.Throws<ArgumentOutOfRangeException>(() => link.Delay(max, min));
        Assert.Throws<ArgumentOutOfRangeException>(() => link.Drop(1.5));
    }

    [Fact]
    public void XpcLink_must_let_one_direction_differ_until_an_every_link_command()
    {
        var link = new XpcLink(Seed);
        link.Drop(1, Out);
        Assert.Equal(1, link.Decide(Out).Lost);
        Assert.Same(PacketFate.Delivered, link.Decide(Back));

        link.Drop(0.5);
        Assert.Equal(1, link.Decide(Out).Lost);      // its own setting still wins
        link.Drop(0);                                // every link, and it ends the direction's too
        Assert.Same(PacketFate.Delivered, link.Decide(Out));
        Assert.Same(PacketFate.Delivered, link.Decide(Back));
    }

    [Fact]
    public void XpcLink_must_carry_nothing_across_a_cut_until_healed()
    {
        var link = new XpcLink(Seed);
        link.Cut(P1, P0);
        Assert.Same(PacketFate.CutOff, link.Decide(Out));
        Assert.Same(PacketFate.CutOff, link.Decide(Back));
        Assert.Same(PacketFate.Delivered, link.Decide(new LinkDirection(P0, P2)));

        link.Drop(0.3);
        link.Heal(P0, P1);
        var fates = Enumerable.Range(0, 100).Select(_ => link.Decide(Out)).ToList();
        Assert.Contains(fates, f => f.Lost == 1 && !f.Cut);   // the loss stays
        Assert.Contains(fates, f => f.Arrivals.Count == 1);
    }

    [Fact]
    public void XpcLink_must_give_the_same_fates_for_the_same_seed()
    {
        var first = XpcLink.ForRun(Seed);
        var second = XpcLink.ForRun(Seed);
        var other = XpcLink.ForRun(Seed + 1);
        foreach (var link in new[] { first, second, other })
        {
            link.Drop(0.3);
            link.Duplicate(0.3);
            link.Delay(TimeSpan.Zero, TimeSpan.FromMilliseconds(1));
        }
        Assert.Equal(Fates(first, Out, 1000), Fates(second, Out, 1000));
        Assert.NotEqual(Fates(first, Out, 1000), Fates(other, Out, 1000));
    }

    [Fact]
    public void XpcLink_must_be_settled_when_everything_sent_was_handed_over()
    {
        var link = new XpcLink(Seed);
        Assert.True(link.Settled);
        link.Sent(Out, epoch: 1, count: 1);
        link.Sent(Back, epoch: 1, count: 1);
        Assert.False(link.Settled);
        link.Handed(Back, epoch: 1, count: 1);
        Assert.False(link.Settled);

        link.Cut(P0, P1);          // a message on a cut link waits for the heal: it holds nothing up
        Assert.True(link.Settled);
        link.Heal(P0, P1);
        link.Drop(1, Out);         // so does one on a direction that drops everything
        Assert.True(link.Settled);
        link.Drop(0);
        Assert.False(link.Settled);
        link.Handed(Out, epoch: 1, count: 1);
        Assert.True(link.Settled);
    }

    [Fact]
    public void XpcLink_must_not_wait_for_ended_sessions_nor_crashed_partitions()
    {
        var link = new XpcLink(Seed);
        link.Sent(Out, epoch: 1, count: 2);
        link.Handed(Out, epoch: 2, count: 0);     // the receiver left session 1: dropped there
        Assert.True(link.Settled);
        link.Sent(Out, epoch: 3, count: 1);       // the sender's newer session waits for it
        Assert.False(link.Settled);
        link.Handed(Out, epoch: 3, count: 1);
        Assert.True(link.Settled);

        link.Sent(Back, epoch: 1, count: 4);
        Assert.False(link.Settled);
        link.Crashed = partition => partition == P0;   // nothing reaches a crashed partition
        Assert.True(link.Settled);
    }

    private static List<string> Fates(XpcLink link, LinkDirection direction, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => link.Decide(direction))
            .Select(f => $"{f.Lost}:{string.Join("/", f.Arrivals.Select(a => a.Ticks))}")];
}
