using System.CommandLine;
using Emulator.Host.Cli;

namespace Emulator.Host.Bench;

/// <summary>
/// <c>xpmem-emu generate altix [--partitions P] [--processes N] [--pages S] [--out FILE]</c>:
/// writes the Altix-shaped scenario (<see cref="AltixScenario"/>) too large to keep as an example.
/// </summary>
public static class GenerateCommand
{
    public const int PartitionsDefault = AltixShape.SgiPartitions;
    public const int ProcessesDefault = 512;
    public const int PagesDefault = AltixShape.PagesDefault;

    public static Command CommandLine(CliConsole console)
    {
        var partitions = Whole("--partitions", "P",
            $"Partitions (default {PartitionsDefault}, as SGI's largest Altix)",
            PartitionsDefault, 2, AltixScenario.PartitionsMax);
        var processes = Whole("--processes", "N",
            $"Processes per partition (default {ProcessesDefault})", ProcessesDefault, 1,
            AltixScenario.ProcessesMax);
        var pages = Whole("--pages", "S", $"Pages of each segment (default {PagesDefault})",
            PagesDefault, 1, AltixScenario.PagesMax);
        var output = new Option<string?>("--out")
        {
            HelpName = "FILE",
            Description = "Write the scenario to FILE (default: stdout)",
        };
        var altix = new Command("altix", "An Altix-shaped scenario: every process attaches a "
            + "segment of its namesake on the next partition and adds 1 to every word of it")
        {
            partitions, processes, pages, output,
        };
        altix.SetAction(parsed =>
        {
            var text = AltixScenario.Text(parsed.GetValue(partitions),
                parsed.GetValue(processes), parsed.GetValue(pages));
            if (parsed.GetValue(output) is not { } path)
            {
                console.OutWriter.Write(text);
                return ExitCodes.Held;
            }
            try
            {
                File.WriteAllText(path, text);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                console.Diagnostic($"generate altix: cannot write {UserText.Safe(path)}: "
                    + UserText.Safe(e.Message));
                return ExitCodes.BadInput;
            }
            return ExitCodes.Held;
        });
        return new Command("generate", "Write a generated scenario: altix (an Altix-scale "
            + "machine for benchmarks)")
        {
            altix,
        };
    }

    /// <summary>An option of a whole number from <paramref name="min"/> to
    /// <paramref name="max"/>, <paramref name="fallback"/> when not given.</summary>
    private static Option<int> Whole(string name, string helpName, string description,
        int fallback, int min, int max) => new(name)
    {
        HelpName = helpName,
        Description = description,
        DefaultValueFactory = _ => fallback,
        CustomParser = r => NumberOptions.Whole(r, name, min, max),
    };
}
