using Akka.Actor;
using Akka.Configuration;
using Emulator.Host.Injection;
using Emulator.Host.Machines;
using Emulator.Host.Runner;
using Emulator.Host.Scenarios;
using Emulator.Partitions.Sim;
using Emulator.Partitions.Tracing;

namespace Emulator.Host.Explore;

/// <summary>What one schedule's run gave: its result and the loop's account of its decisions.
/// </summary>
public sealed record ScheduleOutcome(RunResult Result, long Decisions, ulong Digest)
{
    /// <summary>The faults injected into the run, in order (none without a plan).</summary>
    public IReadOnlyList<Injection.Injection> Injected { get; init; } = [];
}

/// <summary>
/// Runs schedules of one scenario one after another on one reused sim ActorSystem (each explore
/// worker has its own), as a sweep does: the loop starts over for each run, and the run is the
/// one a fresh system gives. Before each run it sets the loop's strategy, timers and recorder.
/// After a run that found an emulator bug or got stuck the system is dropped, so a machine left
/// in a bad state cannot leak into the next run. One thread at a time.
/// </summary>
public sealed class ScheduleRunner(Scenario scenario, Config akkaConfig) : IDisposable
{
    private ActorSystem? _system;

    /// <summary>
    /// Runs the scenario under <paramref name="seed"/> with <paramref name="strategy"/>;
    /// <paramref name="recorder"/>, when given, records the schedule; the trace goes to
    /// <paramref name="traceFolder"/>, or into the result with <paramref name="traceInMemory"/>;
    /// <paramref name="observer"/> sees the run too (an explore's coverage);
    /// <paramref name="leftOut"/> names steps of the file the run leaves out (a shrunk schedule);
    /// <paramref name="inject"/>, when given, injects its faults (explore's <c>--inject</c>).
    /// </summary>
    public ScheduleOutcome Run(int seed, SimStrategy strategy, SimTimers timers,
        SimRecorder? recorder = null, string? traceFolder = null, bool traceInMemory = false,
        ITrace? observer = null, IReadOnlyCollection<StepId>? leftOut = null,
        InjectionPlan? inject = null)
    {
        var system = _system ??= MachineDrivers.CreateSystem(RunMode.Sim, akkaConfig);
        var loop = SimLoop.Of(system);
        loop.Strategy = strategy;
        loop.Timers = timers;
        loop.Recorder = recorder;
        RunResult result;
        try
        {
            result = ScenarioRunner.Run(StepCut.Without(scenario, leftOut ?? []),
                new RunOptions(seed, traceFolder, traceInMemory, system, RunMode.Sim,
                    Observer: observer, Inject: inject), akkaConfig);
        }
        catch
        {
            // What escapes the runner is a bug of the runner itself: never use that system again.
            _system = null;
            throw;
        }
        finally
        {
            loop.Recorder = null;
        }
        var outcome = new ScheduleOutcome(result, loop.Decisions, loop.ScheduleDigest)
        {
            Injected = inject is null ? [] : [.. inject.Realized],
        };
        if (result.Cause is not (null or FailureCause.Step or FailureCause.Checker)) Drop();
        return outcome;
    }

    public void Dispose() => Drop();

    private void Drop()
    {
        if (_system is not { } system) return;
        _system = null;
        MachineDrivers.ShutdownSystem(RunMode.Sim, system);
    }
}
