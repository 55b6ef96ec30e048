using System.Diagnostics.CodeAnalysis;
using Emulator.Host.Scenarios;
using Emulator.Partitions;
using Emulator.Partitions.Checks;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Partitions;
using Emulator.Protocol.Processes;

namespace Emulator.Host.Machines;

/// <summary>
/// What the scenario runner needs from an emulated machine, whatever runs it: <c>sim</c> (one
/// seeded loop on the caller's thread, virtual time) or <c>live</c> (Akka's dispatchers on the
/// thread pool, Akka's scheduler, the wall clock). The runner and the checkers are the same for
/// every mode; only what decides the order of deliveries and what a clock reads differ. A driver
/// is used from one thread, the runner's; the machine's actors report to <see cref="Monitor"/>
/// from theirs.
/// </summary>
public interface IMachineDriver : IDisposable
{
    EmulatorSettings Settings { get; }

    /// <summary>Where every actor reports its events; the checkers live in it.</summary>
    MachineMonitor Monitor { get; }

    /// <summary>The machine's clock: virtual in <c>sim</c>, wall-clock since it was built in
    /// <c>live</c>. Wait steps and <see cref="ReplyTimeLimit"/> count on it.</summary>
    TimeSpan Now { get; }

    /// <summary>
    /// Messages delivered to the machine's actors (and the driver's inbox) so far.
    /// </summary>
    long Deliveries { get; }

    /// <summary>
    /// How long, on <see cref="Now"/>'s clock, a reply may take before the run counts as stuck
    /// (a liveness failure).
    /// </summary>
    TimeSpan ReplyTimeLimit { get; }

    /// <summary>Starts a process and waits until it runs; null if the machine got stuck.</summary>
    TgId? Spawn(int partition, Credentials credentials, LibraryMode library);

    /// <summary>
    /// Asks partition <paramref name="partition"/> to start a process without waiting; its
    /// <see cref="Partition.Spawned"/> comes back through <see cref="TryNextReply"/>.
    /// </summary>
    RequestId StartSpawn(int partition, Credentials credentials, LibraryMode library);

    /// <summary>True while partition <paramref name="partition"/> is crashed.</summary>
    bool IsCrashed(int partition);

    /// <summary>
    /// Sends <paramref name="call"/> to a process; its <see cref="Process.Completed"/> (or a
    /// <see cref="Refused"/> if the process is gone) comes back through <see cref="TryNextReply"/>.
    /// </summary>
    RequestId Start(TgId process, Call call);

    /// <summary>
    /// The next reply for the driver (a call's, or a reminder's), in arrival order; false if none
    /// came within <paramref name="limit"/> on <see cref="Now"/>'s clock, or none can come any
    /// more (the machine is stuck).
    /// </summary>
    bool TryNextReply(TimeSpan limit, [NotNullWhen(true)] out object? reply);

    /// <summary>
    /// Waits until everything the steps so far set going has ended: no message waiting or being
    /// handled, and XPC has handed over every message it accepted (a lost one waits for its
    /// retransmission, a delayed one for its time; one on a cut link waits for the heal and holds
    /// nothing up). False if that did not happen within <see cref="ReplyTimeLimit"/>.
    /// </summary>
    bool Settle();

    /// <summary>
    /// Applies a fault command from now on: <c>drop</c>, <c>delay</c>, <c>duplicate</c>,
    /// <c>cut</c>, <c>heal</c> (packets already on their way keep their fate), <c>crash</c>
    /// and <c>restart</c> of a partition. A heal and a restart return once the partitions they
    /// concern see each other UP again, or a bound passed (<see cref="FaultInjector"/>).
    /// </summary>
    void Inject(Command fault);

    /// <summary>
    /// Puts <paramref name="message"/> in the driver's inbox after <paramref name="delay"/> on
    /// <see cref="Now"/>'s clock (a <c>wait</c> step).
    /// </summary>
    void RemindAfter(TimeSpan delay, object message);

    /// <summary>
    /// Ends the run the way the kernel would: every process still alive exits (teardown), the
    /// machine runs until every thread group has stopped and nothing moves, then every checker
    /// gives its verdict. Exiting a process that already ended changes nothing.
    /// </summary>
    IReadOnlyList<CheckerReport> Finish(IEnumerable<TgId> processes);
}
