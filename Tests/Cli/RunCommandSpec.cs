// Proves the command line's contract: exit 0 when a scenario holds, 1 when a step's expectation is
// wrong, 2 for a malformed file (and then nothing runs), and --out writes a trace.jsonl that is
// byte-identical for the same seed.
using Emulator.Host;
using Xunit;

namespace Emulator.Tests.Cli;

public sealed class RunCommandSpec : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("xpmem-cli-");

    private const string Good = """
        partitions = 2
        processes {
          owner { partition = 0 }
          user  { partition = 1 }
        }
        steps = [
          "owner: mmap 0x10000 1p"
          "owner: fill 0x10000 1p index32"
          "owner: seg = make 0x10000 1p mode=0666"
          "user:  ap = get seg rdwr"
          "user:  at = attach ap 0 1p"
          "user:  read32 at+8 => 2"
        ]
        """;

    private FileInfo Write(string name, string text)
    {
        var path = Path.Combine(_folder.FullName, name);
        File.WriteAllText(path, text);
        return new FileInfo(path);
    }

    [Fact]
    public void Run_must_exit_0_when_every_step_holds()
    {
        Assert.Equal(RunCommand.Held, RunCommand.Execute([Write("good.hocon", Good)], seed: 4, output: null, quiet: true));
    }

    [Fact]
    public void Run_must_exit_1_on_a_wrong_expectation()
    {
        var wrong = Write("wrong.hocon", Good.Replace("=> 2", "=> 3"));
        Assert.Equal(RunCommand.ScenarioFailed, RunCommand.Execute([wrong], seed: 4, output: null, quiet: true));
    }

    [Fact]
    public void Run_must_exit_2_on_a_malformed_file_and_run_nothing()
    {
        var output = new DirectoryInfo(Path.Combine(_folder.FullName, "out"));
        var bad = Write("bad.hocon", Good.Replace("attach ap 0 1p", "atach ap 0 1p"));
        Assert.Equal(RunCommand.BadInput, RunCommand.Execute([Write("first.hocon", Good), bad], seed: 4, output, quiet: true));
        Assert.False(output.Exists, "a bad file must stop the run before anything runs");
    }

    [Fact]
    public void Run_must_write_the_same_trace_for_the_same_seed()
    {
        var file = Write("good.hocon", Good);
        var first = new DirectoryInfo(Path.Combine(_folder.FullName, "first"));
        var second = new DirectoryInfo(Path.Combine(_folder.FullName, "second"));
        RunCommand.Execute([file], seed: 9, first, quiet: true);
        RunCommand.Execute([file], seed: 9, second, quiet: true);
        var a = File.ReadAllBytes(Path.Combine(first.FullName, "trace.jsonl"));
        var b = File.ReadAllBytes(Path.Combine(second.FullName, "trace.jsonl"));
        Assert.True(a.Length > 0, "seed 9: empty trace");
        Assert.True(a.AsSpan().SequenceEqual(b), "seed 9: traces differ");
    }

    [Fact]
    public void Program_must_exit_2_on_a_malformed_command_line()
    {
        Assert.Equal(RunCommand.BadInput, Program.Main(["run"]));
        Assert.Equal(RunCommand.BadInput, Program.Main(["run", Write("good.hocon", Good).FullName, "--seed", "x"]));
    }

    [Fact]
    public void Program_must_run_a_file_from_its_arguments()
    {
        Assert.Equal(RunCommand.Held, Program.Main(["run", Write("good.hocon", Good).FullName, "--seed", "2", "--quiet"]));
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
