using Emulator.Host;
using Emulator.Host.Cli;

namespace Emulator.Tests.Cli;

/// <summary>
/// What the command-line specs share: a temporary folder with scenario files, and the program
/// run in-process with stdout and stderr captured as a redirected process would see them.
/// </summary>
internal sealed class CliFixture : IDisposable
{
    /// <summary>Holds under every seed: one fault, one pin, given back.</summary>
    public const string Good = """
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

    /// <summary>Fails under every seed, at line 12 (expects 3, reads 2).</summary>
    public static readonly string Wrong = Good.Replace("=> 2", "=> 3");

    public DirectoryInfo Folder { get; } = Directory.CreateTempSubdirectory("xpmem-cli-");

    public string Write(string name, string text)
    {
        var path = Path.Combine(Folder.FullName, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public string PathOf(string name) => Path.Combine(Folder.FullName, name);

    /// <summary>Runs <c>xpmem-emu ARGS</c> in-process; output as to a file or a pipe.</summary>
    public static Outcome Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = Program.Run(args, new CliConsole(output, error, outputIsTerminal: false,
            errorIsTerminal: false));
        return new Outcome(exit, output.ToString(), error.ToString());
    }

    public void Dispose() => Folder.Delete(recursive: true);

    public sealed record Outcome(int Exit, string Out, string Error)
    {
        public string[] OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        public override string ToString() =>
            $"exit {Exit}\n--- stdout ---\n{Out}--- stderr ---\n{Error}";
    }
}
