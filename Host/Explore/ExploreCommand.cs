using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Emulator.Host.Cli;
using Emulator.Host.Injection;
using Emulator.Host.Reports;
using Emulator.Host.Reports.Coverage;
using Emulator.Host.Scenarios;
using Command = System.CommandLine.Command;
using Emulator.Partitions.Sim;

namespace Emulator.Host.Explore;

/// <summary>
/// <c>xpmem-emu explore FILE [--schedules N] [--strategy random|pct|round-robin] [--depth D]
/// [--seed S] [--workers W] [--time-limit T] [--timers idle|due|race] [--faults LIST] [--inject
/// LIST] [--set KEY=VALUE]... [--out DIR] [--no-shrink]</c>: runs many schedules of one scenario in
/// sim mode (<see cref="Explorer"/>). On a failing schedule it writes the schedule and its trace,
/// shrinks it, prints the seed and a <c>replay</c> line for each, and exits 1; when every schedule
/// held, a summary and exit 0; bad input, exit 2 with nothing run.
/// </summary>
public static class ExploreCommand
{
    /// <summary>The folder failing schedules go to without <c>--out</c>, under the current
    /// directory (one folder per scenario inside it).</summary>
    public const string DefaultFolder = "xpmem-explore";

    /// <summary>What an explore that found nothing writes in <c>--out DIR</c>.</summary>
    public const string CoverageFile = "coverage.html";

    private static readonly TimeSpan PlainProgressInterval = TimeSpan.FromSeconds(5);

    /// <summary>Left-out steps a schedule's figures name; the file has them all.</summary>
    private const int LeftOutNamed = 8;

    public static Command CommandLine(CliConsole console)
    {
        var file = new Argument<string>("FILE")
        {
            Description = "The scenario file (HOCON, language version 1)",
        };
        var schedules = new Option<long>("--schedules")
        {
            HelpName = "N",
            Description = $"Run at most N schedules (default {ExploreRequest.SchedulesDefault})",
            DefaultValueFactory = _ => ExploreRequest.SchedulesDefault,
            CustomParser = result => NumberOptions.Whole(result, "--schedules", 1L, long.MaxValue),
        };
        var strategy = new Option<string>("--strategy")
        {
            HelpName = "random|pct|round-robin",
            Description = "How each schedule picks the next delivery: random (default: evenly "
                + "among ready actors), pct (probabilistic concurrency testing: random actor "
                + "priorities and depth-1 priority change points) or round-robin (first come, "
                + "first served: fair, one schedule)",
            DefaultValueFactory = _ => StrategyPlan.Random.Name,
            CustomParser = ParseStrategy,
        };
        var depth = new Option<int?>("--depth")
        {
            HelpName = "D",
            Description = $"pct's depth: D-1 priority change points (default "
                + $"{StrategyPlan.DepthDefault}); with --strategy pct only",
            CustomParser = result => NumberOptions.Whole(result, "--depth", 1, 1000),
        };
        var seed = new Option<int?>("--seed")
        {
            HelpName = "S",
            Description = $"Schedule i runs under seed S+i (default: the file's seed, or 1); "
                + SeedSpec.SeedIs,
            CustomParser = Program.ParseSeed,
        };
        var workers = new Option<int?>("--workers")
        {
            HelpName = "W",
            Description = "Schedules run at once, each worker on its own ActorSystem (default: "
                + $"every core, {Environment.ProcessorCount} here)",
            CustomParser = result => NumberOptions.Whole(result, "--workers", 1, 1024),
        };
        var timeLimit = new Option<TimeSpan?>("--time-limit")
        {
            HelpName = "T",
            Description = "Start no schedule after T of wall-clock time (500ms, 30s, 1.5s)",
            CustomParser = ParseTimeLimit,
        };
        var timers = new Option<SimTimers>("--timers")
        {
            HelpName = "idle|due|race",
            Description = "When a virtual-time timer may fire before ready work: idle (default: "
                + "only when nothing is ready, as run does), due (also once its time has come), "
                + "race (also early, moving the clock: a timeout races the reply it guards)",
            DefaultValueFactory = _ => SimTimers.Idle,
            CustomParser = ParseTimers,
        };
        var faults = new Option<IReadOnlyList<string>>("--faults")
        {
            HelpName = "LIST",
            Description = "Start every schedule with these link faults (as run --faults); each "
                + $"schedule draws their losses, duplicates and delays from its seed: "
                + FaultsOption.Forms,
            DefaultValueFactory = _ => [],
            CustomParser = FaultsOption.Parse,
        };
        var inject = new Option<IReadOnlyList<InjectKind>>("--inject")
        {
            HelpName = "LIST",
            Description = "Inject faults into every schedule, chosen from its seed: crash and "
                + "restart (a partition, at a drawn delivery), owner-crash (the owner's partition "
                + "as a fault's pin reaches it), reply-drop (the link loses a remote fault's pin "
                + "reply), release-during-fault (the attacher releases the permit while its "
                + "attachment faults); steps' outcomes are not judged after one: "
                + InjectOption.Forms,
            DefaultValueFactory = _ => [],
            CustomParser = InjectOption.Parse,
        };
        var overrides = new Option<string[]>("--set")
        {
            HelpName = "KEY=VALUE",
            Description = "Override a setting of akka.hocon's xpmem-emulator section for every "
                + "schedule (repeatable), as run --set does",
            Arity = ArgumentArity.ZeroOrMore,
            DefaultValueFactory = _ => [],
        };
        var output = new Option<string?>("--out")
        {
            HelpName = "DIR",
            Description = "Write a failing schedule and its trace in DIR/seed-N/ (default: "
                + $"./{DefaultFolder}/NAME, under the current directory)",
        };
        var noShrink = new Option<bool>("--no-shrink")
        {
            Description = "Do not shrink a failing schedule (shrinking replays it up to "
                + $"{FailingSchedule.ShrinkRunsMax} times)",
        };
        var command = new Command("explore", "Run many schedules of one scenario in sim mode, "
            + "looking for one that fails; exit 0: none did, 1: one did (its schedule, trace "
            + "and replay line are printed), 2: bad input, 3: a bug in xpmem-emu")
        {
            file, schedules, strategy, depth, seed, workers, timeLimit, timers, faults, inject,
            overrides, output, noShrink,
        };
        command.Validators.Add(result =>
        {
            var named = result.GetResult(strategy)?.Tokens is [.., var last] ? last.Value : "";
            if (result.GetResult(depth) is { Implicit: false } && named != PctStrategy.Key)
                result.AddError("--depth goes with --strategy pct only");
        });
        command.SetAction(parsed =>
        {
            var plan = new StrategyPlan(parsed.GetValue(strategy) ?? RandomStrategy.Key,
                parsed.GetValue(depth) ?? StrategyPlan.DepthDefault);
            return Execute(new ExploreRequest(parsed.GetValue(file) ?? "")
            {
                Schedules = parsed.GetValue(schedules),
                Strategy = plan,
                Seed = parsed.GetValue(seed),
                Workers = parsed.GetValue(workers),
                TimeLimit = parsed.GetValue(timeLimit),
                Timers = parsed.GetValue(timers),
                Faults = parsed.GetValue(faults) ?? [],
                Inject = parsed.GetValue(inject) ?? [],
                Overrides = parsed.GetValue(overrides) ?? [],
                Out = parsed.GetValue(output),
                NoShrink = parsed.GetValue(noShrink),
            }, console);
        });
        return command;
    }

