// Proves the in-flight checker on synthetic events: a request started and not ended fails the
// final verdict, and Describe names what waits (id and what), oldest origin and sequence first,
// a few at most with a count of the rest.
using Emulator.Partitions.Checks;
using Emulator.Protocol.Ids;
using Xunit;

namespace Emulator.Tests.Checks;

public sealed class InFlightCheckerSpec
{
    private static RequestId Id(int partition, int pid, int n) =>
        new(new PartitionId(partition), ((long)pid << 32) | (uint)n);

    [Fact]
    public void InFlightChecker_must_hold_when_every_request_ended()
    {
        var checker = new InFlightChecker();
        Assert.Null(checker.Observe(new RequestStarted(Id(0, 1, 1), "Fault.Pin")));
        Assert.Equal(1, checker.Count);
        Assert.Null(checker.Observe(new RequestEnded(Id(0, 1, 1))));
        Assert.Equal(0, checker.Count);
        var report = checker.Final();
        Assert.True(report.Held);
        Assert.Equal("1 request, every one answered", report.Saw);
        Assert.Equal("nothing is in flight", checker.Describe());
    }

    [Fact]
    public void InFlightChecker_must_name_what_still_waits()
    {
        var checker = new InFlightChecker();
        checker.Observe(new RequestStarted(Id(1, 7, 2), "Segment.Recall"));
        checker.Observe(new RequestStarted(Id(0, 9, 5), "Fault.Pin"));
        checker.Observe(new RequestStarted(Id(1, 7, 1), "call read32"));
        checker.Observe(new RequestStarted(Id(0, 9, 6), "done"));
        checker.Observe(new RequestEnded(Id(0, 9, 6)));
        Assert.Equal("3 still waiting: p0/9.5 Fault.Pin, p1/7.1 call read32, "
            + "p1/7.2 Segment.Recall", checker.Describe());
        var report = checker.Final();
        Assert.False(report.Held);
        Assert.Equal($"4 requests, {checker.Describe()}", report.Saw);
    }

    [Fact]
    public void InFlightChecker_must_show_a_few_and_count_the_rest()
    {
        var checker = new InFlightChecker();
        for (var n = 0; n < 12; n++) checker.Observe(new RequestStarted(Id(0, 1, n), $"r{n}"));
        var described = checker.Describe(shownMax: 3);
        Assert.StartsWith("12 still waiting: p0/1.0 r0, p0/1.1 r1, p0/1.2 r2", described);
        Assert.EndsWith(" and 9 more", described);
        Assert.DoesNotContain("r3", described);
    }

    [Fact]
    public void InFlightChecker_must_ignore_an_end_of_a_request_it_never_saw()
    {
        var checker = new InFlightChecker();
        checker.Observe(new RequestStarted(Id(0, 1, 1), "a"));
        Assert.Null(checker.Observe(new RequestEnded(Id(0, 1, 2))));
        Assert.Equal(1, checker.Count);
    }
}
