using Emulator.Host.Scenarios;
using Xunit;
using static Emulator.Tests.Scenarios.ScenarioFiles;

namespace Emulator.Tests.Scenarios;

// Proves that one parse reports every error of a file it can find, in file order, and no
// bogus ones: bad steps, bad processes and bad keys each give their own line in the message
// (file:line:column: reason), a name bound by a bad step or a process of a bad declaration
// does not make every later use an error too, and past ScenarioParser.ErrorsMax the parser
// stops and says so. Steps built with WithSteps sit one per line from line 7.
public sealed class ScenarioParserMultipleErrorsSpec
{
    private static IEnumerable<(int Line, int Column)> Positions(ScenarioException error) =>
        error.Errors.Select(e => (e.Location.Line, e.Location.Column));

    [Fact]
    public void ScenarioParser_must_report_every_bad_step_not_only_the_first()
    {
        var error = StepError(
            "owner: mmap 0x10000 1p",
            "owner: atach 1",
            "wait 2 parsecs",
            "owner: mmap 0x20000 1p",
            "owner: exit 0x80000000");

        Assert.Equal([(8, 11), (9, 9), (11, 16)], Positions(error));
        Assert.Equal(
            [
                "t.hocon:8:11: unknown command 'atach'; did you mean 'attach'?",
                "t.hocon:9:9: expected a duration like 500us, 2ms or 1s, found '2'",
                "t.hocon:11:16: '0x80000000' does not fit in a 32-bit signed integer",
            ],
            error.Message.Split('\n').Select(line => line.Split(" (expected")[0]));
        Assert.Equal(error.Errors[0].Location, error.Location);
        Assert.Equal(error.Errors[0].Reason, error.Reason);
        Assert.False(error.StoppedEarly);
    }

    [Fact]
    public void ScenarioParser_must_keep_a_single_error_message_as_one_line()
    {
        var error = StepError("owner: exit 1 2");

        var only = Assert.Single(error.Errors);
        Assert.Equal($"t.hocon:7:18: {only.Reason}", error.Message);
        Assert.Equal(error.Message, error.ToString());
    }

    [Fact]
    public void ScenarioParser_must_list_errors_in_file_order_whatever_order_it_finds_them()
    {
        // Steps are read after the keys and processes, but the message reads top to bottom.
        var error = Error(
            "steps = [\n  \"owner: exit\"\n  \"ghost: exit\"\n]\n"
            + "processes {\n  owner { partiton = 0 }\n}\nseeds = 1\npartitions = 0\n");

        Assert.Equal([(3, 4), (6, 11), (8, 1), (9, 14)], Positions(error));
        Assert.StartsWith("unknown process 'ghost'", error.Reason);
        Assert.Equal(4, error.Message.Split('\n').Length);
    }

    [Fact]
    public void ScenarioParser_must_check_every_process_declaration_on_its_own()
    {
        var error = Error("""
            partitions = 2
            processes {
              a { partition = 2 }
              b { uid = -1, gid = x }
              "c d" { }
              e = 3
              f { colour = red }
            }
            steps = [ "a: exit", "b: exit", "e: exit", "f: exit" ]
            """);

        Assert.Equal([(3, 19), (4, 13), (4, 23), (5, 3), (6, 7), (7, 7)], Positions(error));
        Assert.Contains("partition 2 does not exist", error.Errors[0].Reason);
        Assert.Contains("unknown key 'colour' in process 'f'", error.Errors[5].Reason);
    }

    [Fact]
    public void ScenarioParser_must_not_report_names_bound_by_a_bad_step_again()
    {
        var error = StepError(
            "owner: mmap 0x10000 4p",
            "owner: seg = make 0x10000 4p mode=9",
            "user: ap = get seg rdwrr",
            "user: at = atach ap 0 4p",
            "user: read32 at => 0",
            "user: child = frok",
            "child: exit",
            "user: read32 nothing");

        Assert.Equal([(8, 38), (9, 23), (10, 15), (12, 18), (14, 17)], Positions(error));
        Assert.Contains("'nothing' is not bound", error.Errors[^1].Reason);
    }

