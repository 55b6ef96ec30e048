using System.Text.RegularExpressions;
using Emulator.Host.Runner;

namespace Emulator.Host.Explore;

/// <summary>
/// What makes two failing runs the same failure for shrinking: the same cause, at the same step
/// of the file, and (for a checker) the same checker. A shrink keeps only schedules that fail the
/// same way, so it cannot slide from the bug it was given to another one.
/// </summary>
public static partial class FailureSignature
{
    public static string Of(RunResult result) =>
        $"{result.Cause}|{result.FailedStep?.Location}|{CheckerOf(result)}";

    private static string CheckerOf(RunResult result)
    {
        if (result.Failure is { } failure && Checker().Match(failure) is { Success: true } match)
            return match.Groups[1].Value;
        return string.Join(",", result.Checks.Where(check => !check.Held).Select(c => c.Name));
    }

    [GeneratedRegex("^checker '([^']*)' failed")]
    private static partial Regex Checker();
}
