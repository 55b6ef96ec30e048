// Proves the live run mode runs the same scenarios as sim with the same runner and checkers: every
// file in examples/ and every deterministic file of Tests/Suites (no expectation with
// alternatives, so its outcomes do not depend on the schedule) holds in live, every checker with
// it; the racy Suites files (expectations with alternatives) never fail a checker, never get
// stuck and never hit an emulator bug over a few live runs, whichever outcome their races give.
// Live runs take real time (a `wait 1s` waits a second), so each file runs a few times, not
// hundreds: the hundreds of seeds are sim's job.
using Emulator.Host;
using Emulator.Host.Cli;
using Emulator.Host.Machines;
using Emulator.Host.Runner;
using Emulator.Host.Scenarios;
using Emulator.Tests.Examples;
using Xunit;

namespace Emulator.Tests.Live;

public sealed class LiveModeSpec
{
    /// <summary>
    /// Live runs of each racy file (each one a different schedule, as the threads go).
    /// </summary>
    private const int RacyRepeats = 3;

    private static readonly string SuitesFolder =
        ExamplesSpec.RepositoryFolder(Path.Combine("Tests", "Suites"));

    public static TheoryData<string> DeterministicFiles() => new(Deterministic());

    public static TheoryData<string> RacyFiles() => new(Racy());

    [Theory]
    [MemberData(nameof(DeterministicFiles))]
    public void Deterministic_scenario_must_hold_in_live_mode(string file)
    {
        var scenario = ScenarioParser.ParseFile(ExamplesSpec.RepositoryFolder(file));
        using var sweep = new SweepRunner(Settings.Defaults, mode: RunMode.Live);
        var result = sweep.Run(scenario, SweepFile.OwnSeed(scenario));
        Assert.True(result.Passed, $"{file} in live mode: {Describe(result)}");
        Assert.NotEmpty(result.Checks);
    }

    [Theory]
    [MemberData(nameof(RacyFiles))]
    public void Racy_scenario_must_never_fail_a_checker_in_live_mode(string file)
    {
        var scenario = ScenarioParser.ParseFile(Path.Combine(SuitesFolder, file));
        using var sweep = new SweepRunner(Settings.Defaults, mode: RunMode.Live);
        for (var run = 1; run <= RacyRepeats; run++)
        {
            var result = sweep.Run(scenario, run);
            var broken = result.Cause is FailureCause.Checker or FailureCause.Stuck
                or FailureCause.EmulatorBug or FailureCause.Start
                || result.Checks.Any(c => !c.Held);
            Assert.False(broken, $"{file}, live run {run}: {Describe(result)}");
        }
    }

    [Fact]
    public void Deterministic_files_must_include_every_example_and_most_suites()
    {
        var files = Deterministic().ToList();
        Assert.Equal(ExamplesSpec.Files().Count, files.Count(f => f.StartsWith("examples")));
        Assert.True(files.Count(f => f.StartsWith("Tests")) >= 10, string.Join(", ", files));
        Assert.True(Racy().Count() >= 10, "the racy Suites files are gone");
    }

    [Fact]
    public void Live_run_must_report_wall_time_and_deliveries()
    {
        var scenario = ScenarioParser.ParseFile(ExamplesSpec.RepositoryFolder(
            Path.Combine("examples", "parallel-and-virtual-time.hocon")));
        var result = ScenarioRunner.Run(scenario, new RunOptions(1, Mode: RunMode.Live));
        Assert.True(result.Passed, Describe(result));
        // Its waits add up to more than a second, and in live they take real time.
        Assert.True(result.Summary.VirtualTime >= TimeSpan.FromSeconds(1), $"{result.Summary}");
        Assert.True(result.Summary.Elapsed >= TimeSpan.FromSeconds(1), $"{result.Summary}");
        Assert.True(result.Summary.Messages > 0, $"{result.Summary}");
    }

    /// <summary>Paths from the repository's root: every example, then the Suites files.</summary>
    private static IEnumerable<string> Deterministic() =>
        Directory.GetFiles(ExamplesSpec.RepositoryFolder("examples"), "*.hocon")
            .OrderBy(f => f, StringComparer.Ordinal)
            .Select(path => Path.Combine("examples", Path.GetFileName(path)))
            .Concat(SuiteFiles().Where(path => !HasAlternatives(ScenarioParser.ParseFile(path)))
                .Select(path => Path.Combine("Tests", "Suites", Path.GetFileName(path))));

    /// <summary>File names in Tests/Suites.</summary>
    private static IEnumerable<string> Racy() =>
        SuiteFiles().Where(path => HasAlternatives(ScenarioParser.ParseFile(path)))
            .Select(path => Path.GetFileName(path));

    private static IEnumerable<string> SuiteFiles() =>
        Directory.GetFiles(SuitesFolder, "*.hocon").OrderBy(f => f, StringComparer.Ordinal);

    private static bool HasAlternatives(Scenario scenario) => HasAlternatives(scenario.Steps);

    private static bool HasAlternatives(IEnumerable<Step> steps) => steps.Any(step => step switch
    {
        CommandStep command => command.Expect is ExpectAny,
        ParallelStep parallel => parallel.Branches.Any(HasAlternatives),
        RepeatStep repeat => HasAlternatives(repeat.Steps),
        _ => false,
    });

    private static string Describe(RunResult result) =>
        result.Failure ?? string.Join("; ", result.Checks.Where(c => !c.Held)
            .Select(c => $"{c.Name}: {c.Detail}"));
}