    /// <summary>Runs the request (see the class summary); returns the exit code.</summary>
    public static int Execute(ExploreRequest request, CliConsole console)
    {
        if (PreparedScenario.Of(request.File, request.Faults, request.Overrides, out var error)
            is not { } scenario)
        {
            return RunCommand.Refuse(console, error);
        }
        if (request.Out is { } folder && OutputPaths.CheckFolder("--out", folder) is { } bad)
            return RunCommand.Refuse(console, bad);
        var plan = new ExplorePlan(scenario.Scenario, scenario.AkkaConfig, request.Strategy,
            request.Timers, request.Seed ?? SweepFile.OwnSeed(scenario.Scenario),
            request.Schedules, request.Workers ?? Environment.ProcessorCount, request.TimeLimit)
        {
            Inject = new InjectSpec(request.Inject),
            BlockingCollections = true,
        };
        var name = UserText.Safe($"{scenario.Scenario.Name} ({request.File})");
        var result = Explorer.Run(plan, Progress(console, name));
        if (console.ErrorIsTerminal) console.ErrorWriter.WriteLine();
        plan = plan with { Strategy = result.Strategy, Inject = result.Inject };
        if (result.Failure is not { } found)
        {
            if (request.Out is { } coverageFolder)
                console.Line($"  coverage: {WriteCoverage(coverageFolder, result.Coverage)}");
            console.Line($"explore {name}: {Summary(plan, result)}: no schedule failed");
            return ExitCodes.Held;
        }
        var outFolder = request.Out ?? Path.Combine(DefaultFolder,
            SweepFile.TraceNames([request.File])[0]);
        var written = FailingSchedule.Write(scenario, plan, request, found, outFolder,
            shrink: !request.NoShrink);
        // The failing run's report shows what every schedule of the explore reached.
        var report = RunReports.WriteBeside(written.TracePath, coverage: result.Coverage).Report;
        Report(console, name, plan, found, written, request.Out is null);
        console.Line($"  report: {UserText.Safe(report)} (coverage summed over the explore)");
        console.Line($"explore {name}: {Summary(plan, result)}: schedule {found.Index} failed");
        return ExitCodes.ScenarioFailed;
    }

