using Emulator.Host.Scenarios;
using Emulator.Protocol;
using Emulator.Protocol.Processes;
using Xunit;
using static Emulator.Tests.Scenarios.ScenarioFiles;

namespace Emulator.Tests.Scenarios;

// Proves that every form scenario-language.md (version 1) lists parses to the AST with the
// meaning written there: one test per command family, each value form and expectation kind,
// and the two examples users copy first. Each test parses a whole file, as users write them.
public sealed class ScenarioParserSpec
{
    private static readonly NameExpr Seg = new("seg", 0);
    private static readonly NameExpr Ap = new("ap", 0);
    private static readonly NameExpr At = new("at", 0);
    private const ulong Page = 4096;

    private static LiteralExpr Literal(ulong value) => new(value);

    private static TimeSpan Milliseconds(int ms) => TimeSpan.FromMilliseconds(ms);

    [Fact]
    public void ScenarioParser_must_read_the_design_example()
    {
        var scenario = Parse(DesignExample);

        Assert.Equal(2, scenario.Partitions);
        Assert.Equal(
            [new ProcessDeclaration("owner", 0, 1000, 1000, new("t.hocon", 3, 3)),
             new ProcessDeclaration("user", 1, 1000, 1000, new("t.hocon", 4, 3))],
            scenario.Processes);
        var steps = scenario.Steps.Cast<CommandStep>().ToList();
        Assert.Equal(10, steps.Count);
        Assert.Equal(new MmapCommand(Literal(0x10000), 4 * 4096), steps[0].Command);
        var fill = new FillCommand(Literal(0x10000), 4 * Page, new Index32Pattern(0));
        Assert.Equal(fill, steps[1].Command);
        Assert.Equal(new MakeCommand(Literal(0x10000), 4 * Page, 0x1b6, 1), steps[2].Command);
        Assert.Equal("seg", steps[2].Bind);
        Assert.Equal(new GetCommand(Seg, 2, 1), steps[3].Command);
        Assert.Equal(("user", "ap"), (steps[3].Process, steps[3].Bind));
        Assert.Equal(new AttachCommand(Ap, Literal(0), 4 * 4096, null), steps[4].Command);
        Assert.Equal(new ReadCommand(4, new NameExpr("at", 16)), steps[5].Command);
        Assert.Equal(new ExpectValue(4), steps[5].Expect);
        Assert.Equal(new WriteCommand(4, new NameExpr("at", 16), Literal(99)), steps[6].Command);
        Assert.Equal(new ExpectValue(99), steps[7].Expect);
        Assert.Equal(new ExitCommand(0), steps[8].Command);
        Assert.Equal(new ExpectSignal(Signal.SIGBUS), steps[9].Expect);
        Assert.Equal(new SourceLocation("t.hocon", 16, 3), steps[9].Location);
        Assert.Equal("user:  read32 at => SIGBUS", steps[9].Text);
    }

    [Fact]
    public void ScenarioParser_must_read_the_language_file_example()
    {
        var scenario = Parse(LanguageFileExample);

        Assert.Equal("owner exit invalidates a remote attachment", scenario.Name);
        Assert.Equal(7, scenario.Seed);
        Assert.Equal(2, scenario.Partitions);
        Assert.False(scenario.RawLibrary);
        Assert.Equal(
            [("owner", 0, 1000, 1000), ("user", 1, 1001, 1000), ("admin", 1, 0, 1000)],
            scenario.Processes.Select(p => (p.Name, p.Partition, p.Uid, p.Gid)));
        var parallel = Assert.IsType<ParallelStep>(scenario.Steps[4]);
        Assert.Equal(new SourceLocation("t.hocon", 14, 3), parallel.Location);
        Assert.Equal(2, parallel.Branches.Count);
        Assert.Equal(new ExitCommand(0), ((CommandStep)parallel.Branches[0][0]).Command);
        var wait = (CommandStep)parallel.Branches[1][1];
        Assert.Equal(new WaitCommand(TimeSpan.FromMilliseconds(2)), wait.Command);
        Assert.Equal(new SourceLocation("t.hocon", 16, 33), wait.Location);
        var repeat = Assert.IsType<RepeatStep>(scenario.Steps[5]);
        Assert.Equal(3, repeat.Count);
        Assert.IsType<ExpectQuietCommand>(((CommandStep)repeat.Steps[0]).Command);
        Assert.IsType<ExpectPinsBalancedCommand>(((CommandStep)scenario.Steps[7]).Command);
    }

