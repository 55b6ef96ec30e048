using Akka.Actor;
using Emulator.Partitions.Checks;
using Emulator.Host.Scenarios;

namespace Emulator.Host.Runner;

/// <summary>
/// How to run a scenario. <paramref name="System"/>: a sim system to build the machine on, which
/// the run leaves running for the next (a sweep reuses one; see <c>SimMachine</c>); null: a fresh
/// system per run.
/// </summary>
public sealed record RunOptions(int Seed, string? OutDirectory = null, bool Trace = false,
    ActorSystem? System = null);

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

    /// <summary>The step that failed, when a step did (not a checker, not the machine).</summary>
    public CommandStep? FailedStep { get; init; }
}
