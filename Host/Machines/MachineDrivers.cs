using Akka.Actor;
using Akka.Configuration;
using Emulator.Host.Cluster;
using Emulator.Host.Live;
using Emulator.Host.Sim;
using Emulator.Partitions.Live;
using Emulator.Partitions.Sim;
using Emulator.Partitions.Tracing;

namespace Emulator.Host.Machines;

/// <summary>Builds the machine of a run in its mode, and the ActorSystems a sweep reuses.</summary>
public static class MachineDrivers
{
    /// <summary>
    /// A machine of <paramref name="partitions"/> partitions: on <paramref name="system"/> (one of
    /// <see cref="CreateSystem"/>'s, for the same mode, that no machine uses now) or, when null,
    /// on a fresh system of its own.
    /// </summary>
    public static IMachineDriver Create(RunMode mode, ActorSystem? system, int partitions,
        int seed, Config akkaConfig, ITrace? trace, ClusterPlan? cluster = null) =>
        (mode, system) switch
    {
        (RunMode.Cluster, null) => new ClusterMachine(partitions, cluster ?? ClusterPlan.Default,
            akkaConfig, trace),
        (RunMode.Sim, null) => new SimMachine(partitions, seed, akkaConfig, trace),
        (RunMode.Sim, { } reused) => new SimMachine(reused, partitions, seed, akkaConfig, trace),
        (RunMode.Live, null) => new LiveMachine(partitions, seed, akkaConfig, trace),
        (RunMode.Live, { } reused) => new LiveMachine(reused, partitions, seed, akkaConfig, trace),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "no such run mode"),
    };

    /// <summary>A system for machines of <paramref name="mode"/>, one after another.</summary>
    /// <summary>True when machines of <paramref name="mode"/> can share one system.</summary>
    public static bool Reuses(RunMode mode) => mode != RunMode.Cluster;

    public static ActorSystem CreateSystem(RunMode mode, Config akkaConfig) => mode switch
    {
        // The seed is set again by every run (SimLoop.Reset).
        RunMode.Sim => SimSystem.Create("emulator", 0, akkaConfig).System,
        RunMode.Live => LiveSystem.Create("emulator", akkaConfig),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "no such run mode"),
    };

    public static void ShutdownSystem(RunMode mode, ActorSystem system)
    {
        if (mode == RunMode.Sim) SimSystem.Shutdown(system);
        else LiveSystem.Shutdown(system);
    }
}
