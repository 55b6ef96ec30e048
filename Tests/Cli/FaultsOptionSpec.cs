// Proves `run --faults`: the link faults become every run's first steps and change no outcome
// (a cross-partition file holds under 30% loss, duplication and delays, over a sweep, in more
// virtual time); a failing run's reproduce line carries them; anything but a link fault, an empty
// list, or a fault the file cannot take (a partition it lacks, a bad rate) is bad input (exit 2,
// naming the fault, nothing run); --help shows the option. Each case runs the program in-process.
using Emulator.Host.Cli;
using Xunit;

namespace Emulator.Tests.Cli;

public sealed class FaultsOptionSpec : IDisposable
{
    private const string CrossPartition = """
        partitions = 2
        processes {
          owner { partition = 0 }
          user  { partition = 1 }
        }
        steps = [
          "owner: mmap 0x10000 2p"
          "owner: fill 0x10000 2p index32"
          "owner: seg = make 0x10000 2p mode=0666"
          "user:  ap = get seg rdwr"
          "user:  at = attach ap 0 2p"
          "user:  read32 at+4100 => 1025"
          "user:  write32 at+8 7"
          "owner: read32 0x10008 => WANT"
          "user:  detach at"
          "expect pins balanced"
        ]
        """;

    private readonly CliFixture _files = new();

    [Fact]
    public void Faults_must_change_no_outcome_of_a_sweep_only_its_time()
    {
        var file = _files.Write("cross.hocon", CrossPartition.Replace("WANT", "7"));
        var plain = CliFixture.Run("run", file, "--seed", "5");
        var faulty = CliFixture.Run("run", file, "--seed", "5",
            "--faults", "drop 30%, duplicate 30%; delay 10us..2ms");
        Assert.True(plain.Exit == ExitCodes.Held, plain.ToString());
        Assert.True(faulty.Exit == ExitCodes.Held, faulty.ToString());
        Assert.True(VirtualMs(faulty.Out) > VirtualMs(plain.Out) * 10,
            $"seed 5: {VirtualMs(plain.Out)} ms plain, {VirtualMs(faulty.Out)} ms with faults");

        var sweep = CliFixture.Run("run", file, "--seeds", "1..40", "--quiet",
            "--faults", "drop 30% 0->1, duplicate 50%, delay 0us..1ms 1->0");
        Assert.True(sweep.Exit == ExitCodes.Held, sweep.ToString());
        Assert.Contains("40 runs held, 0 failed", sweep.Out);
    }

    [Fact]
    public void A_failing_run_must_name_its_faults_in_the_reproduce_line()
    {
        var file = _files.Write("wrong.hocon", CrossPartition.Replace("WANT", "8"));
        var outcome = CliFixture.Run("run", file, "--faults", "drop 30%", "--quiet");
        Assert.True(outcome.Exit == ExitCodes.ScenarioFailed, outcome.ToString());
        Assert.Contains("--seed 1 --faults 'drop 30%'", outcome.Out);
    }

    [Theory]
    [InlineData("cut 0 1", "--faults 'cut 0 1': 'cut' is not a link fault")]
    [InlineData("dorp 30%", "'dorp' is not a link fault; did you mean 'drop'?")]
    [InlineData(" , ", "--faults ' , ': no fault given")]
    [InlineData("drop 30% 0->2", "cross.hocon: --faults 'drop 30% 0->2': partition 2 does not "
        + "exist")]
    [InlineData("drop 130%", "--faults 'drop 130%': expected a rate like 30%")]
    public void Faults_must_refuse_what_is_not_a_link_fault_the_file_can_take(string faults,
        string why)
    {
        var outcome = CliFixture.Run("run", _files.Write("cross.hocon",
            CrossPartition.Replace("WANT", "7")), "--faults", faults);
        Assert.True(outcome.Exit == ExitCodes.BadInput, outcome.ToString());
        Assert.Contains(why, outcome.Error);
        Assert.True(outcome.Out.Length == 0, outcome.ToString());
    }

    [Fact]
    public void Run_help_must_show_the_faults_option()
    {
        var help = CliFixture.Run("run", "--help");
        Assert.Contains("--faults", help.Out);
        Assert.Contains("delay MIN..MAX [P->Q]", help.Out);
    }

    public void Dispose() => _files.Dispose();

    private static double VirtualMs(string output)
    {
        var match = System.Text.RegularExpressions.Regex.Match(output, @"│ ([0-9.]+) ms\s+│");
        Assert.True(match.Success, output);
        return double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
