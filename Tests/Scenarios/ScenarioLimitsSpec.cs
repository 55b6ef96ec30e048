using Emulator.Host.Scenarios;
using Xunit;
using static Emulator.Tests.Scenarios.ScenarioFiles;

namespace Emulator.Tests.Scenarios;

// Proves the parser's bounds on what a file makes run and on extreme numbers: a file over
// ScenarioParser.StepsRunMax steps (repeats expanded, nested repeats multiplying) or
// WaitTotalMax of waiting is refused at the line of the step that crosses the bound, and the
// count is cheap (files that would expand to 10^48 steps are refused at once); a file exactly
// at a bound is read. Numbers too large for what they stand for (durations, sizes, counts,
// addresses) are refused at their line with what was expected, never with an overflow or an
// internal parser error; any wait up to DurationMax is read.
public sealed class ScenarioLimitsSpec
{
    private static string Repeat(long count, string body) =>
        $"{{ repeat = {count}, steps = [ {body} ] }}";

    private static string File(params string[] steps) =>
        "processes { a {} }\nsteps = [\n" + string.Concat(steps.Select(s => $"  {s}\n")) + "]\n";

    private static void AssertRefused(ScenarioException error, int line, string reasonStart)
    {
        var only = Assert.Single(error.Errors);
        Assert.Equal(line, only.Location.Line);
        Assert.StartsWith(reasonStart, only.Reason);
        Assert.DoesNotContain("internal parser error", error.Message);
    }

    [Fact]
    public void ScenarioParser_must_refuse_nested_repeats_over_the_steps_bound_at_the_outer_one()
    {
        var inner = Repeat(1000, "\"wait 1us\"");
        var error = Error(File("\"a: exit\"", Repeat(1000, Repeat(1000, inner))));

        AssertRefused(error, 4, "with this step the file runs at least 1,000,000,000 steps, "
            + "over the limit of 10,000,000 (a repeat runs its steps N times; "
            + "nested repeats multiply)");
        Assert.Equal(new SourceLocation("t.hocon", 4, 3), error.Location);
    }

    [Fact]
    public void ScenarioParser_must_refuse_at_the_repeat_whose_steps_add_up_over_the_bound()
    {
        var million = Repeat(1_000_000, "\"wait 1us\"");
        var steps = Enumerable.Repeat(million, 11).ToArray();

        var error = Error(File(steps));

        AssertRefused(error, 13, "with this step the file runs at least 11,000,000 steps");
    }

