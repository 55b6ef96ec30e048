using Akka.Actor;
using Akka.Configuration;

namespace Emulator.Partitions.Sim;

/// <summary>
/// Creates and stops ActorSystems for the sim run mode (see <see cref="SimLoop"/>).
/// </summary>
public static class SimSystem
{
    /// <summary>Longest wall-clock wait in <see cref="Shutdown"/>: a guard, not a timing.</summary>
    public static readonly TimeSpan ShutdownWallLimit = TimeSpan.FromSeconds(30);

    private static readonly string SchedulerTypeName = TypeName<SimScheduler>();
    private static readonly string DispatcherTypeName = TypeName<SimDispatcherConfigurator>();
    private static readonly string MailboxTypeName = TypeName<SimMailboxType>();

    /// <summary>
    /// The sim fragment: virtual time, the seeded dispatcher and the counting mailbox.
    /// </summary>
    public static Config Config { get; } = ConfigurationFactory.ParseString($$"""
        akka {
          # Virtual time; it also owns the loop, which the dispatchers find through it.
          scheduler.implementation = "{{SchedulerTypeName}}"
          # Loggers are system actors: they run on the thread pool, off the loop.
          loggers-dispatcher = "akka.actor.internal-dispatcher"
          actor {
            # Hands /user mailboxes to the loop, one user message per run; the rest to the pool.
            default-dispatcher {
              type = "{{DispatcherTypeName}}"
              throughput = 1
            }
            # The same, because the /user guardian runs here and must be simulated: top-level
            # actors start inside its runs.
            internal-dispatcher {
              type = "{{DispatcherTypeName}}"
              throughput = 1
            }
            # Counts and traces deliveries; a deque, so Stash works.
            default-mailbox.mailbox-type = "{{MailboxTypeName}}"
            mailbox.unbounded-deque-based.mailbox-type = "{{MailboxTypeName}}"
          }
        }
        """);

    /// <summary>
    /// Creates a sim ActorSystem whose loop is seeded with <paramref name="seed"/>;
    /// <paramref name="extra"/> is merged over <see cref="Config"/> (extra wins).
    /// </summary>
    public static (ActorSystem System, SimLoop Loop) Create(
        string name, int seed, Config? extra = null)
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

    private static string TypeName<T>() =>
        $"{typeof(T).FullName}, {typeof(T).Assembly.GetName().Name}";
}