    [Fact]
    public void ScenarioParser_must_apply_the_defaults()
    {
        const string file = "examples/defaults.hocon";
        var scenario = ScenarioParser.Parse("processes { p {} }\nsteps = [ \"p: exit\" ]", file);

        Assert.Equal("defaults.hocon", scenario.Name);
        Assert.Equal("examples/defaults.hocon", scenario.File);
        Assert.Null(scenario.Seed);
        Assert.Equal(1, scenario.Partitions);
        Assert.False(scenario.RawLibrary);
        var declared = new ProcessDeclaration("p", 0, 1000, 1000, new(file, 1, 13));
        Assert.Equal(declared, scenario.Processes[0]);
        Assert.Equal(Expectation.DefaultOk, ((CommandStep)scenario.Steps[0]).Expect);
    }

    [Theory]
    [InlineData("library = raw", true)]
    [InlineData("library = libxpmem", false)]
    [InlineData("library = \"raw\"", true)]
    public void ScenarioParser_must_read_the_library_switch(string line, bool raw)
    {
        Assert.Equal(raw, Parse(line + "\nsteps = []").RawLibrary);
    }

    [Fact]
    public void ScenarioParser_must_read_mmap_and_munmap()
    {
        Assert.Equal(new MmapCommand(Literal(0x20000), 8192), Last("owner: mmap 0x20000 8K"));
        var chosen = LastStep("owner: buf = mmap 1M");
        Assert.Equal(new MmapCommand(null, 1 << 20), chosen.Command);
        Assert.Equal("buf", chosen.Bind);
        Assert.Equal(new MmapCommand(Literal(0x20000), Page), Last("owner: buf = mmap 0x20000 1p"));
        var munmap = new MunmapCommand(new NameExpr("at", 4096), Page);
        Assert.Equal(munmap, Last("user: munmap at+1p 4096"));
    }

    [Theory]
    [InlineData("owner: s = make 0x10000 4p", 0x180UL, 1)]
    [InlineData("owner: s = make 0x10000 4p mode=0666", 0x1b6UL, 1)]
    [InlineData("owner: s = make 0x10000 4p mode=666", 0x1b6UL, 1)]
    [InlineData("owner: s = make 0x10000 4p mode=0600 permit-type=1", 0x180UL, 1)]
    [InlineData("owner: s = make 0x10000 4p permit-type=2 mode=0x1ff", 0x1ffUL, 2)]
    [InlineData("owner: s = make 0x10000 4p mode = 0644", 0x1a4UL, 1)]
    public void ScenarioParser_must_read_make_with_its_options(string step, ulong mode, int type)
    {
        Assert.Equal(new MakeCommand(Literal(0x10000), 4 * Page, mode, type), Last(step));
    }

    [Fact]
    public void ScenarioParser_must_read_make_of_max()
    {
        var make = new MakeCommand(Literal(0), ulong.MaxValue, 0x180, 1);
        Assert.Equal(make, Last("owner: s = make 0 max"));
    }

    [Theory]
    [InlineData("user: p = get seg rdwr", 2UL, 1)]
    [InlineData("user: p = get seg rdonly", 1UL, 1)]
    [InlineData("user: p = get seg 0", 0UL, 1)]
    [InlineData("user: p = get seg 3 permit-type=0", 3UL, 0)]
    [InlineData("user: p = get seg -1", ulong.MaxValue, 1)]
    public void ScenarioParser_must_read_get_flags(string step, ulong flags, int permitType)
    {
        Assert.Equal(new GetCommand(Seg, flags, permitType), Last(step));
    }

