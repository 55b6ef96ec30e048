using Emulator.Host.Runner;
using Emulator.Host.Scenarios;
using Spectre.Console;

namespace Emulator.Host;

/// <summary>
/// <c>run</c>: parses every file first (a bad file stops everything with exit 2 and runs nothing),
/// then runs each and prints a summary. Exit 0: every step and checker held; 1: one did not.
/// </summary>
public static class RunCommand
{
    public const int Held = 0;
    public const int ScenarioFailed = 1;
    public const int BadInput = 2;

    public static int Execute(IReadOnlyList<FileInfo> files, int? seed, DirectoryInfo? output,
        bool quiet)
    {
        var console = AnsiConsole.Console;
        var scenarios = new List<Scenario>();
        foreach (var file in files)
        {
            try
            {
                scenarios.Add(ScenarioParser.ParseFile(file.ToString()));
            }
            catch (ScenarioException error)
            {
                console.MarkupLine($"[red]bad input:[/] {Markup.Escape(error.Message)}");
                return BadInput;
            }
        }
        var failed = 0;
        foreach (var scenario in scenarios)
        {
            var runSeed = seed ?? scenario.Seed ?? 1;
            var outDirectory = output is null ? null
                : scenarios.Count == 1 ? output.FullName
                : Path.Combine(output.FullName, Path.GetFileNameWithoutExtension(scenario.File));
            var result = ScenarioRunner.Run(scenario, new RunOptions(runSeed, outDirectory));
            if (!result.Passed) failed++;
            Report(console, result, quiet);
        }
        console.MarkupLine($"{scenarios.Count - failed} scenarios held, {failed} failed");
        return failed == 0 ? Held : ScenarioFailed;
    }

    private static void Report(IAnsiConsole console, RunResult result, bool quiet)
    {
        var name = Markup.Escape(
            $"{result.Scenario.Name} ({result.Scenario.File}, seed {result.Seed})");
        if (result.Failure is { } failure)
            console.MarkupLine($"[red]FAILED[/] {name}\n  {Markup.Escape(failure)}");
        foreach (var check in result.Checks.Where(c => !c.Held))
        {
            console.MarkupLine($"[red]FAILED[/] {name}\n  checker '{Markup.Escape(check.Name)}' "
                + $"did not hold: {Markup.Escape(check.Detail)} (seed {result.Seed})");
        }
        if (result.Passed) console.MarkupLine($"[green]held[/]   {name}");
        if (quiet) return;
        var s = result.Summary;
        var table = new Table().AddColumns("steps", "calls", "faults", "messages", "xpc", "pins",
            "virtual time", "elapsed");
        table.AddRow(s.Steps.ToString(), s.Calls.ToString(), s.Faults.ToString(),
            s.Messages.ToString(), s.XpcMessages.ToString(), $"{s.Pins.Pinned}/{s.Pins.Unpinned}",
            $"{s.VirtualTime.TotalMilliseconds:0.###} ms",
            $"{s.Elapsed.TotalMilliseconds:0} ms");
        console.Write(table);
        foreach (var check in result.Checks)
        {
            console.MarkupLine($"  {(check.Held ? "[green]held[/]  " : "[red]failed[/]")} "
                + $"{Markup.Escape(check.Name)}: {Markup.Escape(check.Detail)}");
        }
    }
}
