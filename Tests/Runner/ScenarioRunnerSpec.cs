// Proves the runner drives the machine end to end in sim mode on scenarios built in code (the
// parser is proven apart): the classic round trip holds, a wrong expectation fails naming the
// step's line and the seed, and the same seed gives the same trace.
using Emulator.Host.Runner;
using Emulator.Host.Scenarios;
using Emulator.Protocol;
using Emulator.Protocol.Processes;
using Xunit;

namespace Emulator.Tests.Runner;

public sealed class ScenarioRunnerSpec
{
    private static int _line;

    private static CommandStep Step(string? process, Command command, string? bind = null, Expectation? expect = null) =>
        new(new SourceLocation("test.hocon", ++_line, 3), process, bind, command, expect ?? Expectation.DefaultOk, $"{process}: {command}");

    private static LiteralExpr L(ulong value) => new(value);

    private static NameExpr N(string name, long offset = 0) => new(name, offset);

    private static Scenario RoundTrip(int partitions, ulong expected = 4) => new(
        "round trip", "test.hocon", null, partitions, false,
        [
            new ProcessDeclaration("owner", 0, 1000, 1000, new SourceLocation("test.hocon", 1, 1)),
            new ProcessDeclaration("user", partitions - 1, 1000, 1000, new SourceLocation("test.hocon", 2, 1)),
        ],
        [
            Step("owner", new MmapCommand(L(0x10000), 0x4000)),
            Step("owner", new FillCommand(L(0x10000), 0x4000, new Index32Pattern(0))),
            Step("owner", new MakeCommand(L(0x10000), 0x4000, 0x1B6, 1), "seg"),
            Step("user", new GetCommand(N("seg"), 2, 1), "ap"),
            Step("user", new AttachCommand(N("ap"), L(0), 0x4000, null), "at"),
            Step("user", new ReadCommand(4, N("at", 16)), expect: new ExpectValue(expected)),
            Step("user", new WriteCommand(4, N("at", 16), L(99))),
            Step("owner", new ReadCommand(4, L(0x10010)), expect: new ExpectValue(99)),
            Step("user", new Add32Command(N("at"), 0x4000, 1)),
            Step("owner", new CheckCommand(L(0x10000), 4, new Index32Pattern(1))),
            Step("owner", new ExitCommand(0)),
            Step("user", new ReadCommand(4, N("at")), expect: new ExpectSignal(Signal.SIGBUS)),
            Step(null, new ExpectPinsBalancedCommand()),
        ]);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ScenarioRunner_must_run_the_round_trip(int partitions)
    {
        var result = ScenarioRunner.Run(RoundTrip(partitions), new RunOptions(Seed: 3));
        Assert.True(result.Passed, $"seed 3: {result.Failure} {string.Join("; ", result.Checks.Where(c => !c.Held))}");
        Assert.True(result.Summary.Faults >= 4, $"faults {result.Summary.Faults}");
    }

    [Fact]
    public void ScenarioRunner_must_fail_a_wrong_expectation_naming_line_and_seed()
    {
        var result = ScenarioRunner.Run(RoundTrip(2, expected: 5), new RunOptions(Seed: 11));
        Assert.False(result.Passed);
        Assert.Contains("expected 0x5", result.Failure);
        Assert.Contains("seed 11", result.Failure);
        Assert.Contains("test.hocon:", result.Failure);
    }

    [Fact]
    public void ScenarioRunner_must_give_the_same_trace_for_the_same_seed()
    {
        var scenario = RoundTrip(2);
        var first = ScenarioRunner.Run(scenario, new RunOptions(Seed: 5, Trace: true)).Trace;
        var second = ScenarioRunner.Run(scenario, new RunOptions(Seed: 5, Trace: true)).Trace;
        Assert.NotNull(first);
        Assert.Equal(first, second);
    }
}
