// Proves --seeds SPEC reads every documented form (one seed, a range, a list, a count from the
// file's own seed) into exactly the seeds it names, in order, and refuses every malformed spec
// with a message that says what is wrong; checked by parsing specs and listing their seeds.
using Emulator.Host.Cli;
using Xunit;

namespace Emulator.Tests.Cli;

public sealed class SeedSpecSpec
{
    [Theory]
    [InlineData("17", 1, "17")]
    [InlineData("1..5", 1, "1,2,3,4,5")]
    [InlineData("3,9,20..23", 1, "3,9,20,21,22,23")]
    [InlineData(" 9 , 3 ", 1, "9,3")]
    [InlineData("-2..1", 1, "-2,-1,0,1")]
    [InlineData("3x", 40, "40,41,42")]
    [InlineData("1x", 1, "1")]
    public void SeedSpec_must_name_exactly_the_seeds_it_says(string text, int fileSeed,
        string seeds)
    {
        Assert.True(SeedSpec.TryParse(text, out var spec, out var error), error);
        Assert.Equal(seeds, string.Join(",", spec!.SeedsFor(fileSeed)));
        Assert.Equal(seeds.Split(',').Length, spec.CountFor(fileSeed));
    }

    [Fact]
    public void SeedSpec_must_count_a_huge_range_without_listing_it()
    {
        Assert.True(SeedSpec.TryParse("-2147483648..2147483647", out var spec, out var error),
            error);
        Assert.Equal(4_294_967_296L, spec!.CountFor(1));
        Assert.Equal([int.MinValue, int.MinValue + 1], spec.SeedsFor(1).Take(2));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("abc", "'abc' is not a seed")]
    [InlineData("1..", "'' is not a seed")]
    [InlineData("5..1", "goes down: write 1..5")]
    [InlineData("1,,2", "empty")]
    [InlineData("1..10,5", "overlap")]
    [InlineData("0x", "not a count")]
    [InlineData("x", "'x' is not a seed")]
    [InlineData("99999999999x", "not a count")]
    [InlineData("3,4x", "stands alone")]
    [InlineData("2147483648", "-2147483648 to 2147483647")]
    public void SeedSpec_must_refuse_a_malformed_spec_saying_why(string text, string why)
    {
        Assert.False(SeedSpec.TryParse(text, out _, out var error), $"'{text}' was accepted");
        Assert.Contains(why, error);
    }

    [Fact]
    public void SeedSpec_must_refuse_a_count_that_goes_past_the_last_seed()
    {
        Assert.True(SeedSpec.TryParse("2x", out var spec, out _));
        Assert.Null(spec!.ProblemFor(int.MaxValue - 1));
        Assert.Contains("go past 2147483647", spec.ProblemFor(int.MaxValue));
    }
}
