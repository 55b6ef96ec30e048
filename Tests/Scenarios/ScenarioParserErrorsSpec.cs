using Emulator.Host.Scenarios;
using Xunit;
using static Emulator.Tests.Scenarios.ScenarioFiles;

namespace Emulator.Tests.Scenarios;

// Proves that each kind of bad input stops the parse with a ScenarioException at the exact line
// and column of the offending token, and that its message says what was expected. Steps built
// with WithSteps sit one per line from line 7, quote in column 3, so a step's character k is
// in column 4 + k; the expected columns below are counted that way.
public sealed class ScenarioParserErrorsSpec
{
    private static readonly string[] PreludeUser = [.. Prelude];

    private static void AssertError(
        ScenarioException error, int line, int column, string reasonStart)
    {
        Assert.Equal(new SourceLocation("t.hocon", line, column), error.Location);
        Assert.StartsWith(reasonStart, error.Reason);
        Assert.Equal($"t.hocon:{line}:{column}: {error.Reason}", error.Message);
        Assert.Equal(error.Message, error.ToString());
    }

    private static ScenarioException AfterPrelude(string step) => StepError([.. PreludeUser, step]);

    [Fact]
    public void ScenarioParser_must_name_an_unknown_command_and_the_known_ones()
    {
        var error = StepError("owner: atach ap 0 4p");

        Assert.Equal(
            "t.hocon:7:11: unknown command 'atach'; did you mean 'attach'? "
            + "(expected one of: mmap, munmap, make, remove, "
            + "get, release, attach, detach, version, open, close, fill, check, read8, read16, "
            + "read32, read64, write8, write16, write32, write64, add32, sum32, fetch-add32, cas32, "
            + "swap32, copy, fork, exit, kill)",
            error.Message);
    }

    [Fact]
    public void ScenarioParser_must_hint_at_a_missing_colon_after_a_process()
    {
        AssertError(StepError("owner exit"), 7, 4,
            "unknown command 'owner' (expected a machine command: crash,");
        Assert.Contains("'owner: COMMAND'", StepError("owner exit").Reason);
    }

    [Fact]
    public void ScenarioParser_must_name_an_unknown_top_level_key_and_the_expected_ones()
    {
        var error = Error("partitions = 2\nstep = []");

        Assert.Equal(
            "t.hocon:2:1: unknown key 'step'; did you mean 'steps'? "
            + "(expected one of: name, seed, partitions, processes, steps, library, "
            + "placement)",
            error.Message);
    }

    [Theory]
    [InlineData("placement = 1", 2, 13, "expected placement = [[0, 2], [1]]")]
    [InlineData("placement = []", 2, 13, "expected placement = [[0, 2], [1]]")]
    [InlineData("placement = [[0, 1], []]", 2, 22, "expected a non-empty list of partitions")]
    [InlineData("placement = [[0, 1], [1, 2]]", 2, 23, "partition 1 is placed on node 0")]
    [InlineData("placement = [[0, 1]]", 2, 13, "placement leaves out partition 2")]
    [InlineData("placement = [[0, 1], [2, 3]]", 2, 26, "partition 3 does not exist")]
    public void ScenarioParser_must_refuse_a_placement_that_is_not_one_node_per_partition(
        string placement, int line, int column, string reasonStart)
    {
        var error = Error($"partitions = 3\n{placement}\nsteps = []");

        Assert.Equal(new SourceLocation("t.hocon", line, column), error.Location);
        Assert.Contains(reasonStart, error.Reason);
    }

    [Fact]
    public void ScenarioParser_must_refuse_unknown_process_fields_and_names()
    {
        AssertError(Error("processes {\n  owner { partiton = 1 }\n}\nsteps = []"), 2, 11,
            "unknown key 'partiton' in process 'owner'; did you mean 'partition'? "
            + "(expected one of: partition, uid, gid)");
        AssertError(Error("processes {\n  owner = 3\n}\nsteps = []"), 2, 11,
            "expected owner { partition = N");
        AssertError(Error("processes {\n  \"my owner\" { }\n}\nsteps = []"), 2, 3,
            "'my owner' is not a process name");
        AssertError(Error("processes { a { uid = -1 } }\nsteps = []"), 1, 23,
            "expected a uid from 0 to 2147483647, found -1");
    }