    [Fact]
    public void ScenarioParser_must_read_attach_with_offsets_and_fixed_addresses()
    {
        var attach = new AttachCommand(Ap, Literal(0x1000), Page, null);
        Assert.Equal(attach, Last("user: a = attach ap 0x1000 1p"));
        Assert.Equal(new AttachCommand(Ap, new NameExpr("seg", 16), 8, Literal(0x7f0000)),
            Last("user: a = attach ap seg+16 8 at=0x7f0000"));
        Assert.Equal(new AttachCommand(Ap, Literal(0), 4096, new NameExpr("at", -4096)),
            Last("user: attach ap 0 1p at=at-1p => EINVAL"));
    }

    [Fact]
    public void ScenarioParser_must_read_the_other_xpmem_calls()
    {
        Assert.Equal(new RemoveCommand(Seg), Last("owner: remove seg"));
        Assert.Equal(new ReleaseCommand(Ap), Last("user: release ap"));
        Assert.Equal(new DetachCommand(new NameExpr("at", 100)), Last("user: detach at+100"));
        var minusTwo = new RemoveCommand(Literal(0xfffffffffffffffe));
        Assert.Equal(minusTwo, Last("owner: remove 0xfffffffffffffffe"));
        var version = LastStep("owner: version => 0x26005");
        Assert.Equal(new VersionCommand(), version.Command);
        Assert.Equal(new ExpectValue(0x26005), version.Expect);
        Assert.Equal(new OpenCommand(), Last("owner: open"));
        Assert.Equal(new CloseCommand(), Last("owner: close"));
    }

    [Theory]
    [InlineData("zero")]
    [InlineData("byte=0x61")]
    [InlineData("byte = 97")]
    [InlineData("index32")]
    [InlineData("index32+1000")]
    [InlineData("lfsr32 seed=0xdeadbeef")]
    public void ScenarioParser_must_read_every_pattern(string pattern)
    {
        Pattern expected = pattern switch
        {
            "zero" => new ZeroPattern(),
            "byte=0x61" or "byte = 97" => new BytePattern(0x61),
            "index32" => new Index32Pattern(0),
            "index32+1000" => new Index32Pattern(1000),
            _ => new Lfsr32Pattern(0xdeadbeef),
        };
        Assert.Equal(new FillCommand(At, 4096, expected), Last($"user: fill at 1p {pattern}"));
        var check = new CheckCommand(new NameExpr("at", 4), 4092, expected);
        Assert.Equal(check, Last($"user: check at+4 4092 {pattern}"));
    }

    [Fact]
    public void ScenarioParser_must_read_loads_and_stores_of_each_width()
    {
        Assert.Equal(new ReadCommand(1, At), Last("user: read8 at"));
        Assert.Equal(new ReadCommand(2, At), Last("user: read16 at"));
        Assert.Equal(new ReadCommand(8, At), Last("user: read64 at"));
        Assert.Equal(new WriteCommand(1, At, Literal(0xff)), Last("user: write8 at 255"));
        Assert.Equal(new WriteCommand(1, At, Literal(0xff)), Last("user: write8 at -1"));
        Assert.Equal(new WriteCommand(2, At, Literal(0x8000)), Last("user: write16 at -32768"));
        Assert.Equal(new WriteCommand(4, At, Literal(uint.MaxValue)), Last("user: write32 at -1"));
        Assert.Equal(new WriteCommand(8, At, Literal(ulong.MaxValue)), Last("user: write64 at -1"));
        Assert.Equal(new WriteCommand(8, At, new NameExpr("ap", 0)), Last("user: write64 at ap"));
    }

    [Theory]
    [InlineData("user: read8 at => -1", 0xffUL)]
    [InlineData("user: read8 at => 0x61", 0x61UL)]
    [InlineData("user: read32 at => -2", 0xfffffffeUL)]
    [InlineData("user: read64 at => -1", ulong.MaxValue)]
    [InlineData("user: read64 at => 0xfffffffffffffffe", 0xfffffffffffffffeUL)]
    [InlineData("user: sum32 at 4p => 18446744073709551615", ulong.MaxValue)]
    public void ScenarioParser_must_read_value_expectations_as_wide_as_the_load(
        string step, ulong value)
    {
        Assert.Equal(new ExpectValue(value), LastStep(step).Expect);
    }

