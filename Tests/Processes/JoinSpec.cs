// Proves the fan-out join: what comes next runs exactly once, on the last part's call (at once
// when there are no parts), and a call past the parts is a bug that throws.
using Emulator.Partitions;
using Emulator.Partitions.Processes;
using Xunit;

namespace Emulator.Tests.Processes;

public sealed class JoinSpec
{
    [Fact]
    public void Join_must_run_what_comes_next_on_the_last_part_only()
    {
        var runs = 0;
        var part = Join.After(3, () => runs++);
        part();
        part();
        Assert.Equal(0, runs);
        part();
        Assert.Equal(1, runs);
    }

    [Fact]
    public void Join_must_run_a_single_part_at_its_call()
    {
        var runs = 0;
        var part = Join.After(1, () => runs++);
        Assert.Equal(0, runs);
        part();
        Assert.Equal(1, runs);
    }

    [Fact]
    public void Join_must_run_a_join_of_no_parts_at_once_and_refuse_a_call()
    {
        var runs = 0;
        var part = Join.After(0, () => runs++);
        Assert.Equal(1, runs);
        Assert.Throws<InvariantException>(part);
        Assert.Equal(1, runs);
    }

    [Fact]
    public void Join_must_refuse_a_call_past_its_parts()
    {
        var runs = 0;
        var part = Join.After(2, () => runs++);
        part();
        part();
        Assert.Throws<InvariantException>(part);
        Assert.Equal(1, runs);
    }

    [Fact]
    public void Join_must_keep_separate_counts_for_separate_joins()
    {
        var a = 0;
        var b = 0;
        var partA = Join.After(2, () => a++);
        var partB = Join.After(2, () => b++);
        partA();
        partB();
        partA();
        Assert.Equal((1, 0), (a, b));
        partB();
        Assert.Equal((1, 1), (a, b));
    }
}
