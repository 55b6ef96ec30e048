using System.Diagnostics;
using Akka.Configuration;
using Emulator.Host.Cli;
using Emulator.Host.Cluster;
using Emulator.Host.Machines;
using Emulator.Host.Runner;
using Emulator.Host.Scenarios;
using Spectre.Console;

namespace Emulator.Host;

/// <summary>What <c>run</c> was asked: the files and options as the user gave them.</summary>
public sealed record RunRequest(IReadOnlyList<string> Files)
{
    /// <summary><c>--seed N</c>: every file runs once under N.</summary>
    public int? Seed { get; init; }

    /// <summary><c>--seeds SPEC</c>: a sweep, every file under every seed of SPEC.</summary>
    public SeedSpec? Seeds { get; init; }

    /// <summary><c>--out DIR</c>: where traces go.</summary>
    public string? Out { get; init; }

    /// <summary><c>--results FILE</c>: a JSON summary of every run.</summary>
    public string? Results { get; init; }

    /// <summary><c>--junit FILE</c>: every run as a JUnit XML testcase.</summary>
    public string? JUnit { get; init; }

    /// <summary><c>--keep-going</c>: a sweep runs every seed after a failure.</summary>
    public bool KeepGoing { get; init; }

    /// <summary><c>--quiet</c>: failures and the closing line only.</summary>
    public bool Quiet { get; init; }

    /// <summary><c>--mode</c>: what runs the machine (sim by default).</summary>
    public RunMode Mode { get; init; } = RunMode.Sim;

    /// <summary>
    /// <c>--faults LIST</c>: link faults every run starts with (<see cref="FaultsOption"/>).
    /// </summary>
    public IReadOnlyList<string> Faults { get; init; } = [];

    /// <summary>
    /// <c>--nodes</c>, <c>--seed-nodes</c>, <c>--host</c>, <c>--port</c>: where a cluster run's
    /// partitions live.
    /// </summary>
    public ClusterPlan Cluster { get; init; } = ClusterPlan.Default;

    /// <summary>
    /// <c>--set KEY=VALUE</c>: emulator settings for these runs (<see cref="SetOption"/>).
    /// </summary>
    public IReadOnlyList<string> Overrides { get; init; } = [];
}

/// <summary>
/// <c>run</c>: parses every file and checks every output path first (bad input stops everything
/// with exit 2 and runs nothing), then runs. Without <c>--seeds</c> each file runs once and gets
/// a full report; with it, every file runs under every seed in one process (one reused
/// ActorSystem), with a progress bar on a terminal, stopping at the first failure unless
/// <c>--keep-going</c>. Every failure names its file and seed and the command that reproduces
/// it. Exit 0: every run held; 1: one did not (see <see cref="ExitCodes"/>).
/// </summary>
public static class RunCommand
{
    public const int Held = ExitCodes.Held;
    public const int ScenarioFailed = ExitCodes.ScenarioFailed;
    public const int BadInput = ExitCodes.BadInput;

    /// <summary>
    /// Runs the request. <paramref name="reuseSystem"/> off gives every run a fresh ActorSystem
    /// (slower; for measuring what reuse saves).
    /// </summary>
    public static int Execute(RunRequest request, CliConsole console, Config? akkaConfig = null,
        bool reuseSystem = true)
    {
        var scenarios = new List<Scenario>();
        foreach (var path in request.Files)
        {
            try
            {
                scenarios.Add(ScenarioParser.ParseFile(path));
            }
            catch (ScenarioException error)
            {
                return Refuse(console, error.Message);
            }
            if (request.Faults.Count == 0) continue;
            if (FaultsOption.Apply(scenarios[^1], request.Faults, out var refused)
                is not { } faulty)
            {
                return Refuse(console, $"{path}: {refused}");
            }
            scenarios[^1] = faulty;
        }
        if (Problem(request, scenarios) is { } problem) return Refuse(console, problem);
        if (!SetOption.TryParse(request.Overrides, out var overrides, out var refusal))
            return Refuse(console, refusal);
        if (request.Overrides.Count > 0)
        {
            akkaConfig = ConfigurationFactory.ParseString(overrides)
                .WithFallback(akkaConfig ?? Settings.Defaults);
        }
        var names = SweepFile.TraceNames(request.Files);
        var files = request.Files.Select((path, i) => File(request, path, scenarios[i], names[i]))
            .ToList();
        // A cluster's nodes are other processes: they are given the overrides too.
        using var runner = new SweepRunner(akkaConfig ?? Settings.Load(), reuseSystem,
            request.Mode, request.Cluster with { Overrides = request.Overrides });
        var execution = new Execution(request, console, runner, files);
        SweepTotals totals;
        try
        {
            totals = execution.Run();
        }
        catch (ClusterStartException e)
        {
            // The nodes' side, not the scenario's: no run could start.
            return Refuse(console, $"cannot start the cluster: {e.Message}");
        }
        if (request.Results is { } results) ResultsJson.Write(results, totals, execution.Kept,
            request.Mode);
        if (request.JUnit is { } junit) JUnitXml.Write(junit, totals, execution.Kept);
        return totals.ExitCode;
    }