    [Fact]
    public void ScenarioParser_must_read_add_sum_and_copy()
    {
        Assert.Equal(new Add32Command(At, 16384, 7), Last("user: add32 at 4p 7"));
        Assert.Equal(new Add32Command(At, 16384, uint.MaxValue), Last("user: add32 at 4p -1"));
        var sum = new Sum32Command(Literal(0x10000), 4 * Page);
        Assert.Equal(sum, Last("owner: sum32 0x10000 4p => 100"));
        var copy = new CopyCommand(new NameExpr("at", 8192), At, 2 * Page);
        Assert.Equal(copy, Last("user: copy at+2p at 2p"));
    }

    [Fact]
    public void ScenarioParser_must_read_process_life()
    {
        var fork = LastStep("owner: child = fork");
        Assert.Equal((new ForkCommand() as Command, "child"), (fork.Command, fork.Bind));
        var scenario = Parse(WithSteps(
            "owner: child = fork", "child: exit 3", "user: kill", "owner: kill SIGTERM"));
        var steps = scenario.Steps.Cast<CommandStep>().ToList();
        Assert.Equal("child", steps[1].Process);
        Assert.Equal(new ExitCommand(3), steps[1].Command);
        Assert.Equal(new KillCommand(Signal.SIGKILL), steps[2].Command);
        Assert.Equal(new KillCommand(Signal.SIGTERM), steps[3].Command);
        Assert.Equal(new ExitCommand(-1), Last("owner: exit -1"));
    }

    [Fact]
    public void ScenarioParser_must_read_machine_and_fault_commands()
    {
        var scenario = Parse(WithSteps(
            "crash partition 1", "restart partition 1", "start owner", "cut 0 1", "heal 1 0",
            "drop 30%", "drop 0% 0->1", "delay 2ms..5ms 1->0", "delay 0ms..0us", "duplicate 12.5%",
            "wait 500us", "wait 1s", "expect pins balanced", "expect quiet"));
        var steps = scenario.Steps.Cast<CommandStep>().ToList();

        Assert.All(steps, s => Assert.Null(s.Process));
        Assert.Equal(
            [
                new CrashCommand(1), new RestartCommand(1), new StartCommand("owner"),
                new CutCommand(0, 1), new HealCommand(1, 0),
                new DropCommand(30, null), new DropCommand(0, new Link(0, 1)),
                new DelayCommand(Milliseconds(2), Milliseconds(5), new Link(1, 0)),
                new DelayCommand(TimeSpan.Zero, TimeSpan.Zero, null),
                new DuplicateCommand(12.5, null),
                new WaitCommand(TimeSpan.FromTicks(5000)), new WaitCommand(TimeSpan.FromSeconds(1)),
                new ExpectPinsBalancedCommand(), new ExpectQuietCommand(),
            ],
            steps.Select(s => s.Command));
    }

    [Theory]
    [InlineData("ok", null)]
    [InlineData("EINVAL", Errno.EINVAL)]
    [InlineData("EACCES", Errno.EACCES)]
    [InlineData("ENOENT", Errno.ENOENT)]
    [InlineData("EBUSY", Errno.EBUSY)]
    [InlineData("ENOMEM", Errno.ENOMEM)]
    [InlineData("EFAULT", Errno.EFAULT)]
    [InlineData("EPERM", Errno.EPERM)]
    [InlineData("EINTR", Errno.EINTR)]
    [InlineData("EREMOTE", Errno.EREMOTE)]
    [InlineData("NOPROC", Errno.NOPROC)]
    public void ScenarioParser_must_read_every_errno_expectation(string word, Errno? errno)
    {
        Expectation expected = errno is { } e ? new ExpectErrno(e) : new ExpectOk(Explicit: true);
        Assert.Equal(expected, LastStep($"user: p = get seg rdwr => {word}").Expect);
    }

    [Theory]
    [InlineData("SIGBUS", Signal.SIGBUS)]
    [InlineData("SIGSEGV", Signal.SIGSEGV)]
    public void ScenarioParser_must_read_signal_expectations(string word, Signal signal)
    {
        Assert.Equal(new ExpectSignal(signal), LastStep($"user: write32 at 1 => {word}").Expect);
    }

