using Emulator.Partitions.Checks;
using Emulator.Host.Scenarios;

namespace Emulator.Host.Runner;

/// <summary>How to run a scenario.</summary>
public sealed record RunOptions(int Seed, string? OutDirectory = null, bool Trace = false);

/// <summary>One checker's verdict at the end of a run.</summary>
public sealed record CheckResult(string Name, bool Held, string Detail);

/// <summary>The figures a run prints.</summary>
public sealed record RunSummary(
    int Steps,
    long Calls,
    long Faults,
    long Messages,
    long XpcMessages,
    PinTally Pins,
    TimeSpan VirtualTime,
    TimeSpan Elapsed);

/// <summary>
/// What a run answers: passed, or the one failure (file, line, expected, happened, seed).
/// </summary>
public sealed record RunResult(
    Scenario Scenario,
    int Seed,
    string? Failure,
    RunSummary Summary,
    IReadOnlyList<CheckResult> Checks,
    string? Trace)
{
    public bool Passed => Failure is null && Checks.All(c => c.Held);
}
