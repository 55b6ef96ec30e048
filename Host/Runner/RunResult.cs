using Akka.Actor;
using Emulator.Host.Cluster;
using Emulator.Host.Injection;
using Emulator.Host.Machines;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Tracing;
using Emulator.Host.Scenarios;

namespace Emulator.Host.Runner;

/// <summary>
/// How to run a scenario. <paramref name="System"/>: a system of <paramref name="Mode"/> to build
/// the machine on, which the run leaves running for the next (a sweep reuses one; see
/// <see cref="MachineDrivers"/>); null: a fresh system per run. <paramref name="Cluster"/>: where
/// a cluster run's partitions live (three local nodes if null). <paramref name="Observer"/>: a
/// trace that sees the run beside its trace file, if any (an explore's coverage).
/// <paramref name="Inject"/>: the faults to inject while the steps run (sim only; explore's
/// <c>--inject</c> and its replays). <paramref name="TopLevelStepEnded"/>: told the run's
/// elapsed wall-clock time each time a top-level step is over, everything it set going included
/// (<c>bench</c> times one batch of work inside a run with it, past its warm-up).
/// </summary>
public sealed record RunOptions(int Seed, string? OutDirectory = null, bool Trace = false,
    ActorSystem? System = null, RunMode Mode = RunMode.Sim, ClusterPlan? Cluster = null,
    ITrace? Observer = null, InjectionPlan? Inject = null,
    Action<TimeSpan>? TopLevelStepEnded = null);

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

    /// <summary>Why the run failed, when it did (null when a checker failed at the end).</summary>
    public FailureCause? Cause { get; init; }

    /// <summary>The step that failed or was running when the run failed, if any.</summary>
    public CommandStep? FailedStep { get; init; }

    /// <summary>
    /// What else a failed run saw that bears on its failure though no step made it (a live host
    /// that stalled the machine's heartbeats); printed after the failures. Null if nothing.
    /// </summary>
    public string? Remark { get; init; }
}

/// <summary>Why a run failed (the trace's verdict line says it too).</summary>
public enum FailureCause
{
    /// <summary>A step's outcome was not what it expected (or it could not run).</summary>
    Step,

    /// <summary>A declared process did not start.</summary>
    Start,

    /// <summary>No reply can come any more for a step.</summary>
    Stuck,

    /// <summary>A checker's property broke during the run, or did not hold at its end.</summary>
    Checker,

    /// <summary>The emulator threw or an actor failed: a bug, never the scenario's fault.</summary>
    EmulatorBug,
}