    [Theory]
    [InlineData("read32 at => 7 | SIGSEGV")]
    [InlineData("read32 at => 7|SIGSEGV")]
    [InlineData("read32 at => 7 |SIGSEGV")]
    public void ScenarioParser_must_read_alternatives_joined_by_a_bar(string step)
    {
        var expected = new ExpectAny([new ExpectValue(7), new ExpectSignal(Signal.SIGSEGV)]);
        Assert.Equal(expected, LastStep($"user: {step}").Expect);
    }

    [Fact]
    public void ScenarioParser_must_read_dead_alone_or_among_alternatives()
    {
        Assert.Equal(new ExpectDead(), LastStep("user: read32 at => dead").Expect);
        Assert.Equal(new ExpectAny([new ExpectOk(Explicit: true), new ExpectDead()]),
            LastStep("user: read32 at => ok | dead").Expect);
    }

    [Fact]
    public void ScenarioParser_must_take_whitespace_around_separators_freely()
    {
        var spaced = LastStep("user:  p  =  get seg rdwr  =>  ok");
        var tight = LastStep("user:p=get seg rdwr=>ok");
        Assert.Equal((spaced.Process, spaced.Bind, spaced.Command, spaced.Expect),
            (tight.Process, tight.Bind, tight.Command, tight.Expect));
        Assert.Equal(("user", "p"), (tight.Process, tight.Bind));
    }

    [Fact]
    public void ScenarioParser_must_read_parallel_and_repeat_nested_freely()
    {
        var scenario = Parse("""
            processes {
              a {}
              b {}
            }
            steps = [
              { repeat = 2, steps = [
                  { parallel = [
                      [ "a: x = mmap 1p", { repeat = 0, steps = [] } ],
                      [ { parallel = [ [ "b: exit" ], [] ] } ],
                    ] },
                  "a: munmap x 1p",
                ] },
            ]
            """);

        var repeat = Assert.IsType<RepeatStep>(Assert.Single(scenario.Steps));
        Assert.Equal(2, repeat.Count);
        var parallel = Assert.IsType<ParallelStep>(repeat.Steps[0]);
        Assert.Equal(new SourceLocation("t.hocon", 7, 7), parallel.Location);
        Assert.Equal(new SourceLocation("t.hocon", 8, 13), parallel.Branches[0][0].Location);
        Assert.Equal(0, Assert.IsType<RepeatStep>(parallel.Branches[0][1]).Count);
        var inner = Assert.IsType<ParallelStep>(Assert.Single(parallel.Branches[1]));
        Assert.Empty(inner.Branches[1]);
        var munmap = new MunmapCommand(new NameExpr("x", 0), Page);
        Assert.Equal(munmap, ((CommandStep)repeat.Steps[1]).Command);
    }

    [Fact]
    public void ScenarioParser_must_read_unquoted_machine_steps_and_other_spellings_of_hocon()
    {
        var scenario = Parse(
            "{\r\n  partitions : 2\r\n  processes.owner.partition = 1\r\n"
            + "  steps = [ wait 1s, \"\"\"crash partition 0\"\"\", "
            + "\"owner: write8 0x10\\t\\u0036\\u0035\" ]\r\n}\r\n");

        Assert.Equal(("owner", 1), (scenario.Processes[0].Name, scenario.Processes[0].Partition));
        var steps = scenario.Steps.Cast<CommandStep>().ToList();
        Assert.Equal(new WaitCommand(TimeSpan.FromSeconds(1)), steps[0].Command);
        Assert.Equal(new SourceLocation("t.hocon", 4, 13), steps[0].Location);
        Assert.Equal(new CrashCommand(0), steps[1].Command);
        Assert.Equal(new WriteCommand(1, Literal(0x10), Literal(65)), steps[2].Command);
        Assert.Equal("owner: write8 0x10\t65", steps[2].Text);
    }