    /// <summary>
    /// Bad input: the message on stderr, each of its lines (one per error found) a line of its
    /// own, exit 2.
    /// </summary>
    internal static int Refuse(CliConsole console, string message)
    {
        foreach (var line in message.Split('\n'))
            console.Diagnostic($"bad input: {UserText.Safe(line)}");
        return BadInput;
    }

    /// <summary>What makes the request impossible before anything runs, or null.</summary>
    private static string? Problem(RunRequest request, IReadOnlyList<Scenario> scenarios)
    {
        if (request.Seeds is { } spec)
        {
            for (var i = 0; i < scenarios.Count; i++)
            {
                if (spec.ProblemFor(SweepFile.OwnSeed(scenarios[i])) is { } seeds)
                    return $"{request.Files[i]}: --seeds {spec}: {seeds}";
            }
        }
        if (request.Results is { } results && request.JUnit is { } junit
            && Path.GetFullPath(results) == Path.GetFullPath(junit))
        {
            return $"--results and --junit name the same file ({results})";
        }
        return (request.Out is { } folder ? OutputPaths.CheckFolder("--out", folder) : null)
            ?? (request.Results is { } json ? OutputPaths.CheckFile("--results", json) : null)
            ?? (request.JUnit is { } xml ? OutputPaths.CheckFile("--junit", xml) : null);
    }

    private static SweepFile File(RunRequest request, string path, Scenario scenario,
        string traceName)
    {
        var own = SweepFile.OwnSeed(scenario);
        return request.Seeds is { } spec
            ? new SweepFile(path, scenario, spec.SeedsFor(own), spec.CountFor(own), traceName)
            : new SweepFile(path, scenario, [request.Seed ?? own], 1, traceName);
    }

