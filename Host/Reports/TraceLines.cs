using System.Reflection;
using Emulator.Host.Machines;
using Emulator.Host.Runner;
using Emulator.Host.Scenarios;
using Emulator.Partitions;
using Emulator.Partitions.Tracing;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Processes;

namespace Emulator.Host.Reports;

// What the runner writes into a trace besides the machine's lines: the header, its own call
// events, the verdict. Each is a record, written field by field as messages are (docs/trace.md).

/// <summary>
/// The runner sent <paramref name="Call"/> to <paramref name="Tg"/> for the step at
/// <paramref name="Location"/> (kind <c>call_started</c>). <paramref name="Branch"/> names the
/// parallel branch the step runs in (<c>1</c>, <c>2.1</c> inside a nested block; null at the top).
/// </summary>
public sealed record CallStarted(string Location, string Step, string? Branch, TgId Tg,
    RequestId RequestId, Call Call) : ITraceEvent;

/// <summary>
/// An injected fault was applied (kind <c>fault_injected</c>; <c>explore --inject</c>): as
/// delivery <paramref name="Delivery"/> (counted from the first step) was handed over;
/// <paramref name="Fault"/> names it (crash, restart, owner-crash, reply-drop,
/// release-during-fault);
/// <paramref name="Partition"/> the partition a crash or restart took;
/// <paramref name="Request"/> the fault's pin an aimed fault aimed at.
/// </summary>
public sealed record FaultInjected(long Delivery, string Fault, int? Partition,
    RequestId? Request) : ITraceEvent;

/// <summary>
/// A step's failure excused because an injected fault came before it (kind
/// <c>step_excused</c>): <paramref name="What"/> is what would have failed the run.
/// </summary>
public sealed record StepExcused(string Location, string Step, string What) : ITraceEvent;

/// <summary>The first line: what ran, with which seed, on which machine.</summary>
public sealed record TraceHeader(
    int Format,
    string Emulator,
    string File,
    string Name,
    int Seed,
    RunMode Mode,
    int Partitions,
    LibraryMode Library,
    TimeSpan DeliveryTime,
    TimeSpan XpcDeliveryTime,
    IReadOnlyList<TraceProcess> Processes)
{
    /// <summary>The program's version as its assembly states it.</summary>
    public static string EmulatorVersion { get; } =
        typeof(TraceHeader).Assembly
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? "unknown";

    public static TraceHeader Of(Scenario scenario, int seed, RunMode mode,
        EmulatorSettings settings, IReadOnlyDictionary<string, TgId> started) => new(
        JsonlTrace.FormatVersion,
        EmulatorVersion,
        scenario.File,
        scenario.Name,
        seed,
        mode,
        scenario.Partitions,
        scenario.RawLibrary ? LibraryMode.Raw : LibraryMode.Libxpmem,
        settings.SimDeliveryTime,
        settings.SimXpcDeliveryTime,
        [.. scenario.Processes.Select(declared => TraceProcess.Of(declared,
            started.TryGetValue(declared.Name, out var tg) ? tg : null))]);
}

/// <summary>
/// A declared process: its name in the scenario, where it runs, and (once started) its pid, its
/// thread group and that thread group's actor path, as deliver lines show it.
/// </summary>
public sealed record TraceProcess(string Name, PartitionId Partition, int Uid, int Gid, int? Pid,
    TgId? Tg, string? Actor)
{
    public static TraceProcess Of(ProcessDeclaration declared, TgId? tg) => new(declared.Name,
        new PartitionId(declared.Partition), declared.Uid, declared.Gid, tg?.Pid, tg,
        tg is { } started ? TracePaths.OfThreadGroup(started) : null);
}

/// <summary>
/// The last line: held or failed, why and where, the run's figures and every checker's verdict.
/// </summary>
public sealed record TraceVerdict(
    bool Held,
    FailureCause? Cause,
    string? Location,
    string? Step,
    string? Failure,
    long Lines,
    int Steps,
    long Calls,
    long Faults,
    long Deliveries,
    long XpcMessages,
    long Pinned,
    long Unpinned,
    TimeSpan VirtualTime,
    IReadOnlyList<CheckResult> Checks)
{
    /// <summary>
    /// The verdict of <paramref name="result"/>: its cause and failed step say why and where a
    /// failure came (a failing checker when the run itself did not fail).
    /// </summary>
    public static TraceVerdict Of(RunResult result, long lines)
    {
        var (cause, failedStep) = (result.Cause, result.FailedStep);
        var failedCheck = result.Checks.FirstOrDefault(c => !c.Held);
        var failure = result.Failure ?? (failedCheck is null ? null
            : $"checker '{failedCheck.Name}' did not hold: {failedCheck.Detail} "
                + $"(seed {result.Seed})");
        var summary = result.Summary;
        return new TraceVerdict(
            result.Passed,
            result.Passed ? null : result.Failure is null ? FailureCause.Checker : cause,
            failedStep?.Location.ToString(),
            failedStep?.Text,
            failure,
            lines,
            summary.Steps,
            summary.Calls,
            summary.Faults,
            summary.Messages,
            summary.XpcMessages,
            summary.Pins.Pinned,
            summary.Pins.Unpinned,
            summary.VirtualTime,
            result.Checks);
    }
}