    [Fact]
    public void ScenarioParser_must_read_empty_lists_and_processes_on_one_line()
    {
        // Akka reads "[ ]" as one empty element; the scenario has no step there.
        var scenario = Parse("processes { owner { partition = 0 } user { uid = 7 } }\n"
            + "steps = [ { repeat = 2, steps = [\n] }, { parallel = [ [ ], [ # none\n ] ] } ]");

        Assert.Equal(["owner", "user"], scenario.Processes.Select(p => p.Name));
        Assert.Empty(Assert.IsType<RepeatStep>(scenario.Steps[0]).Steps);
        Assert.All(Assert.IsType<ParallelStep>(scenario.Steps[1]).Branches, Assert.Empty);
        Assert.Empty(Parse("steps = [ ]").Steps);
    }

    [Fact]
    public void ScenarioParser_must_let_a_later_definition_of_a_key_win_as_hocon_does()
    {
        var scenario = Parse("partitions = 4\npartitions = 2\nprocesses { a { uid = 5 } }\n"
            + "processes { a { gid = 6 } }\nsteps = [ \"oops\" ]\nsteps = [ \"a: exit\" ]");

        Assert.Equal(2, scenario.Partitions);
        Assert.Equal((5, 6), (scenario.Processes[0].Uid, scenario.Processes[0].Gid));
        Assert.Equal(new SourceLocation("t.hocon", 6, 11), Assert.Single(scenario.Steps).Location);
    }

    [Fact]
    public void ScenarioParser_must_allow_rebinding_a_name_in_file_order()
    {
        var scenario = Parse(WithSteps(
            "owner: mmap 0x10000 1p", "owner: s = make 0x10000 1p", "owner: remove s",
            "owner: s = make 0x10000 1p", "owner: c = fork", "c: exit",
            "owner: c = fork", "c: remove s => EPERM"));

        Assert.Equal(8, scenario.Steps.Count);
    }

    // One reader state serves every step of a file (tokens, arguments, options, the name a
    // step binds): nothing of a step may reach the next, after a good step or a bad one.
    [Fact]
    public void ScenarioParser_must_read_each_step_afresh()
    {
        var scenario = Parse(WithSteps(
            "owner: mmap 0x10000 2p",
            "owner: s = make 0x10000 1p mode=0644 permit-type=2",
            "owner: t = make 0x11000 1p",
            "user: g = get s rdwr permit-type=3",
            "user: h = get t rdwr",
            "user: a = attach g 0 1p at=0x20000",
            "user: b = attach h 0 1p"));

        var commands = scenario.Steps.Cast<CommandStep>().Select(s => s.Command).ToList();
        Assert.Equal(new MakeCommand(Literal(0x10000), Page, 0x1a4, 2), commands[1]);
        Assert.Equal(new MakeCommand(Literal(0x11000), Page, 0x180, 1), commands[2]);
        Assert.Equal(new GetCommand(new NameExpr("s", 0), 2, 3), commands[3]);
        Assert.Equal(new GetCommand(new NameExpr("t", 0), 2, 1), commands[4]);
        Assert.Equal(
            new AttachCommand(new NameExpr("g", 0), Literal(0), Page, Literal(0x20000)),
            commands[5]);
        Assert.Equal(new AttachCommand(new NameExpr("h", 0), Literal(0), Page, null), commands[6]);

        var error = StepError("owner: m = mmap 1p", "owner: mmap 1p", "owner: x = mmap 1p mode=1",
            "owner: mmap 0x10000 1p => m");
        Assert.Equal(
            [
                "t.hocon:8:16: mmap without an address needs a name: NAME = mmap SIZE "
                    + "(or: mmap ADDR SIZE)",
                "t.hocon:9:23: unexpected argument 'mode' (expected: mmap ADDR SIZE, "
                    + "or NAME = mmap SIZE)",
            ],
            error.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void ScenarioParseFile_must_read_a_file_and_name_it_as_given()
    {
        string path = Path.Combine(Path.GetTempPath(), $"scenario-{Guid.NewGuid():N}.hocon");
        File.WriteAllText(path, DesignExample);
        try
        {
            var scenario = ScenarioParser.ParseFile(path);
            Assert.Equal(path, scenario.File);
            Assert.Equal(Path.GetFileName(path), scenario.Name);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
