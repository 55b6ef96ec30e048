using Akka.Actor;
using Akka.Configuration;
using Emulator.Partitions.Sim;

namespace Emulator.Tests.Sim;

/// <summary>What the sim specs share: a quiet sim system.</summary>
internal static class SimSpecs
{
    /// <summary>
    /// Dead letters are expected in the toy protocol; keep the test output readable.
    /// </summary>
    public static readonly Config Quiet = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        """);

    public static (ActorSystem System, SimLoop Loop) Create(
        string name, int seed, Config? extra = null) =>
        SimSystem.Create(name, seed, extra is null ? Quiet : extra.WithFallback(Quiet));
}