    [Fact]
    public void ScenarioParser_must_refuse_partitions_out_of_range()
    {
        AssertError(Error("partitions = 0\nsteps = []"), 1, 14,
            "expected a number of partitions from 1 to 32767, found 0");
        AssertError(Error("partitions = 32768\nsteps = []"), 1, 14,
            "expected a number of partitions from 1 to 32767");
        AssertError(Error("partitions = two\nsteps = []"), 1, 14,
            "expected a number of partitions, found 'two'");
        AssertError(Error("processes {\n  owner { partition = 1 }\n}\nsteps = []"), 2, 23,
            "partition 1 does not exist (the only partition is 0; set 'partitions = N' for more)");
        AssertError(StepError("crash partition 2"), 7, 20,
            "partition 2 does not exist (partitions are 0..1)");
        AssertError(StepError("drop 5% 0->2"), 7, 15, "partition 2 does not exist");
        AssertError(StepError("cut 1 1"), 7, 10, "a link joins two different partitions");
    }

    [Fact]
    public void ScenarioParser_must_refuse_start_of_what_is_not_a_declared_process()
    {
        AssertError(StepError("start ownr"), 7, 10,
            "start takes a declared process, not 'ownr'; did you mean 'owner'? "
            + "(declared: owner, user)");
        AssertError(StepError("start"), 7, 9, "missing PROCESS (expected: start PROCESS)");
    }

    [Fact]
    public void ScenarioParser_must_refuse_a_step_by_an_unknown_process()
    {
        AssertError(StepError("ghost: exit"), 7, 4,
            "unknown process 'ghost' "
            + "(declared: owner, user; or bind a child with 'NAME = fork' in an earlier step)");
        AssertError(StepError("child: exit", "owner: child = fork"), 7, 4,
            "unknown process 'child'");
        AssertError(AfterPrelude("seg: exit"), 11, 4,
            "'seg' is a value bound by an earlier step, not a process");
    }

    [Fact]
    public void ScenarioParser_must_refuse_names_not_bound_earlier_in_the_file()
    {
        AssertError(StepError("owner: remove seg"), 7, 18,
            "'seg' is not bound by an earlier step "
            + "(bind it with NAME = mmap, make, get or attach)");
        var useBeforeBind = StepError(
            "owner: remove seg", "owner: mmap 0x10000 1p", "owner: seg = make 0x10000 1p");
        AssertError(useBeforeBind, 7, 18,
            "'seg' is not bound");
        AssertError(AfterPrelude("user: read8 at2+1"), 11, 16, "'at2' is not bound");
        AssertError(AfterPrelude("user: read8 owner"), 11, 16,
            "'owner' is a process, not an address or an id");
    }

    [Fact]
    public void ScenarioParser_must_refuse_binding_a_command_that_yields_nothing()
    {
        AssertError(AfterPrelude("user: x = detach at"), 11, 10,
            "'detach' gives nothing to bind to 'x' "
            + "(only mmap, make, get, attach, fetch-add32, cas32, swap32, fork do)");
        AssertError(StepError("owner: fork"), 7, 11,
            "fork needs a name for the child: write 'NAME = fork'");
        AssertError(StepError("owner: mmap 4p"), 7, 16, "mmap without an address needs a name");
        AssertError(StepError("owner: owner = mmap 1p"), 7, 11,
            "'owner' is a declared process; choose another name");
        AssertError(AfterPrelude("owner: seg = fork"), 11, 11, "'seg' already names a value");
    }

    [Fact]
    public void ScenarioParser_must_keep_machine_and_process_commands_apart()
    {
        AssertError(StepError("owner: crash partition 1"), 7, 4,
            "'crash' is a machine command: write it without the 'owner:' prefix");
        AssertError(StepError("exit"), 7, 4,
            "'exit' is a process command: write 'PROCESS: exit ...'");
    }

