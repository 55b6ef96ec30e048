using Emulator.Host.Runner;

namespace Emulator.Host.Explore;

/// <summary>How a run's end reads in schedule files and in the explore's output.</summary>
public static class ScheduleVerdicts
{
    /// <summary>What failed, one message per line: the step or machine, then each checker that
    /// did not hold at the end. Empty when the run held.</summary>
    public static IReadOnlyList<string> Failures(RunResult result)
    {
        var failures = new List<string>();
        if (result.Failure is { } failure) failures.Add(failure);
        foreach (var check in result.Checks.Where(check => !check.Held))
        {
            failures.Add($"checker '{check.Name}' did not hold: {check.Detail} "
                + $"(seed {result.Seed})");
        }
        return failures;
    }

    public static ScheduleVerdict Of(RunResult result) => new(result.Passed,
        result.Passed ? null : (result.Cause?.ToString() ?? "Checker"),
        result.Passed ? null : string.Join("\n", Failures(result)));

    /// <summary>True when <paramref name="result"/> ended as <paramref name="verdict"/> says.
    /// </summary>
    public static bool Same(RunResult result, ScheduleVerdict verdict) => Of(result) == verdict;
}
