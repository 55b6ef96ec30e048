// Proves the command line treats a new user's mistakes as bad input (exit 2, a message that says
// what is wrong on stderr, nothing run): unknown options, a seed that is not a number, --seed with
// --seeds, a malformed SPEC; that help and version work as commands as well as options; that an
// unexpected exception exits 3 with its stack trace on stderr; and that text from the user is
// printed escaped and clipped. Each case runs the program in-process with captured output.
using Emulator.Host;
using Emulator.Host.Cli;
using Xunit;

namespace Emulator.Tests.Cli;

public sealed class ProgramSpec : IDisposable
{
    private readonly CliFixture _files = new();

    [Fact]
    public void Program_must_refuse_an_unknown_option_as_an_option_not_a_file()
    {
        var good = _files.Write("good.hocon", CliFixture.Good);
        var outcome = CliFixture.Run("run", "--bogus", good);
        Assert.True(outcome.Exit == ExitCodes.BadInput, outcome.ToString());
        Assert.Contains("unknown option '--bogus'", outcome.Error);
        Assert.DoesNotContain("cannot read the file", outcome.Error);
        Assert.True(outcome.Out.Length == 0, outcome.ToString());
    }

    [Fact]
    public void Program_must_read_a_word_after_double_dash_as_a_file()
    {
        var outcome = CliFixture.Run("run", "--", "--bogus");
        Assert.True(outcome.Exit == ExitCodes.BadInput, outcome.ToString());
        Assert.Contains("--bogus: no such file", outcome.Error);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("2147483648")]
    [InlineData("1.5")]
    public void Program_must_say_what_a_seed_is_when_given_something_else(string seed)
    {
        var outcome = CliFixture.Run("run", _files.Write("good.hocon", CliFixture.Good),
            "--seed", seed);
        Assert.True(outcome.Exit == ExitCodes.BadInput, outcome.ToString());
        Assert.Contains($"--seed '{seed}' is not a seed: a seed is an integer from -2147483648 to "
            + "2147483647", outcome.Error);
        Assert.DoesNotContain("System.", outcome.Error);
    }

    [Fact]
    public void Program_must_take_a_negative_seed()
    {
        var outcome = CliFixture.Run("run", _files.Write("good.hocon", CliFixture.Good),
            "--seed", "-5", "--quiet");
        Assert.True(outcome.Exit == ExitCodes.Held, $"seed -5: {outcome}");
    }

    [Fact]
    public void Program_must_refuse_seed_and_seeds_together()
    {
        var outcome = CliFixture.Run("run", _files.Write("good.hocon", CliFixture.Good),
            "--seed", "3", "--seeds", "1..4");
        Assert.True(outcome.Exit == ExitCodes.BadInput, outcome.ToString());
        Assert.Contains("--seed and --seeds cannot go together", outcome.Error);
        Assert.True(outcome.Out.Length == 0, outcome.ToString());
    }

    [Theory]
    [InlineData("4..1", "goes down")]
    [InlineData("1..x", "'x' is not a seed")]
    [InlineData("", "empty")]
    public void Program_must_refuse_a_malformed_seeds_spec_showing_the_forms(string spec,
        string why)
    {
        var outcome = CliFixture.Run("run", _files.Write("good.hocon", CliFixture.Good),
            "--seeds", spec);
        Assert.True(outcome.Exit == ExitCodes.BadInput, outcome.ToString());
        Assert.Contains(why, outcome.Error);
        Assert.Contains(SeedSpec.Forms, outcome.Error);
    }

    [Fact]
    public void Program_must_exit_2_on_a_missing_file_argument()
    {
        Assert.Equal(ExitCodes.BadInput, CliFixture.Run("run").Exit);
        Assert.Equal(ExitCodes.BadInput, CliFixture.Run().Exit);
    }

    [Fact]
    public void Program_must_show_help_as_a_command_as_it_does_as_an_option()
    {
        var root = CliFixture.Run("--help");
        var run = CliFixture.Run("run", "--help");
        Assert.Equal(root, CliFixture.Run("help"));
        Assert.Equal(run, CliFixture.Run("help", "run"));
        Assert.Equal(ExitCodes.Held, run.Exit);
        Assert.Contains("--seeds", run.Out);
        Assert.Contains("--keep-going", run.Out);
        Assert.Contains("help", root.Out);
        Assert.Contains("version", root.Out);
    }

    [Fact]
    public void Program_must_refuse_help_on_a_command_that_does_not_exist()
    {
        var outcome = CliFixture.Run("help", "bogus");
        Assert.True(outcome.Exit == ExitCodes.BadInput, outcome.ToString());
        Assert.Contains("unknown command 'bogus'", outcome.Error);
    }

    [Fact]
    public void Program_must_show_the_informational_version_as_a_command_and_as_an_option()
    {
        var command = CliFixture.Run("version");
        Assert.Equal(CliFixture.Run("--version"), command);
        Assert.Equal(ExitCodes.Held, command.Exit);
        Assert.Equal(Program.Version + "\n", command.Out);
        Assert.Contains('+', Program.Version);
    }

    [Fact]
    public void Program_must_exit_3_with_the_stack_trace_on_stderr_for_a_bug()
    {
        var error = new StringWriter();
        var console = new CliConsole(new BrokenWriter(), error, outputIsTerminal: false,
            errorIsTerminal: false);
        var exit = Program.Run(["version"], console);
        Assert.True(exit == ExitCodes.Bug, $"exit {exit}: {error}");
        Assert.Contains("a bug in xpmem-emu", error.ToString());
        Assert.Contains(nameof(BrokenWriter), error.ToString());
        Assert.Contains("   at ", error.ToString());
    }

    [Fact]
    public void Program_must_print_a_file_name_escaped_and_clipped()
    {
        var name = "evil\u001b[2J" + new string('n', 5000) + ".hocon";
        var outcome = CliFixture.Run("run", name);
        Assert.True(outcome.Exit == ExitCodes.BadInput, outcome.ToString());
        Assert.DoesNotContain('\u001b', outcome.Error);
        Assert.Contains("evil\\x1b[2J", outcome.Error);
        Assert.True(outcome.Error.Split('\n').All(line => line.Length < 600),
            $"a line of {outcome.Error.Split('\n').Max(l => l.Length)} characters");
    }

    public void Dispose() => _files.Dispose();

    /// <summary>stdout that fails: nothing the program expects, so a bug.</summary>
    private sealed class BrokenWriter : StringWriter
    {
        public override void Write(char value) => throw new InvalidOperationException("broken");

        public override void Write(string? value) => throw new InvalidOperationException("broken");

        public override void WriteLine(string? value) =>
            throw new InvalidOperationException("broken");
    }
}