    [Fact]
    public void ScenarioParser_must_refuse_values_that_do_not_fit()
    {
        AssertError(AfterPrelude("user: write8 at 256"), 11, 20, "'256' does not fit in 8 bits");
        AssertError(AfterPrelude("user: write16 at -32769"), 11, 21,
            "'-32769' does not fit in 16 bits");
        AssertError(AfterPrelude("user: read8 at => 0x100"), 11, 22,
            "'0x100' does not fit in 8 bits");
        AssertError(AfterPrelude("user: read64 at+0x8000000000000000"), 11, 20,
            "offset '0x8000000000000000' does not fit");
        AssertError(AfterPrelude("user: fill at 1p byte=300"), 11, 26,
            "'300' does not fit in 8 bits");
        AssertError(StepError("owner: mmap 0x10000 0x10000000000000000"), 7, 24,
            "size '0x10000000000000000' does not fit in 64 bits");
        AssertError(StepError("owner: mmap 0x10000 20000000000G"), 7, 24,
            "size '20000000000G' does not fit in 64 bits");
        AssertError(StepError("owner: exit 0x80000000"), 7, 16,
            "'0x80000000' does not fit in a 32-bit signed integer");
    }

    [Fact]
    public void ScenarioParser_must_refuse_bad_repeat_and_parallel_steps()
    {
        AssertError(Error("steps = [ { repeat = -1, steps = [] } ]"), 1, 22,
            "expected a repeat count from 0 to 1000000, found -1");
        AssertError(Error("steps = [ { repeat = 1000001, steps = [] } ]"), 1, 22,
            "expected a repeat count from 0 to 1000000");
        AssertError(Error("steps = [ { repeat = 1, step = [] } ]"), 1, 25,
            "unknown key 'step' in a repeat step; did you mean 'steps'? "
            + "(expected one of: repeat, steps)");
        AssertError(Error("steps = [ { repeat = 2 } ]"), 1, 11, "missing steps = [...]");
        AssertError(Error("steps = [ { parallel = [ \"wait 1s\" ] } ]"), 1, 26,
            "expected a branch, an array of steps");
        AssertError(Error("steps = [ { paralel = [] } ]"), 1, 13,
            "unknown key 'paralel'; did you mean 'parallel'? (expected a step: ");
        AssertError(Error("steps = [ { stripes = [] } ]"), 1, 13,
            "expected a step: \"PROCESS: COMMAND\"");
        AssertError(Error("steps = [ [ \"wait 1s\" ] ]"), 1, 11, "expected a step:");
        AssertError(Error("steps = \"wait 1s\""), 1, 9,
            "expected steps = [ ... ], an array of steps");
        AssertError(Error("partitions = 1"), 1, 1, "missing 'steps'");
    }

    [Fact]
    public void ScenarioParser_must_point_at_what_is_missing_or_extra_in_a_step()
    {
        AssertError(AfterPrelude("user: attach ap 0"), 11, 21,
            "missing SIZE (expected: attach AP OFFSET SIZE [at=ADDR])");
        AssertError(AfterPrelude("user: attach ap 0 at=0x1000"), 11, 22,
            "missing SIZE before 'at'");
        AssertError(AfterPrelude("user: detach at at"), 11, 20,
            "unexpected argument 'at' (expected: detach ADDR)");
        AssertError(AfterPrelude("user: a = attach ap 0 1p at=1 at=2"), 11, 34,
            "option 'at' is given twice");
        AssertError(AfterPrelude("owner: s = make 0x10000 1p mdoe=0666"), 11, 31,
            "unknown option 'mdoe'; did you mean 'mode'? (expected mode= or permit-type=)");
        AssertError(AfterPrelude("owner: s = make 0x10000 1p mode=0686"), 11, 36,
            "expected an octal mode like 0600");
        AssertError(AfterPrelude("user: read32 at => EINVALID"), 11, 23,
            "unknown expectation 'EINVALID'; did you mean 'EINVAL'? "
            + "(expected a number, a bound name, ok, dead, an errno name (EINVAL, EACCES,");
        AssertError(AfterPrelude("user: read32 at =>"), 11, 22,
            "expected an expectation after '=>'");
        AssertError(AfterPrelude("user: read32 at => sigbus"), 11, 23,
            "unknown expectation 'sigbus'");
        AssertError(AfterPrelude("user: read32 at => 1 2"), 11, 25,
            "unexpected '2' after the expectation");
        AssertError(AfterPrelude("user: read32 at => 1 |"), 11, 26,
            "expected an expectation after '|'");
        AssertError(AfterPrelude("user: read32 at => 1 | SIGBUSS"), 11, 27,
            "unknown expectation 'SIGBUSS'; did you mean 'SIGBUS'?");
        AssertError(AfterPrelude("user: fill at 1p stripes"), 11, 21,
            "unknown pattern 'stripes' (expected zero, byte=N");
        AssertError(AfterPrelude("user: fill at 1p lfsr32"), 11, 27, "lfsr32 needs its seed");
        AssertError(StepError("   "), 7, 3, "empty step");
        AssertError(StepError("drop 101%"), 7, 9, "expected a rate like 30% (from 0% to 100%)");
        AssertError(StepError("delay 5ms..2ms"), 7, 10, "'5ms..2ms': MIN is above MAX");
        AssertError(StepError("wait 2 parsecs"), 7, 9,
            "expected a duration like 500us, 2ms or 1s, found '2'");
        AssertError(StepError("expect pins unbalanced"), 7, 16,
            "expected 'balanced', found 'unbalanced'");
        AssertError(StepError("owner: kill SIGHUP"), 7, 16,
            "expected a signal (SIGKILL, SIGTERM, SIGBUS, SIGSEGV)");
    }