    [Fact]
    public void ScenarioParser_must_read_a_step_written_where_a_list_of_steps_goes()
    {
        var error = Error("""
            processes { a {} }
            steps = [
              { parallel = [ "a: x = mmap 1p", [ "a: exit 1 2" ] ] }
              { repeat = 2, steps = "a: y = mmap 1p" }
              "a: read8 x"
              "a: read8 y"
              { parallel = [ { repeat = 1, steps = [ "a: mmap 1p" ] } ] }
            ]
            """);

        Assert.Equal([(3, 18), (3, 49), (4, 25), (7, 18), (7, 51)], Positions(error));
        Assert.StartsWith("mmap without an address needs a name", error.Errors[^1].Reason);
    }

    [Fact]
    public void ScenarioParser_must_not_refuse_every_step_when_processes_is_malformed()
    {
        var error = Error("processes = [ owner ]\nsteps = [ \"owner: exit\", \"wait 1x\" ]");

        Assert.Equal([(1, 13), (2, 32)], Positions(error));
        Assert.StartsWith("expected processes { NAME { partition = N } ... }", error.Reason);
    }

    [Fact]
    public void ScenarioParser_must_not_refuse_every_partition_when_partitions_is_malformed()
    {
        var error = Error(
            "partitions = two\nprocesses { a { partition = 3 } }\n"
            + "steps = [ \"crash partition 5\", \"a: exit 1 2\" ]");

        Assert.Equal([(1, 14), (3, 43)], Positions(error));
    }

    [Fact]
    public void ScenarioParser_must_check_inside_repeats_and_branches_with_errors_of_their_own()
    {
        var error = Error("""
            processes { a {} }
            steps = [
              { repeat = -1, steps = [ "a: exti" ] }
              { repeat = 2, steps = [ "a: exit" ], colour = red }
              { parallel = [ [ "a: mmap 1p" ], "a: exit", [ "wait 1 s" ] ] }
              { repeat = 1, step = [] }
            ]
            """);

        Assert.Equal([(3, 14), (3, 32), (4, 40), (5, 29), (5, 36), (5, 55), (6, 17)],
            Positions(error));
        Assert.Contains("did you mean 'steps'?", error.Errors[^1].Reason);
    }

    [Fact]
    public void ScenarioParser_must_stop_after_the_error_bound_and_say_so()
    {
        var steps = Enumerable.Range(0, 30).Select(i => $"owner: bad{i}").ToArray();

        var error = StepError(steps);

        Assert.True(error.StoppedEarly);
        Assert.Equal(ScenarioParser.ErrorsMax, error.Errors.Count);
        Assert.Equal(Enumerable.Range(7, ScenarioParser.ErrorsMax),
            error.Errors.Select(e => e.Location.Line));
        var lines = error.Message.Split('\n');
        Assert.Equal(ScenarioParser.ErrorsMax + 1, lines.Length);
        Assert.Equal("stopping after 20 errors; fix these to see the rest", lines[^1]);
    }

    [Fact]
    public void ScenarioParser_must_report_a_file_with_exactly_the_bound_in_full()
    {
        var steps = Enumerable.Range(0, ScenarioParser.ErrorsMax).Select(i => $"owner: bad{i}");

        var error = StepError([.. steps]);

        Assert.False(error.StoppedEarly);
        Assert.Equal(ScenarioParser.ErrorsMax, error.Message.Split('\n').Length);
    }

    [Fact]
    public void ScenarioParser_must_stop_at_a_hocon_syntax_error_with_that_error_alone()
    {
        var error = Error("steps = [\n  \"owner: atach\"\n  \"wait 1s\n]");

        var only = Assert.Single(error.Errors);
        Assert.Equal(new SourceLocation("t.hocon", 3, 3), only.Location);
    }

    [Fact]
    public void ScenarioException_must_put_its_errors_in_file_order_without_duplicates()
    {
        var late = new ScenarioError(new SourceLocation("f", 9, 1), "late");
        var early = new ScenarioError(new SourceLocation("f", 2, 5), "early");
        var whole = new ScenarioError(SourceLocation.WholeFile("f"), "whole");

        var error = new ScenarioException([late, early, late, whole]);

        Assert.Equal([whole, early, late], error.Errors);
        Assert.Equal("f: whole\nf:2:5: early\nf:9:1: late", error.Message);
        Assert.Throws<ArgumentException>(() => new ScenarioException([]));
    }
}
