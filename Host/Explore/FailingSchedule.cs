using Emulator.Partitions.Sim;

namespace Emulator.Host.Explore;

/// <summary>Where a failing schedule's files went, what checking their replay said, and how the
/// shrink went (null when not asked for).</summary>
public sealed record WrittenSchedule(string SchedulePath, string TracePath, Schedule Schedule,
    string? ReplayProblem, ShrunkSchedule? Shrunk);

/// <summary>
/// A shrunk schedule as written next to its original; its paths and schedule are null when the
/// shrink could take nothing away (then nothing is written).
/// </summary>
public sealed record ShrunkSchedule(string? SchedulePath, string? TracePath, Schedule? Schedule,
    int Runs, string? ReplayProblem)
{
    /// <summary>The scenario file's command steps, before any was left out.</summary>
    public int FileSteps { get; init; }
}

/// <summary>
/// What an explore does with the failing schedule it found: runs it again recording every
/// decision and link draw and writing its trace (<c>DIR/seed-N/trace.jsonl</c>), writes the
/// schedule (<c>DIR/seed-N/schedule.json</c>), replays it to prove the file reproduces the run
/// (the same decisions, the same trace bytes, the same verdict), then shrinks it and writes the
/// shrunk one beside it (<c>schedule.shrunk.json</c>, its trace in <c>DIR/seed-N/shrunk/</c>),
/// proved the same way, if the shrink took anything away.
/// </summary>
public static class FailingSchedule
{
    public const string FileName = "schedule.json";

    /// <summary>Most runs one shrink may take, and how long.</summary>
    public const int ShrinkRunsMax = 2000;

    public static readonly TimeSpan ShrinkBudget = TimeSpan.FromMinutes(2);

    public static WrittenSchedule Write(PreparedScenario scenario, ExplorePlan plan,
        ExploreRequest request, FoundFailure found, string folder, bool shrink)
    {
        var runFolder = Path.Combine(folder, $"seed-{found.Seed}");
        ClearShrunk(runFolder);
        using var runner = new ScheduleRunner(scenario.Scenario, scenario.AkkaConfig);
        var recorded = Replayer.Record(runner, found.Seed, plan.Strategy.Create(), plan.Timers,
            runFolder, inject: plan.Injecting(found.Seed));
        var schedule = Describe(scenario, plan, request, recorded) with { Index = found.Index };
        var path = Path.Combine(runFolder, FileName);
        ScheduleFile.Write(path, schedule);
        var sameRun = ScheduleVerdicts.Same(found.Result,
            ScheduleVerdicts.Of(recorded.Outcome.Result));
        var problem = !sameRun
            ? "the schedule ended differently when run again to record it, which is a bug in "
                + "xpmem-emu"
            : ProveReplay(runner, schedule, folder: null);
        var shrunk = shrink && !recorded.Outcome.Result.Passed
            ? Shrink(runner, scenario, plan, request, recorded, schedule, path, runFolder)
            : null;
        return new WrittenSchedule(path, Path.Combine(runFolder, "trace.jsonl"), schedule,
            problem, shrunk);
    }

    /// <summary>
    /// Replays <paramref name="schedule"/> and says what did not match: null when it took the
    /// same decisions, gave the same trace bytes and the same verdict.
    /// </summary>
    public static string? ProveReplay(ScheduleRunner runner, Schedule schedule, string? folder)
    {
        var replay = Replayer.Exactly(runner, schedule, folder);
        if (replay.Mismatch is { } mismatch) return $"its replay left the schedule: {mismatch}";
        if (schedule.TraceSha256 is { } trace && replay.TraceSha256 != trace)
            return "its replay wrote another trace";
        return replay.SameVerdictAs(schedule) ? null : "its replay ended differently";
    }

    private static ShrunkSchedule Shrink(ScheduleRunner runner, PreparedScenario scenario,
        ExplorePlan plan, ExploreRequest request, ScheduleRun recorded, Schedule original,
        string originalPath, string runFolder)
    {
        var result = Shrinker.Shrink(recorded, scenario.Scenario,
            attempt => Replayer.Record(runner, original.Seed, plan.Timers, attempt),
            ShrinkRunsMax, ShrinkBudget);
        var fileSteps = StepCut.FileSteps(scenario.Scenario).Count;
        if (result.Shrunk.LeftOut.Count == 0
            && result.Shrunk.Deviations >= original.Deviations
            && result.Shrunk.FaultDraws >= original.FaultDraws
            && result.Shrunk.Injected.Count >= original.Injected.Count)
        {
            return new ShrunkSchedule(null, null, null, result.Runs, null)
            {
                FileSteps = fileSteps,
            };
        }
        var shrunkFolder = Path.Combine(runFolder, "shrunk");
        var candidate = Describe(scenario, plan, request, result.Shrunk) with
        {
            ShrunkFrom = originalPath,
        };
        // Its trace and sha256 come from an exact replay of what was recorded.
        var traced = Replayer.Exactly(runner, candidate, shrunkFolder);
        var schedule = candidate with { TraceSha256 = traced.TraceSha256 };
        var path = Path.ChangeExtension(originalPath, null) + ScheduleFile.ShrunkSuffix;
        ScheduleFile.Write(path, schedule);
        var problem = traced.Mismatch is { } mismatch
            ? $"its replay left the schedule: {mismatch}"
            : traced.SameVerdictAs(schedule) ? null : "its replay ended differently";
        return new ShrunkSchedule(path, Path.Combine(shrunkFolder, "trace.jsonl"), schedule,
            result.Runs, problem) { FileSteps = fileSteps };
    }

    /// <summary>
    /// Takes away what an earlier explore shrank into this folder, so a shrunk schedule there is
    /// always this one's.
    /// </summary>
    private static void ClearShrunk(string runFolder)
    {
        var shrunk = Path.Combine(runFolder,
            Path.GetFileNameWithoutExtension(FileName) + ScheduleFile.ShrunkSuffix);
        if (File.Exists(shrunk)) File.Delete(shrunk);
        var traces = Path.Combine(runFolder, "shrunk");
        if (Directory.Exists(traces)) Directory.Delete(traces, recursive: true);
    }

    private static Schedule Describe(PreparedScenario scenario, ExplorePlan plan,
        ExploreRequest request, ScheduleRun run) => new()
    {
        Scenario = scenario.Path,
        File = scenario.Name,
        ScenarioSha256 = scenario.Sha256,
        Build = Program.Version,
        Overrides = request.Overrides,
        Faults = request.Faults,
        Seed = run.Outcome.Result.Seed,
        Strategy = plan.Strategy.Name,
        Depth = plan.Strategy.IsPct ? plan.Strategy.Depth : null,
        EstimatedSteps = plan.Strategy.IsPct ? plan.Strategy.EstimatedSteps : null,
        Timers = plan.Timers,
        Choices = run.Choices,
        Draws = run.Draws,
        LeftOut = run.LeftOut,
        Digest = run.Outcome.Digest,
        Deliveries = run.Outcome.Result.Summary.Messages,
        TraceSha256 = run.Outcome.Result.Trace is { } trace ? ScheduleFile.Sha256(trace) : null,
        Verdict = ScheduleVerdicts.Of(run.Outcome.Result),
        Inject = plan.Inject.Names,
        Injected = run.Injected,
    };
}