    [Fact]
    public void ScenarioParser_must_locate_errors_through_escapes_and_crlf()
    {
        AssertError(Error("steps = [ \"wait\\t2x\" ]"), 1, 18, "unknown unit 'x' in '2x'");
        AssertError(Error("partitions = 2\r\nsteps = [\r\n  \"owner: atach\"\r\n]\r\n"), 3, 11,
            "unknown command 'atach'");
    }

    [Fact]
    public void ScenarioParser_must_report_hocon_syntax_errors_with_their_position()
    {
        AssertError(Error("steps = [\n  \"owner: exit\n]"), 2, 3, "string is never closed");
        AssertError(Error("steps = [\n  \"x\"\n"), 1, 9, "'[' is never closed (expected ']')");
        AssertError(Error("processes {\n  a { }"), 1, 11, "'{' is never closed (expected '}')");
        AssertError(Error("steps = [ \"\"\"x ]"), 1, 11, "'\"\"\"' string is never closed");
        AssertError(Error("processes {\n  a { }, b { }\n}\nsteps = []"), 2, 8,
            "Akka's HOCON parser refuses a ',' after 'KEY { ... }': "
            + "put the next field on its own line");
        AssertError(Error("partitions = ${x}"), 1, 14, "substitutions (${...}) are not supported");
        AssertError(Error("include \"other.conf\"\nsteps = []"), 1, 1, "include is not supported");
        AssertError(Error("steps = [ 1 } ]"), 1, 13,
            "unexpected '}' in an array (expected a value or ']')");
        AssertError(Error("steps = [ : ]"), 1, 11, "unexpected ':' in an array");
        AssertError(Error("steps = [ \"a\"\n , \"b\" ]"), 2, 2, "unexpected ',' in an array");
        AssertError(Error("steps = [ owner: exit ]"), 1, 16,
            "unquoted text 'owner' is followed by ':', which Akka's HOCON parser refuses: "
            + "put the whole value in double quotes");
        AssertError(Error("steps = [ \"wait 1s\" \"wait 2s\" ]"), 1, 21,
            "two values side by side on one line");
        AssertError(Error("steps = [ [\"a\"] [\"b\"] ]"), 1, 17,
            "two values side by side on one line");
        AssertError(Error("steps = [ \"a\\q\" ]"), 1, 13,
            "unknown escape in a string (expected one of");
        AssertError(Error("steps = [] }"), 1, 12, "unexpected '}' (no '{' is open here)");
        AssertError(Error("steps += [ ]"), 1, 7,
            "expected '=', ':' or '{' after the key 'steps', found '+'");
        AssertError(Error("steps = "), 1, 9, "expected a value, found the end of the file");
        AssertError(Error("a = " + new string('[', 100)), 1, 69,
            "keys and values nest deeper than 64 levels");
        string dotted = string.Concat(Enumerable.Repeat("a.", 40)) + "a { "
            + string.Concat(Enumerable.Repeat("b.", 40)) + "b = 1 }";
        AssertError(Error(dotted), 1, 131, "keys and values nest deeper than 64 levels");
    }
}
