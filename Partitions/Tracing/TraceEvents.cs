using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Processes;

namespace Emulator.Partitions.Tracing;

// The machine's trace events (see ITraceEvent): one record each, named for what happened. The
// checkers' events (Checks/MachineEvent.cs: pins, page tables, attachments, accesses) are trace
// events too.

/// <summary>
/// A thread group ended the call <paramref name="RequestId"/> with its one outcome (kind
/// <c>call_ended</c>).
/// </summary>
public sealed record CallEnded(RequestId RequestId, Call Call, Outcome Outcome) : ITraceEvent;

/// <summary>
/// A thread group's process ended: <paramref name="Signal"/> is what killed it, None for exit
/// (kind <c>process_exited</c>). Its teardown follows.
/// </summary>
public sealed record ProcessExited(Signal Signal) : ITraceEvent;
