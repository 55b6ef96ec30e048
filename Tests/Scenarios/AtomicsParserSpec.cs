using Emulator.Host.Scenarios;
using Xunit;
using static Emulator.Tests.Scenarios.ScenarioFiles;

namespace Emulator.Tests.Scenarios;

// Proves the additions to language version 1 for atomics parse as docs/language.md says:
// fetch-add32 ADDR K, cas32 ADDR EXPECTED NEW and swap32 ADDR NEW, bindable (the word before),
// operands a 32-bit literal (signed or unsigned) or a bound name, a value expectation as wide as
// the word; and `=> NAME` (also NAME+SIZE, and among alternatives) expects a value bound before.
// And that each bad form stops the parse at the line and column of the offending word, saying
// what was expected. Steps after the Prelude sit on line 11, quote in column 3, so a step's
// character k is in column 4 + k.
public sealed class AtomicsParserSpec
{
    private static readonly NameExpr At = new("at", 0);

    private static LiteralExpr Literal(ulong value) => new(value);

    private static void AssertError(string step, int column, string reason)
    {
        var error = StepError([.. Prelude, step]);
        Assert.Equal(new SourceLocation("t.hocon", 11, column), error.Location);
        Assert.Contains(reason, error.Reason);
    }

    [Fact]
    public void ScenarioParser_must_read_the_atomics_with_their_operands()
    {
        Assert.Equal(new FetchAdd32Command(At, Literal(1)), Last("user: fetch-add32 at 1"));
        Assert.Equal(new FetchAdd32Command(new NameExpr("at", 8), Literal(0xffffffff)),
            Last("user: fetch-add32 at+8 -1"));
        Assert.Equal(new Cas32Command(At, Literal(0), Literal(0x80000000)),
            Last("user: cas32 at 0 0x80000000"));
        Assert.Equal(new Swap32Command(At, Literal(4294967295)),
            Last("user: swap32 at 4294967295"));
        // A misaligned address parses: the access is SIGBUS when it runs, as on ia64.
        Assert.Equal(new Swap32Command(new NameExpr("at", 2), Literal(1)),
            Last("user: swap32 at+2 1"));
    }

    [Fact]
    public void ScenarioParser_must_bind_the_word_before_and_take_it_as_an_operand()
    {
        var steps = Parse(WithSteps([.. Prelude, "user: old = fetch-add32 at 1",
            "user: cas32 at old ap", "user: swap32 at+4 old+1"])).Steps
            .Cast<CommandStep>().ToList();
        Assert.Equal("old", steps[4].Bind);
        Assert.Equal(new Cas32Command(At, new NameExpr("old", 0), new NameExpr("ap", 0)),
            steps[5].Command);
        Assert.Equal(new Swap32Command(new NameExpr("at", 4), new NameExpr("old", 1)),
            steps[6].Command);
    }

    [Theory]
    [InlineData("user: fetch-add32 at 1 => -1", 0xffffffffUL)]
    [InlineData("user: cas32 at 1 2 => 0xffffffff", 0xffffffffUL)]
    [InlineData("user: swap32 at 1 => 7", 7UL)]
    public void ScenarioParser_must_read_an_atomic_value_expectation_as_a_32_bit_word(
        string step, ulong value)
    {
        Assert.Equal(new ExpectValue(value), LastStep(step).Expect);
    }

    [Fact]
    public void ScenarioParser_must_read_a_bound_name_as_an_expectation()
    {
        var steps = Parse(WithSteps([.. Prelude, "user: old = fetch-add32 at 1",
            "user: read32 at => old", "user: read64 at => at+0x10 | SIGBUS",
            "user: fetch-add32 at 0 => old-1"])).Steps.Cast<CommandStep>().ToList();
        Assert.Equal(new ExpectBound(new NameExpr("old", 0)), steps[5].Expect);
        Assert.Equal(new ExpectAny([new ExpectBound(new NameExpr("at", 16)),
            new ExpectSignal(Emulator.Protocol.Signal.SIGBUS)]), steps[6].Expect);
        Assert.Equal(new ExpectBound(new NameExpr("old", -1)), steps[7].Expect);
    }

    [Fact]
    public void ScenarioParser_must_refuse_atomics_with_missing_or_extra_words()
    {
        AssertError("user: fetch-add32 at", 24, "missing K (expected: fetch-add32 ADDR K)");
        AssertError("user: cas32 at 1", 20, "missing NEW (expected: cas32 ADDR EXPECTED NEW)");
        AssertError("user: cas32 at", 18, "missing EXPECTED (expected: cas32 ADDR EXPECTED NEW)");
        AssertError("user: swap32", 16, "missing ADDR (expected: swap32 ADDR NEW)");
        AssertError("user: swap32 at 1 2", 22, "unexpected argument '2' (expected: swap32 ADDR NEW)");
        AssertError("user: fetch-add32 at 1 mode=1", 27,
            "unexpected argument 'mode' (expected: fetch-add32 ADDR K)");
    }

    [Fact]
    public void ScenarioParser_must_refuse_an_operand_that_is_not_a_32_bit_word()
    {
        AssertError("user: fetch-add32 at 0x100000000", 25, "0x100000000");
        AssertError("user: cas32 at -2147483649 0", 19, "-2147483649");
        AssertError("user: swap32 at nobody", 20,
            "'nobody' is not bound by an earlier step");
        AssertError("user: swap32 at owner", 20, "'owner' is a process, not an address or an id");
        AssertError("user: swap32 owner 1", 17, "'owner' is a process, not an address or an id");
        AssertError("user: fetch-add32 at 1 => 0x100000000", 30, "0x100000000");
    }

    [Fact]
    public void ScenarioParser_must_say_how_to_bind_when_an_expectation_names_no_bound_value()
    {
        AssertError("user: fetch-add32 at 1 => old", 30,
            "'old' is not bound by an earlier step (an expectation names a value bound before "
            + "it; to bind this step's result, write 'old = fetch-add32 ...')");
        // Near a known word it is a typo; on a command that binds nothing, an unknown word.
        AssertError("user: fetch-add32 at 1 => SIGBSU", 30,
            "unknown expectation 'SIGBSU'; did you mean 'SIGBUS'?");
        AssertError("user: read32 at => old", 23,
            "unknown expectation 'old' (expected a number, a bound name, ok, dead,");
        AssertError("user: read32 at => owner", 23, "unknown expectation 'owner'");
        AssertError("user: read32 at => at+1q", 26, "expected a size (bytes, or with p, K, M");
    }

    [Fact]
    public void ScenarioParser_must_refuse_an_atomic_without_a_process_or_bound_as_a_process()
    {
        AssertError("fetch-add32 at 1", 4,
            "'fetch-add32' is a process command: write 'PROCESS: fetch-add32 ...'");
        var error = StepError([.. Prelude, "user: x = swap32 at 1", "owner: x = fork"]);
        Assert.Equal(new SourceLocation("t.hocon", 12, 11), error.Location);
        Assert.Contains("'x' already names a value", error.Reason);
    }
}
