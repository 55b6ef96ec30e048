using System.CommandLine;
using Emulator.Host.Cli;

namespace Emulator.Host.Explore;

/// <summary>
/// <c>xpmem-emu replay PATH [--out DIR]</c>: runs a schedule file again (<see cref="Replayer"/>):
/// the same deliveries in the same order, the same link faults, so the same trace and verdict.
/// Exit 1 when it fails again, 0 when it holds now (the failure no longer reproduces), 2 when the
/// file, its scenario, or the fit between them is bad (a changed scenario, or a run that leaves
/// the schedule: another build), 3 when the same build leaves its own schedule (a bug).
/// </summary>
public static class ReplayCommand
{
    public static Command CommandLine(CliConsole console)
    {
        var path = new Argument<string>("PATH")
        {
            Description = "A schedule file written by explore (schedule.json, or a shrunk one)",
        };
        var output = new Option<string?>("--out")
        {
            HelpName = "DIR",
            Description = "Write the replay's trace to DIR/trace.jsonl",
        };
        var command = new Command("replay", "Run a schedule written by explore again, exactly; "
            + "exit 1: it fails again, 0: it holds (the failure no longer reproduces), 2: bad "
            + "input or a schedule that does not fit this build or scenario, 3: a bug in "
            + "xpmem-emu")
        {
            path, output,
        };
        command.SetAction(parsed => Execute(parsed.GetValue(path) ?? "", parsed.GetValue(output),
            console));
        return command;
    }

    public static int Execute(string path, string? outFolder, CliConsole console)
    {
        Schedule schedule;
        try
        {
            schedule = ScheduleFile.Read(path);
        }
        catch (ScheduleFileException bad)
        {
            return RunCommand.Refuse(console, bad.Message);
        }
        if (Refusal(path, schedule) is { } refusal) return RunCommand.Refuse(console, refusal);
        if (PreparedScenario.Of(schedule.Scenario, schedule.Faults, schedule.Overrides,
            out var error, schedule.File) is not { } scenario)
        {
            return RunCommand.Refuse(console, $"{path}: its scenario: {error}");
        }
        if (scenario.Sha256 != schedule.ScenarioSha256)
        {
            return RunCommand.Refuse(console, $"{path}: the scenario {schedule.Scenario} changed "
                + "since the schedule was recorded (its sha256 differs): a schedule replays only "
                + "the file it was recorded on");
        }
        if (StepCut.Problem(scenario.Scenario, schedule.LeftOut) is { } cut)
            return RunCommand.Refuse(console, $"{path}: \"{ScheduleFile.LeftOutField}\": {cut}");
        if (outFolder is not null && OutputPaths.CheckFolder("--out", outFolder) is { } badOut)
            return RunCommand.Refuse(console, badOut);
        var name = UserText.Safe($"{scenario.Scenario.Name} ({schedule.Scenario})");
        console.Line($"replay {name}: seed {schedule.Seed}, a {schedule.Strategy} schedule: "
            + ExploreCommand.Figures(schedule));
        ReplayOutcome replay;
        using (var runner = new ScheduleRunner(scenario.Scenario, scenario.AkkaConfig))
            replay = Replayer.Exactly(runner, schedule, outFolder);
        if (replay.Mismatch is { } mismatch) return Unfit(console, path, schedule, mismatch);
        var sameTrace = schedule.TraceSha256 is not { } recorded || recorded == replay.TraceSha256;
        var same = sameTrace && replay.SameVerdictAs(schedule)
            ? "the same deliveries, trace and verdict as recorded"
            : "the same deliveries as recorded, but " + (sameTrace ? "another verdict"
                : "another trace");
        if (outFolder is not null)
            console.Line($"  trace: {UserText.Safe(Path.Combine(outFolder, "trace.jsonl"))}");
        if (replay.Result.Passed)
        {
            console.Markup($"[green]held[/]   {Spectre.Console.Markup.Escape(name)}: the "
                + $"failure no longer reproduces ({same})");
            return ExitCodes.Held;
        }
        console.Markup($"[red]FAILED[/] {Spectre.Console.Markup.Escape(name)} again ({same})");
        foreach (var failure in ScheduleVerdicts.Failures(replay.Result))
            console.Failure(failure);
        return ExitCodes.ScenarioFailed;
    }

    /// <summary>What makes the file unusable before anything runs, or null.</summary>
    private static string? Refusal(string path, Schedule schedule)
    {
        if (!Path.IsPathFullyQualified(schedule.Scenario))
            return $"{path}: \"scenario\" is not a full path: {schedule.Scenario}";
        if (!File.Exists(schedule.Scenario))
            return $"{path}: its scenario {schedule.Scenario} is not there any more";
        return null;
    }

    /// <summary>
    /// The run left the schedule. Another build may schedule differently: bad input. The same
    /// build on the same scenario must not: a bug.
    /// </summary>
    private static int Unfit(CliConsole console, string path, Schedule schedule, string mismatch)
    {
        if (schedule.Build != Program.Version)
        {
            return RunCommand.Refuse(console, $"{path}: the schedule does not fit this build "
                + $"({mismatch}); it was recorded by {schedule.Build}, this is {Program.Version}");
        }
        console.Diagnostic($"{UserText.Safe(path)}: the run left its schedule ({mismatch}) on "
            + "the build and scenario that recorded it, which is a bug in xpmem-emu");
        return ExitCodes.Bug;
    }
}
