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
        var partitions = new Option<int>("--partitions")
        {
            HelpName = "P",
            Description = $"Partitions (default {PartitionsDefault}, as SGI's largest Altix)",
            DefaultValueFactory = _ => PartitionsDefault,
            CustomParser = r => NumberOptions.Whole(r, "--partitions", 2,
                AltixScenario.PartitionsMax),
        };
        var processes = new Option<int>("--processes")
        {
            HelpName = "N",
            Description = $"Processes per partition (default {ProcessesDefault})",
            DefaultValueFactory = _ => ProcessesDefault,
            CustomParser = r => NumberOptions.Whole(r, "--processes", 1,
                AltixScenario.ProcessesMax),
        };
        var pages = new Option<int>("--pages")
        {
            HelpName = "S",
            Description = $"Pages of each segment (default {PagesDefault})",
            DefaultValueFactory = _ => PagesDefault,
            CustomParser = r => NumberOptions.Whole(r, "--pages", 1, AltixScenario.PagesMax),
        };
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
}
