// Proves the compact text of a schedule's lists: what is written reads back the same (runs of
// equal items folded with *COUNT), and a malformed token is refused with its number and form.
using Emulator.Host.Explore;
using Emulator.Partitions.Sim;
using Xunit;

namespace Emulator.Tests.Explore;

public sealed class ScheduleTextSpec
{
    [Fact]
    public void Choices_must_read_back_as_written_with_runs_folded()
    {
        int[] choices = [0, 0, 0, 1, 2, 2, 0, 17];
        var text = ScheduleText.Choices(choices);
        Assert.Equal("0*3 1 2*2 0 17", text);
        Assert.Equal(choices, ScheduleText.ParseChoices(text, out _));
        Assert.Equal("", ScheduleText.Choices([]));
        Assert.Empty(ScheduleText.ParseChoices("", out _)!);
    }

    [Fact]
    public void Draws_must_read_back_as_written()
    {
        LinkDraw[] draws = [new(false, 0), new(false, 0), new(false, 1), new(true, 1234),
            new(true, 0)];
        var text = ScheduleText.Draws(draws);
        Assert.Equal("c0*2 c1 d1234 d0", text);
        Assert.Equal(draws, ScheduleText.ParseDraws(text, out _));
    }

    [Theory]
    [InlineData("0 1 x", "token 3 'x' is not a choice (0, 1, 2...), optionally *COUNT")]
    [InlineData("0*0", "token 1 '0*0': the count after '*' is not a number of 1 or more")]
    [InlineData("-1", "token 1 '-1' is not a choice (0, 1, 2...), optionally *COUNT")]
    [InlineData("0*200000000", "more than 100000000 items")]
    public void Choices_must_refuse_a_malformed_token_by_its_number(string text, string error)
    {
        Assert.Null(ScheduleText.ParseChoices(text, out var found));
        Assert.Equal(error, found);
    }

    [Theory]
    [InlineData("c2", "token 1 'c2' is not a link draw (c0, c1 or dTICKS), optionally *COUNT")]
    [InlineData("c0 q1", "token 2 'q1' is not a link draw (c0, c1 or dTICKS), optionally *COUNT")]
    public void Draws_must_refuse_a_malformed_token_by_its_number(string text, string error)
    {
        Assert.Null(ScheduleText.ParseDraws(text, out var found));
        Assert.Equal(error, found);
    }
}