    private static void Report(CliConsole console, string name, ExplorePlan plan,
        FoundFailure found, WrittenSchedule written, bool defaultFolder)
    {
        console.Markup($"[red]FAILED[/] {Spectre.Console.Markup.Escape(name)}: schedule "
            + $"{found.Index} (seed {found.Seed}, {plan.Strategy}, timers "
            + $"{ScheduleFile.TimersName(plan.Timers)})");
        foreach (var failure in ScheduleVerdicts.Failures(found.Result))
            console.Failure(failure);
        var schedule = written.Schedule;
        var where = defaultFolder ? " (under the current directory; --out DIR to choose)" : "";
        console.Line($"  schedule: {UserText.Safe(written.SchedulePath)}{where}: "
            + $"{Figures(schedule)}");
        console.Line($"  trace: {UserText.Safe(written.TracePath)}");
        console.Line($"  replay: xpmem-emu replay {RunRecord.ShellWord(written.SchedulePath)}");
        if (written.ReplayProblem is { } problem)
            console.Diagnostic($"the schedule does not reproduce its run ({problem}): a bug");
        if (written.Shrunk is { } shrunk) ReportShrunk(console, schedule, shrunk);
    }

    private static void ReportShrunk(CliConsole console, Schedule schedule, ShrunkSchedule shrunk)
    {
        if (shrunk.Schedule is not { } smaller)
        {
            console.Line($"  shrinking took nothing away in {CliConsole.Count(shrunk.Runs, "run")}"
                + $": its {CliConsole.Count(shrunk.FileSteps, "step")}, "
                + $"{schedule.Deviations} decisions off the default order"
                + (schedule.Injected.Count > 0
                    ? $", {CliConsole.Count(schedule.Injected.Count, "injected fault")}" : "")
                + $" and {CliConsole.Count(schedule.FaultDraws, "link fault")} are all needed");
            return;
        }
        console.Line($"  shrunk in {CliConsole.Count(shrunk.Runs, "run")}: "
            + $"{shrunk.FileSteps} -> {shrunk.FileSteps - smaller.LeftOut.Count} steps, "
            + $"{schedule.Deviations} -> {smaller.Deviations} decisions off the default "
            + $"order, {schedule.FaultDraws} -> {smaller.FaultDraws} link faults, "
            + (schedule.Inject.Count > 0
                ? $"{schedule.Injected.Count} -> {smaller.Injected.Count} injected faults, " : "")
            + $"{schedule.Deliveries} -> {smaller.Deliveries} deliveries");
        if (smaller.Verdict.Failure is { } shrunkFailure
            && shrunkFailure != schedule.Verdict.Failure)
        {
            console.Line("  the shrunk schedule's failure:");
            console.Failure(shrunkFailure);
        }
        console.Line($"  shrunk trace: {UserText.Safe(shrunk.TracePath!)}");
        console.Line($"  replay: xpmem-emu replay {RunRecord.ShellWord(shrunk.SchedulePath!)}");
        if (shrunk.ReplayProblem is { } shrunkProblem)
        {
            console.Diagnostic($"the shrunk schedule does not reproduce its run ({shrunkProblem})"
                + ": a bug");
        }
    }

    /// <summary>"812 decisions, 403 off the default order, 2 link faults, 1204 deliveries"
    /// </summary>
    internal static string Figures(Schedule schedule) =>
        $"{CliConsole.Count(schedule.Choices.Count, "decision")}, {schedule.Deviations} off the "
        + $"default order, {CliConsole.Count(schedule.FaultDraws, "link fault")}, "
        + $"{schedule.Deliveries} deliveries" + LeftOutFigure(schedule)
        + InjectedFigures(schedule);

    /// <summary>", injected: @57 crash p1, @80 reply-drop", or nothing.</summary>
    private static string InjectedFigures(Schedule schedule) => schedule.Inject.Count == 0 ? ""
        : schedule.Injected.Count == 0 ? ", no fault injected"
        : $", injected: {string.Join(", ", schedule.Injected)}";

