using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Processes;

namespace Emulator.Partitions.Tracing;

// The machine's trace events (see ITraceEvent): one record each, named for what happened.

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

/// <summary>
/// A segment pinned the owner's page at <paramref name="SourceAddress"/> for the fault
/// <paramref name="RequestId"/> of <paramref name="Attacher"/>, under <paramref name="PinId"/>
/// (kind <c>page_pinned</c>).
/// </summary>
public sealed record PagePinned(RequestId RequestId, long PinId, ulong SourceAddress,
    TgId Attacher) : ITraceEvent;
