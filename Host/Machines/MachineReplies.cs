using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Partitions;
using Emulator.Protocol.Processes;

namespace Emulator.Host.Machines;

/// <summary>What a driver's inbox holds, read the same way in every mode.</summary>
public static class MachineReplies
{
    /// <summary>
    /// The outcome a reply in the inbox carries. A process that ended and was freed is no longer in
    /// its partition's table, which refuses the call (ENOENT): to the caller the process is dead.
    /// </summary>
    public static (RequestId Id, Outcome Outcome) OutcomeOf(object reply) => reply switch
    {
        Process.Completed completed => (completed.RequestId, completed.Outcome),
        Refused refused => (refused.RequestId, Outcome.Dead()),
        _ => throw new InvalidOperationException($"unexpected reply {reply}"),
    };
}
