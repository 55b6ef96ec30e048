using Akka.Actor;
using Akka.Configuration;
using Emulator.Host.Cluster;
using Emulator.Host.Machines;
using Emulator.Host.Runner;
using Emulator.Host.Scenarios;

namespace Emulator.Host.Cli;

/// <summary>
/// Runs scenario after scenario in one process on one reused ActorSystem of the sweep's mode: each
/// run builds a fresh machine on it. In <c>sim</c> the loop starts over (seed, virtual time zero,
/// no timers), so a run is byte-for-byte the run a fresh system gives, at a fraction of the cost;
/// in <c>live</c> the next run starts once the last one's actors are gone. After a run that found
/// an emulator bug or got stuck, the system is dropped and the next run gets a new one, so a
/// machine left in a bad state cannot leak into other runs.
/// </summary>
public sealed class SweepRunner(Config akkaConfig, bool reuseSystem = true,
    RunMode mode = RunMode.Sim, ClusterPlan? cluster = null) : IDisposable
{
    private ActorSystem? _system;

    /// <summary>Systems created so far (one, unless runs failed or reuse is off).</summary>
    public int SystemsCreated { get; private set; }

    /// <summary>Runs a scenario under a seed; writes its trace into the folder if given.</summary>
    public RunResult Run(Scenario scenario, int seed, string? traceFolder = null)
    {
        var system = reuseSystem && MachineDrivers.Reuses(mode) ? _system ??= NewSystem() : null;
        RunResult result;
        try
        {
            result = ScenarioRunner.Run(scenario,
                new RunOptions(seed, traceFolder, System: system, Mode: mode, Cluster: cluster),
                akkaConfig);
        }
        catch
        {
            // The runner reports the scenario's failures and the machine's bugs as results; what
            // escapes is a bug of the runner itself: never run on that system again.
            _system = null;
            throw;
        }
        if (!Reusable(result)) DropSystem();
        return result;
    }

    public void Dispose() => DropSystem();

    /// <summary>
    /// A run that held, or failed at a step or a checker, leaves a sound machine behind, whose
    /// actors stop cleanly; a run that found an emulator bug or got stuck may not.
    /// </summary>
    private static bool Reusable(RunResult result) =>
        result.Cause is null or FailureCause.Step or FailureCause.Checker;

    /// <summary>The mode every run of this sweep uses.</summary>
    public RunMode Mode => mode;

    private ActorSystem NewSystem()
    {
        SystemsCreated++;
        return MachineDrivers.CreateSystem(mode, akkaConfig);
    }

    private void DropSystem()
    {
        if (_system is null) return;
        var system = _system;
        _system = null;
        MachineDrivers.ShutdownSystem(mode, system);
    }
}
