// The driver's merge of every node's events: released only up to the count a report vouched
// for, all nodes' together by logical clock stamp, so an event never comes before one that could
// have caused it; what is not vouched for waits for the next release.
using Emulator.Host.Cluster;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Cluster;
using Emulator.Protocol.Ids;
using Xunit;

namespace Emulator.Tests.Cluster;

public sealed class EventMergeSpec
{
    [Fact]
    public void Release_must_order_every_node_s_events_by_stamp()
    {
        var merge = new EventMerge();
        merge.Add(Chunk("a", (0, 1), (1, 5), (2, 9)));
        merge.Add(Chunk("b", (0, 3), (1, 4), (2, 10)));

        var released = merge.Release(new Dictionary<string, long> { ["a"] = 3, ["b"] = 3 });

        Assert.Equal([1L, 3, 4, 5, 9, 10], released.Select(r => r.Event.Stamp));
        Assert.Equal(["a", "b", "b", "a", "a", "b"], released.Select(r => r.Node));
        Assert.Equal(0, merge.Waiting);
    }

    [Fact]
    public void Release_must_hold_back_what_no_report_vouched_for()
    {
        var merge = new EventMerge();
        merge.Add(Chunk("a", (0, 1), (1, 2)));
        merge.Add(Chunk("b", (0, 3)));

        var first = merge.Release(new Dictionary<string, long> { ["a"] = 1 });
        merge.Add(Chunk("a", (2, 7)));
        var second = merge.Release(new Dictionary<string, long> { ["a"] = 3, ["b"] = 1 });

        Assert.Equal([1L], first.Select(r => r.Event.Stamp));
        Assert.Equal([2L, 3, 7], second.Select(r => r.Event.Stamp));
    }

    [Fact]
    public void Release_must_break_a_tie_of_stamps_by_node_then_number()
    {
        var merge = new EventMerge();
        merge.Add(Chunk("b", (0, 4)));
        merge.Add(Chunk("a", (0, 4), (1, 4)));

        var released = merge.Release(new Dictionary<string, long> { ["a"] = 2, ["b"] = 1 });

        // Nodes rank in the order they were first heard from.
        Assert.Equal(["b", "a", "a"], released.Select(r => r.Node));
        Assert.Equal([0L, 0, 1], released.Select(r => r.Event.Sequence));
    }

    private static EventChunk Chunk(string node, params (long Sequence, long Stamp)[] events) =>
        new(node, [.. events.Select(e => new StampedEvent(e.Sequence, e.Stamp, "/user/x",
            new ThreadGroupStarted(new TgId(new PartitionId(0), (int)e.Stamp))))]);
}
