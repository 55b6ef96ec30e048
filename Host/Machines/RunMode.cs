namespace Emulator.Host.Machines;

/// <summary>What runs the machine (design section 6); every mode runs the same scenarios.</summary>
public enum RunMode
{
    /// <summary>
    /// One seeded loop on the runner's thread decides every delivery, timer and random choice, on
    /// a virtual clock: the same seed gives the same run, byte for byte.
    /// </summary>
    Sim,

    /// <summary>
    /// Akka's dispatchers on the thread pool, Akka's scheduler, the wall clock: real
    /// concurrency, not reproducible; the seed decides only the link's faults.
    /// </summary>
    Live,

    /// <summary>
    /// The partitions on Akka.Cluster nodes, each an OS process (started here, or running on
    /// other hosts), XPC riding Akka remoting; a driver node runs the scenario and gathers every
    /// node's events for the checkers. Real concurrency and time, as <see cref="Live"/>.
    /// </summary>
    Cluster,
}
