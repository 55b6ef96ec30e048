using Akka.Actor;
using Akka.Configuration;

namespace Emulator.Partitions.Sim;

/// <summary>Creates and stops ActorSystems for the sim run mode (see <see cref="SimLoop"/>).</summary>
public static class SimSystem
{
    /// <summary>Longest wall-clock wait in <see cref="Shutdown"/>: a guard, not a timing.</summary>
    public static readonly TimeSpan ShutdownWallLimit = TimeSpan.FromSeconds(30);

    private const string Assembly = "Emulator.Partitions";

    /// <summary>
    /// The sim fragment: the seeded dispatcher for /user (default and internal dispatcher: the
    /// /user guardian runs on the internal one), virtual time, and the counting mailbox as the
    /// default and the Stash mailbox. Loggers run on the internal dispatcher, off the loop.
    /// </summary>
    public static Config Config { get; } = ConfigurationFactory.ParseString($$"""
        akka {
          scheduler.implementation = "{{typeof(SimScheduler).FullName}}, {{Assembly}}"
          loggers-dispatcher = "akka.actor.internal-dispatcher"
          actor {
            default-dispatcher {
              type = "{{typeof(SimDispatcherConfigurator).FullName}}, {{Assembly}}"
              throughput = 1
            }
            internal-dispatcher {
              type = "{{typeof(SimDispatcherConfigurator).FullName}}, {{Assembly}}"
              throughput = 1
            }
            default-mailbox.mailbox-type = "{{typeof(SimMailboxType).FullName}}, {{Assembly}}"
            mailbox.unbounded-deque-based.mailbox-type = "{{typeof(SimMailboxType).FullName}}, {{Assembly}}"
          }
        }
        """);

    /// <summary>
    /// Creates a sim ActorSystem whose loop is seeded with <paramref name="seed"/>;
    /// <paramref name="extra"/> is merged over <see cref="Config"/> (extra wins).
    /// </summary>
    public static (ActorSystem System, SimLoop Loop) Create(string name, int seed, Config? extra = null)
    {
        var config = extra is null ? Config : extra.WithFallback(Config);
        var system = ActorSystem.Create(name, config);
        var loop = SimLoop.Of(system);
        loop.Reseed(seed);
        return (system, loop);
    }

    /// <summary>
    /// Terminates a sim system, running its loop meanwhile (Terminate needs the /user actors to
    /// handle their stop); fires no timer. Throws past <see cref="ShutdownWallLimit"/>.
    /// </summary>
    public static void Shutdown(ActorSystem system)
    {
        SimLoop.Of(system).RunUntilCompleted(system.Terminate(), ShutdownWallLimit);
    }
}
