using System.Text.RegularExpressions;
using Emulator.Host.Runner;

namespace Emulator.Host.Explore;

/// <summary>
/// What makes two failing runs the same failure for shrinking: the same cause, at the same step
/// of the file, (for a checker) the same checker, and whether the step failed for a name with no
/// value (or a fork's child that is not there), which the same step failing for what it found is
/// not. A shrink keeps only schedules that fail the same way, so it cannot slide from the bug it
/// was given to another one, nor to a step that lost what it uses.
/// </summary>
public static partial class FailureSignature
{
    public static string Of(RunResult result) =>
        $"{result.Cause}|{result.FailedStep?.Location}|{CheckerOf(result)}|{Unbound(result)}";

    private static bool Unbound(RunResult result) => result.Cause == FailureCause.Step
        && result.Failure is { } failure
        && (failure.Contains(ScenarioRunner.NoValue, StringComparison.Ordinal)
            || failure.Contains(ScenarioRunner.NoProcess, StringComparison.Ordinal));

    private static string CheckerOf(RunResult result)
    {
        if (result.Failure is { } failure && Checker().Match(failure) is { Success: true } match)
            return match.Groups[1].Value;
        return string.Join(",", result.Checks.Where(check => !check.Held).Select(c => c.Name));
    }

    [GeneratedRegex("^checker '([^']*)' failed")]
    private static partial Regex Checker();
}
