using System.CommandLine;

namespace Emulator.Host;

/// <summary>
/// The command line: <c>xpmem-emu run FILE... [--seed N] [--out DIR] [--trace]</c>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var files = new Argument<FileInfo[]>("FILE")
        {
            Description = "Scenario files (HOCON, language version 1)",
            Arity = ArgumentArity.OneOrMore,
        };
        var seed = new Option<int?>("--seed")
            { Description = "The seed for every file (wins over a file's own seed = N)" };
        var output = new Option<DirectoryInfo?>("--out")
            { Description = "Write the run's trace.jsonl into this folder" };
        var quiet = new Option<bool>("--quiet")
            { Description = "Print failures and the closing line only" };
        var run = new Command("run",
            "Run scenarios in sim mode (one seeded scheduler, virtual time)")
        {
            files, seed, output, quiet,
        };
        run.SetAction(parsed => RunCommand.Execute(
            parsed.GetValue(files) ?? [], parsed.GetValue(seed), parsed.GetValue(output),
            parsed.GetValue(quiet)));
        var root = new RootCommand("An actor-based XPMEM partition emulator") { run };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count == 0) return parsed.Invoke();
        // A malformed command line is bad input, like a malformed scenario: exit 2, nothing runs.
        foreach (var error in parsed.Errors) Console.Error.WriteLine(error.Message);
        Console.Error.WriteLine("usage: xpmem-emu run FILE... [--seed N] [--out DIR] [--quiet]");
        return RunCommand.BadInput;
    }
}