    /// <summary>", 3 steps of the file left out (14:3 16:9 16:37)": the first few named.</summary>
    private static string LeftOutFigure(Schedule schedule)
    {
        var count = schedule.LeftOut.Count;
        if (count == 0) return "";
        var named = string.Join(" ", schedule.LeftOut.Take(LeftOutNamed));
        var more = count > LeftOutNamed ? $" and {count - LeftOutNamed} more" : "";
        return $", {CliConsole.Count(count, "step")} of the file left out ({named}{more})";
    }

    private static string Summary(ExplorePlan plan, ExploreResult result)
    {
        var stopped = result.TimedOut && result.Failure is null
            ? $" (stopped at the time limit, {plan.TimeLimit!.Value.TotalSeconds:0.###} s)"
            : "";
        return $"{CliConsole.Count(result.Ran, "schedule")} ({result.Distinct} distinct), "
            + $"{plan.Strategy}, seeds from {plan.Seed}, "
            + $"{CliConsole.Count(plan.Workers, "worker")}, "
            + $"{result.Elapsed.TotalSeconds:0.0} s, {result.PerSecond:0} schedules/s{stopped}, "
            + $"{result.Coverage.ReachedCount} of {ProtocolCoverage.ItemCount} protocol states "
            + "and steps reached" + InjectedSummary(plan, result);
    }

    /// <summary>
    /// What was injected, and the rule that goes with it: after an injected fault a schedule
    /// fails only by a checker, a stuck run or an emulator bug.
    /// </summary>
    private static string InjectedSummary(ExplorePlan plan, ExploreResult result)
    {
        if (!plan.Inject.Any) return "";
        var (schedules, faults) = result.Injected;
        return $", injected {string.Join(", ", plan.Inject.Names)}: "
            + $"{CliConsole.Count(faults, "fault")} in {CliConsole.Count(schedules, "schedule")}"
            + " (after one, steps' outcomes are not judged: checkers, liveness and bugs are)";
    }

    /// <summary>
    /// Writes <c>coverage.html</c> in <paramref name="folder"/>: the explore's coverage on a page
    /// of its own. Returns its path.
    /// </summary>
    private static string WriteCoverage(string folder, ProtocolCoverage coverage)
    {
        var path = Path.Combine(folder, CoverageFile);
        using var html = new StreamWriter(path);
        html.WriteLine("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            + "<title>xpmem-emu explore: coverage</title></head><body>");
        coverage.WriteHtml(html);
        html.WriteLine("</body></html>");
        return path;
    }

    /// <summary>
    /// The progress line on stderr: redrawn in place on a terminal, else a plain line every few
    /// seconds.
    /// </summary>
    private static Action<ExploreProgress> Progress(CliConsole console, string name)
    {
        var next = PlainProgressInterval;
        return progress =>
        {
            var line = $"explore {name}: {progress.Ran}/{progress.Schedules} schedules, "
                + $"{PerSecond(progress):0}/s, "
                + $"{CliConsole.Count(progress.Violations, "violation")}, "
                + $"{progress.Elapsed.TotalSeconds:0.0} s";
            if (console.ErrorIsTerminal)
            {
                console.ErrorWriter.Write($"\r{line}\u001b[K");
                console.ErrorWriter.Flush();
                return;
            }
            if (progress.Elapsed < next) return;
            next = progress.Elapsed + PlainProgressInterval;
            console.ErrorWriter.WriteLine(line);
        };
    }

    private static double PerSecond(ExploreProgress progress) =>
        progress.Elapsed.TotalSeconds > 0 ? progress.Ran / progress.Elapsed.TotalSeconds : 0;

    private static string ParseStrategy(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (StrategyPlan.Names.Contains(text)) return text;
        result.AddError($"--strategy '{UserText.Safe(text)}' is not a strategy: "
            + string.Join(", ", StrategyPlan.Names)
            + Suggestions.DidYouMean(text, StrategyPlan.Names));
        return RandomStrategy.Key;
    }

    private static SimTimers ParseTimers(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        switch (text)
        {
            case "idle": return SimTimers.Idle;
            case "due": return SimTimers.Due;
            case "race": return SimTimers.Race;
        }
        result.AddError($"--timers '{UserText.Safe(text)}' is not idle, due or race"
            + Suggestions.DidYouMean(text, ["idle", "due", "race"]));
        return SimTimers.Idle;
    }

    private static TimeSpan? ParseTimeLimit(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        var parsed = ScenarioValues.Duration(text);
        if (parsed.Error is null && parsed.Value > TimeSpan.Zero) return parsed.Value;
        result.AddError($"--time-limit '{UserText.Safe(text)}': "
            + (parsed.Error ?? "a time limit is more than 0"));
        return null;
    }
}
