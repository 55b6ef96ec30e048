using System.CommandLine;
using System.Globalization;
using System.Reflection;
using Emulator.Host.Cli;
using Emulator.Host.Machines;

namespace Emulator.Host.Bench;

/// <summary>
/// <c>xpmem-emu bench ladder [--processes LIST] [--json FILE]</c>: the Altix-shaped scenario at
/// 18 x N for each N of the list, in sim and in live, each run a child process timed from
/// outside; prints a row a rung and whether time and memory grew linearly in the work
/// (<see cref="LadderFit"/>); the JSON is what <c>scripts/plot-ladder.cs</c> draws.
/// </summary>
public static class LadderCommand
{
    public static readonly IReadOnlyList<int> ProcessesDefault = [8, 16, 32, 64, 128, 256, 512];

    private static readonly RunMode[] Modes = [RunMode.Sim, RunMode.Live];

    public static Command CommandLine(CliConsole console)
    {
        var processes = new Option<IReadOnlyList<int>?>("--processes")
        {
            HelpName = "LIST",
            Description = "Processes per partition of each rung, rising, comma-separated "
                + $"(default {string.Join(',', ProcessesDefault)}; at least "
                + $"{LadderFit.RungsMin})",
            CustomParser = r =>
            {
                var text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
                if (TryParseProcesses(text, out var sizes, out var error)) return sizes;
                r.AddError($"--processes '{UserText.Safe(text)}': {error}");
                return [];
            },
        };
        var json = new Option<string?>("--json")
        {
            HelpName = "FILE",
            Description = "Write the rungs to FILE as JSON, after each rung (what "
                + "scripts/plot-ladder.cs draws)",
        };
        var ladder = new Command("ladder", "Run the Altix-shaped scenario at 18 x N for each N, "
            + "in sim and in live, each in a child process timed from outside, and say whether "
            + "time and memory grow linearly in the work")
        {
            processes, json,
        };
        // No DefaultValueFactory: help would print the list as 8|16|..., not as it is written.
        ladder.SetAction(parsed => Execute(console, parsed.GetValue(processes)
            ?? ProcessesDefault, parsed.GetValue(json)));
        return ladder;
    }

    /// <summary>
    /// A list of processes per partition: whole numbers from 1 to the generator's bound,
    /// rising, at least <see cref="LadderFit.RungsMin"/> of them (a verdict compares two
    /// halves); on failure <paramref name="error"/> says what is wrong and what is expected.
    /// </summary>
    public static bool TryParseProcesses(string text, out IReadOnlyList<int> sizes,
        out string error)
    {
        sizes = [];
        var list = new List<int>();
        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture,
                out var size) || size < 1 || size > AltixScenario.ProcessesMax)
            {
                error = $"'{UserText.Safe(item)}' is not a whole number from 1 to "
                    + $"{AltixScenario.ProcessesMax}; LIST is rising sizes, as 8,16,32";
                return false;
            }
            if (list.Count > 0 && size <= list[^1])
            {
                error = $"{size} after {list[^1]}: the sizes must rise, as 8,16,32";
                return false;
            }
            list.Add(size);
        }
        if (list.Count < LadderFit.RungsMin)
        {
            error = $"{list.Count} size(s); a ladder needs at least {LadderFit.RungsMin} (its "
                + "verdict compares the lower half with the upper)";
            return false;
        }
        sizes = list;
        error = "";
        return true;
    }

    private static int Execute(CliConsole console, IReadOnlyList<int> sizes, string? jsonPath)
    {
        if (jsonPath is not null && OutputPaths.CheckFile("--json", jsonPath) is { } bad)
        {
            console.Diagnostic($"bench ladder: {UserText.Safe(bad)}");
            return ExitCodes.BadInput;
        }
        var rungs = new List<LadderRung>();
        // Where and when it ran: read once, shared by the ladder after every rung.
        var common = new Ladder(AltixShape.SgiPartitions, AltixShape.PagesDefault,
            DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
            typeof(LadderCommand).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()
                ?.Configuration ?? "unknown", Environment.ProcessorCount, []);
        var ladder = common;
        foreach (var size in sizes)
        {
            var shape = AltixShape.Altix(size);
            foreach (var mode in Modes)
            {
                var word = mode.ToString().ToLowerInvariant();
                console.Diagnostic($"bench ladder: {shape}, {word}, in a child process");
                var run = AltixChild.Run(shape, mode);
                if (run.ExitCode != 0 || run.Faults == 0)
                {
                    // The rungs below still say how it grew so far.
                    console.OutWriter.Write(LadderTable.Markdown(ladder));
                    console.Diagnostic($"bench ladder: {shape} in {word} exited with "
                        + $"{run.ExitCode} after {run.Wall.TotalSeconds:0.0} s, having counted "
                        + $"{run.Faults} faults: {UserText.Safe(run.Failure ?? "no run written")}"
                        + $"; to run it again: xpmem-emu generate altix --processes {size} "
                        + "--out altix.hocon && xpmem-emu run altix.hocon "
                        + $"{string.Join(' ', AltixChild.Settings)} --mode {word}");
                    return ExitCodes.ScenarioFailed;
                }
                rungs.Add(new LadderRung(word, size, run.Wall.TotalSeconds,
                    run.Cpu.TotalSeconds, run.PeakBytes, run.Faults, run.Messages));
                ladder = common with { Rungs = [.. rungs] };
                // After each rung: a ladder stopped at its top still has its lower rungs.
                if (jsonPath is not null) File.WriteAllText(jsonPath, ladder.ToJson());
            }
        }
        console.OutWriter.Write(LadderTable.Markdown(ladder));
        return ExitCodes.Held;
    }
}
