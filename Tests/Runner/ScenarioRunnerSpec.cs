// Proves the runner drives the machine end to end in sim mode on scenarios built in code (the
// parser is proven apart): the classic round trip holds, a wrong expectation fails naming the
// step's line and the seed, and the same seed gives the same trace. Also the edges a fuzzing
// campaign found: a wait of hours just works in virtual time, a fork child whose name a repeat
// binds again is still torn down at the end, range operations over tens of MiB run in a loop
// (no stack overflow), alternatives and `dead` are expectations like any other, and a machine out
// of physical memory kills the process that asks (SIGKILL) and gives frames back on munmap.
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

    private static Scenario Of(IReadOnlyList<Step> steps, int partitions = 1) => new(
        "edge", "test.hocon", null, partitions, false,
        [new ProcessDeclaration("p", 0, 1000, 1000, new SourceLocation("test.hocon", 1, 1))],
        steps);

    private static void AssertHeld(RunResult result) => Assert.True(result.Passed,
        $"seed {result.Seed}: {result.Failure} "
        + string.Join("; ", result.Checks.Where(c => !c.Held).Select(c => $"{c.Name}: {c.Detail}")));

    [Fact]
    public void ScenarioRunner_must_run_a_wait_of_hours_in_virtual_time()
    {
        var scenario = Of([
            Step("p", new MmapCommand(null, 0x1000), "a"),
            Step(null, new WaitCommand(TimeSpan.FromHours(3))),
            Step("p", new WriteCommand(4, N("a"), L(1))),
            new ParallelStep(new SourceLocation("test.hocon", ++_line, 3), [
                [Step(null, new WaitCommand(TimeSpan.FromDays(2)))],
                [Step("p", new ReadCommand(4, N("a")), expect: new ExpectValue(1))],
            ]),
        ]);
        var result = ScenarioRunner.Run(scenario, new RunOptions(Seed: 2));
        AssertHeld(result);
        Assert.True(result.Summary.VirtualTime >= TimeSpan.FromDays(2) + TimeSpan.FromHours(3),
            $"seed 2: virtual time {result.Summary.VirtualTime}");
    }

    [Fact]
    public void ScenarioRunner_must_tear_down_every_fork_child_a_repeat_bound_again()
    {
        var scenario = Of([
            Step("p", new MmapCommand(null, 0x1000), "a"),
            new RepeatStep(new SourceLocation("test.hocon", ++_line, 3), 5, [
                Step("p", new ForkCommand(), "child"),
                Step("child", new ReadCommand(4, N("a")), expect: new ExpectValue(0)),
            ]),
        ]);
        var result = ScenarioRunner.Run(scenario, new RunOptions(Seed: 4));
        AssertHeld(result);
        Assert.Contains(result.Checks, c => c.Name == "refcounts back to zero"
            && c.Detail.Contains("6 thread groups started"));
    }

    [Fact]
    public void ScenarioRunner_must_walk_tens_of_mib_in_a_loop()
    {
        const ulong size = 64UL << 20;
        var scenario = Of([
            Step("p", new MmapCommand(null, size), "a"),
            Step("p", new CheckCommand(N("a"), size, new ZeroPattern())),
            Step("p", new Add32Command(N("a"), size, 1)),
            Step("p", new Sum32Command(N("a"), size), expect: new ExpectValue(size / 4)),
            Step("p", new CopyCommand(N("a", 4), N("a"), size - 4)),
        ]);
        AssertHeld(ScenarioRunner.Run(scenario, new RunOptions(Seed: 1)));
    }

    [Fact]
    public void ScenarioRunner_must_accept_any_of_the_alternatives_and_dead()
    {
        var scenario = Of([
            Step("p", new MmapCommand(null, 0x1000), "a"),
            Step("p", new ReadCommand(4, L(0x10)), expect: new ExpectAny(
                [new ExpectValue(0), new ExpectSignal(Signal.SIGSEGV)])),
            Step("p", new ReadCommand(4, N("a")), expect: new ExpectDead()),
        ]);
        AssertHeld(ScenarioRunner.Run(scenario, new RunOptions(Seed: 1)));
    }

    [Fact]
    public void ScenarioRunner_must_meet_exhausted_physical_memory_with_the_oom_killer()
    {
        var scenario = Of([
            Step("p", new MmapCommand(null, 1 << 20), "a"),
            Step("p", new FillCommand(N("a"), 0x10000, new BytePattern(1))),
            Step("p", new MunmapCommand(N("a"), 0x10000)),
            Step("p", new FillCommand(N("a", 0x10000), 0x10000, new BytePattern(2))),
            Step("p", new CheckCommand(N("a", 0x10000), 0x10000, new BytePattern(2))),
            Step("p", new FillCommand(N("a", 0x20000), 0x10000, new BytePattern(3)),
                expect: new ExpectSignal(Signal.SIGKILL)),
        ]);
        var config = Emulator.Host.Settings.Load("xpmem-emulator.physical-memory = 96K");
        AssertHeld(ScenarioRunner.Run(scenario, new RunOptions(Seed: 1), config));
    }

    [Fact]
    public void ScenarioRunner_must_give_sigbus_to_a_toucher_whose_fault_finds_no_frame()
    {
        var scenario = new Scenario("oom fault", "test.hocon", null, 2, false,
        [
            new ProcessDeclaration("owner", 0, 1000, 1000, new SourceLocation("test.hocon", 1, 1)),
            new ProcessDeclaration("user", 1, 1000, 1000, new SourceLocation("test.hocon", 2, 1)),
        ],
        [
            Step("owner", new MmapCommand(L(0x10000), 0x4000)),
            Step("owner", new FillCommand(L(0x10000), 0x2000, new BytePattern(1))),
            Step("owner", new MakeCommand(L(0x10000), 0x4000, 0x1B6, 1), "seg"),
            Step("user", new GetCommand(N("seg"), 2, 1), "ap"),
            Step("user", new AttachCommand(N("ap"), L(0), 0x4000, null), "at"),
            Step("user", new ReadCommand(1, N("at", 0x1000)), expect: new ExpectValue(1)),
            Step("user", new ReadCommand(1, N("at", 0x3000)),
                expect: new ExpectSignal(Signal.SIGBUS)),
        ]);
        var config = Emulator.Host.Settings.Load("xpmem-emulator.physical-memory = 8K");
        AssertHeld(ScenarioRunner.Run(scenario, new RunOptions(Seed: 1), config));
    }
}