    [Fact]
    public void ScenarioParser_must_count_the_branches_of_a_parallel_step()
    {
        var branch = $"[ {Repeat(6, Repeat(1_000_000, "\"wait 1us\""))} ]";

        var error = Error(File($"{{ parallel = [ {branch}, {branch} ] }}"));

        AssertRefused(error, 3, "with this step the file runs at least 12,000,000 steps");
    }

    [Fact]
    public void ScenarioParser_must_read_a_file_exactly_at_the_steps_bound()
    {
        var scenario = Parse(File(Repeat(10, Repeat(1_000_000, "\"wait 1us\""))));

        var outer = Assert.IsType<RepeatStep>(Assert.Single(scenario.Steps));
        Assert.Equal(10, outer.Count);
        Assert.Equal(ScenarioParser.StepsRunMax, 10 * 1_000_000);
    }

    [Fact]
    public void ScenarioParser_must_count_a_round_of_an_empty_repeat_as_a_step()
    {
        // The runner turns once per round even with nothing to run.
        var error = Error(File(Repeat(1_000_000, Repeat(1_000_000, ""))));

        AssertRefused(error, 3, "with this step the file runs at least 1,000,000,000,000 steps");
    }

    [Fact]
    public async Task ScenarioParser_must_count_steps_without_expanding_repeats()
    {
        // Ten nested repeats of a million: 10^60 steps if expanded; refused before a second.
        string nested = "\"a: exit\"";
        for (int level = 0; level < 10; level++)
            nested = Repeat(1_000_000, nested);
        string text = File(nested);

        var parse = Task.Run(() => Assert.Throws<ScenarioException>(() => Parse(text)));
        var error = await parse.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.StartsWith("with this step the file runs at least 1,000,000,000,000 steps",
            Assert.Single(error.Errors).Reason);
        Assert.Equal(3, error.Location.Line);
    }

    [Fact]
    public void ScenarioParser_must_refuse_waits_that_add_up_over_the_bound()
    {
        var error = Error(File("\"wait 6000000000s\"", "\"wait 5000000000s\""));

        AssertRefused(error, 4, "with this step the file waits at least 11000000000s in all, "
            + "over the limit of 10000000000s (about 317 years)");
        var repeated = Error(File(Repeat(3, "\"wait 4000000000s\"")));
        AssertRefused(repeated, 3, "with this step the file waits at least 12000000000s");
    }

    [Theory]
    [InlineData("wait 10000000000s", 10_000_000_000L * TimeSpan.TicksPerSecond)]
    [InlineData("wait 9999999999999999us", 99_999_999_999_999_990L)]
    [InlineData("wait 10000000000000ms", 10_000_000_000L * TimeSpan.TicksPerSecond)]
    [InlineData("wait 0000000000000000000000000001s", TimeSpan.TicksPerSecond)]
    [InlineData("wait 1.000000000000000000000000000000001s", TimeSpan.TicksPerSecond)]
    [InlineData("wait 0.00000001s", 0L)]
    public void ScenarioParser_must_read_any_wait_up_to_the_longest(string step, long ticks)
    {
        var wait = Assert.IsType<WaitCommand>(Last(step));

        Assert.Equal(TimeSpan.FromTicks(ticks), wait.Duration);
        Assert.True(wait.Duration <= ScenarioParser.DurationMax);
    }

    [Theory]
    [InlineData("wait 10000000000.0000001s", 9, "duration '10000000000.0000001s' is too long "
        + "(the longest is 10000000000s, about 317 years)")]
    [InlineData("wait 10000000001s", 9, "duration '10000000001s' is too long")]
    [InlineData("wait 99999999999999999999s", 9, "duration '99999999999999999999s' is too long")]
    [InlineData("wait 999999999999999999999999999999999999999ms", 9, "duration '999999")]
    [InlineData("wait 1e30s", 9, "expected a duration like 500us, 2ms or 1s, found '1e30s'")]
    [InlineData("wait 99999999999999999999h", 9,
        "unknown unit 'h' in '99999999999999999999h' (expected a duration like 500us")]
    [InlineData("wait -1s", 9, "expected a duration like 500us, 2ms or 1s, found '-1s'")]
    [InlineData("delay 1ms..99999999999999999999s", 10, "duration '99999999999999999999s' is")]
    [InlineData("drop 99999999999999999999999999%", 9, "expected a rate like 30%")]
    [InlineData("crash partition 99999999999999999999", 20,
        "partition 99999999999999999999 does not exist")]
    [InlineData("owner: mmap 0x10000 99999999999999999999p", 24,
        "size '99999999999999999999p' does not fit in 64 bits")]
    [InlineData("owner: mmap 0x10000 18446744073709551616", 24,
        "size '18446744073709551616' does not fit in 64 bits")]
    [InlineData("owner: mmap 0x1ffffffffffffffff 1p", 16,
        "'0x1ffffffffffffffff' does not fit in 64 bits")]
    [InlineData("owner: mmap -99999999999999999999 1p", 16,
        "'-99999999999999999999' does not fit in 64 bits")]
    [InlineData("owner: write64 0x10000 123456789012345678901234567890", 27,
        "'123456789012345678901234567890' does not fit in 64 bits")]
    [InlineData("owner: exit 99999999999999999999999", 16,
        "'99999999999999999999999' does not fit in a 32-bit signed integer")]
    [InlineData("owner: s = make 0x10000 1p mode=77777777777777777777777", 36,
        "mode '77777777777777777777777' does not fit in 64 bits")]
    public void ScenarioParser_must_refuse_numbers_too_large_for_their_use(
        string step, int column, string reasonStart)
    {
        var error = StepError(step);

        var only = Assert.Single(error.Errors);
        Assert.Equal(new SourceLocation("t.hocon", 7, column), only.Location);
        Assert.StartsWith(reasonStart, only.Reason);
    }

    [Theory]
    [InlineData("steps = [ { repeat = 99999999999999999999, steps = [] } ]", 1, 22,
        "expected a repeat count from 0 to 1000000, found 99999999999999999999")]
    [InlineData("steps = [ { repeat = 1e30, steps = [] } ]", 1, 22,
        "expected a repeat count, found '1e30'")]
    [InlineData("partitions = 1e30\nsteps = []", 1, 14,
        "expected a number of partitions, found '1e30'")]
    [InlineData("partitions = 0x7fffffffffffffffffffffff\nsteps = []", 1, 14,
        "expected a number of partitions from 1 to 32767")]
    [InlineData("seed = 99999999999999999999999999999999999999999\nsteps = []", 1, 8,
        "expected a seed from -2147483648 to 2147483647")]
    [InlineData("processes { a { uid = 4294967296 } }\nsteps = []", 1, 23,
        "expected a uid from 0 to 2147483647")]
    public void ScenarioParser_must_refuse_counts_too_large_for_their_use(
        string text, int line, int column, string reasonStart)
    {
        var error = Error(text);

        var only = Assert.Single(error.Errors);
        Assert.Equal(new SourceLocation("t.hocon", line, column), only.Location);
        Assert.StartsWith(reasonStart, only.Reason);
    }
}