    /// <summary>One command's runs: the loop, the traces, what is printed.</summary>
    private sealed class Execution(RunRequest request, CliConsole console, SweepRunner runner,
        IReadOnlyList<SweepFile> files)
    {
        private readonly bool _sweep = request.Seeds is not null;
        private readonly bool _keepAll = request.Results is not null || request.JUnit is not null;
        private long _held;
        private long _failed;

        /// <summary>Runs for the results files: all when asked for, else failures.</summary>
        public List<RunRecord> Kept { get; } = [];

        public SweepTotals Run()
        {
            var clock = Stopwatch.StartNew();
            var total = files.Sum(f => f.SeedCount);
            var bar = _sweep && !request.Quiet && console.OutputIsTerminal
                && console.Out.Profile.Capabilities is { Ansi: true, Interactive: true };
            SweepProgress.Run(console.Out, bar, total, advance =>
            {
                foreach (var file in files)
                {
                    if (!RunFile(file, advance)) break;
                }
            });
            var totals = new SweepTotals(request.Seeds?.Text, files.Count, _held, _failed,
                total - _held - _failed, clock.Elapsed);
            console.Line(_sweep ? SweepClosing(totals) : PlainClosing(totals));
            return totals;
        }

        /// <summary>Runs one file under its seeds; false when the sweep must stop.</summary>
        private bool RunFile(SweepFile file, Action<string> advance)
        {
            long held = 0;
            var failedSeeds = new List<int>();
            foreach (var seed in file.Seeds)
            {
                var record = RunOne(file, seed);
                advance(file.Path);
                if (record.Passed)
                {
                    held++;
                    // Its checkers all held: results files do not list them, and a long sweep
                    // should not hold them all in memory.
                    if (_keepAll)
                        Kept.Add(record with { Result = record.Result with { Checks = [] } });
                }
                else
                {
                    failedSeeds.Add(seed);
                    Kept.Add(record);
                }
                Report(record);
                if (!record.Passed && _sweep && !request.KeepGoing)
                {
                    FileLine(file, held, failedSeeds);
                    return false;
                }
            }
            FileLine(file, held, failedSeeds);
            return true;
        }

        private RunRecord RunOne(SweepFile file, int seed)
        {
            if (!_sweep)
            {
                // Every run keeps its trace: DIR/trace.jsonl, or DIR/NAME/ with several files.
                var folder = request.Out is not { } root ? null
                    : files.Count == 1 ? root : Path.Combine(root, file.TraceName);
                var result = runner.Run(file.Scenario, seed, folder);
                return Tally(Record(file, seed, result, TraceIn(folder)));
            }
            var run = runner.Run(file.Scenario, seed);
            if (run.Passed || request.Out is not { } sweepRoot)
                return Tally(Record(file, seed, run, null));
            // A sweep keeps the traces of failing runs only: run the seed again with a trace.
            var traced = Path.Combine(sweepRoot, file.TraceName, $"seed-{seed}");
            var again = runner.Run(file.Scenario, seed, traced);
            // A live run is not reproducible: its traced run is another run, which may differ.
            if (request.Mode == RunMode.Sim
                && (again.Passed != run.Passed || again.Failure != run.Failure))
            {
                console.Diagnostic($"{UserText.Safe(file.Path)} seed {seed} ended differently "
                    + "when run again with a trace: the run is not reproducible, which is a bug");
            }
            return Tally(Record(file, seed, run, TraceIn(traced)));
        }

        private RunRecord Record(SweepFile file, int seed, RunResult result, string? trace) =>
            new(file, seed, result, trace)
            {
                Mode = request.Mode,
                Faults = request.Faults,
                Overrides = request.Overrides,
            };

        private static string? TraceIn(string? folder) =>
            folder is null ? null : Path.Combine(folder, "trace.jsonl");

        private RunRecord Tally(RunRecord record)
        {
            if (record.Passed) _held++;
            else _failed++;
            return record;
        }

        private void Report(RunRecord record)
        {
            if (!record.Passed) ReportFailure(record);
            if (_sweep || request.Quiet) return;
            if (record.Passed)
                console.Markup($"[green]held[/]   {Markup.Escape(Title(record))}");
            ReportFigures(record.Result);
        }

        private void ReportFailure(RunRecord record)
        {
            console.Markup($"[red]FAILED[/] {Markup.Escape(Title(record))}");
            foreach (var failure in record.Failures) console.Failure(failure);
            console.Line($"  reproduce: {UserText.Safe(record.Reproduce)}");
            if (record.TracePath is { } trace) console.Line($"  trace: {UserText.Safe(trace)}");
        }

        private void ReportFigures(RunResult result)
        {
            var s = result.Summary;
            // The machine's clock: virtual in sim; in live it is the wall clock.
            var clock = request.Mode == RunMode.Sim ? "virtual time" : "machine time";
            var table = new Table().AddColumns("steps", "calls", "faults", "messages", "xpc",
                "pins", clock, "elapsed");
            table.AddRow(s.Steps.ToString(), s.Calls.ToString(), s.Faults.ToString(),
                s.Messages.ToString(), s.XpcMessages.ToString(),
                $"{s.Pins.Pinned}/{s.Pins.Unpinned}", $"{s.VirtualTime.TotalMilliseconds:0.###} ms",
                $"{s.Elapsed.TotalMilliseconds:0} ms");
            console.Out.Write(table);
            foreach (var check in result.Checks)
            {
                console.Markup($"  {(check.Held ? "[green]held[/]  " : "[red]failed[/]")} "
                    + Markup.Escape(UserText.Safe($"{check.Name}: {check.Detail}")));
            }
        }

        /// <summary>A sweep's line per file (not with --quiet): how many seeds held.</summary>
        private void FileLine(SweepFile file, long held, IReadOnlyList<int> failedSeeds)
        {
            if (!_sweep || request.Quiet) return;
            var name = Markup.Escape(UserText.Safe($"{file.Scenario.Name} ({file.Path})"));
            var ran = held + failedSeeds.Count;
            if (failedSeeds.Count == 0)
            {
                console.Markup($"[green]held[/]   {name}: {CliConsole.Count(held, "seed")} held");
                return;
            }
            var seeds = string.Join(", ", failedSeeds.Take(20))
                + (failedSeeds.Count > 20 ? ", ..." : "");
            console.Markup($"[red]FAILED[/] {name}: {failedSeeds.Count} of "
                + $"{CliConsole.Count(ran, "seed")} failed ({seeds})");
        }

        private static string Title(RunRecord record) => UserText.Safe(
            $"{record.File.Scenario.Name} ({record.File.Path}, seed {record.Seed})");

        private static string PlainClosing(SweepTotals totals) =>
            $"{CliConsole.Count(totals.Held, "scenario")} held, {totals.Failed} failed";

        private string SweepClosing(SweepTotals totals)
        {
            var notRun = totals.NotRun > 0 ? $", {totals.NotRun} not run" : "";
            var stopped = totals.NotRun > 0
                ? "; stopped at the first failure (--keep-going runs every seed)"
                : "";
            return $"{CliConsole.Count(totals.Held, "run")} held, {totals.Failed} failed{notRun}"
                + $" ({CliConsole.Count(totals.Files, "file")}, --seeds "
                + $"{UserText.Safe(request.Seeds!.Text)}, {totals.Elapsed.TotalSeconds:0.0} s, "
                + $"{CliConsole.Rate(totals.RunsPerSecond, "runs")}){stopped}";
        }
    }
}
