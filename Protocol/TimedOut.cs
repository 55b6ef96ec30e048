using Emulator.Protocol.Ids;

namespace Emulator.Protocol;

/// <summary>
/// The third outcome of a request, beside its reply and <see cref="Refused"/>: no answer came
/// within the request's deadline, so what became of it is unknown (it may have taken effect).
/// A requester makes it for itself when its deadline passes; a fault then gives its toucher
/// SIGBUS, a call fails with ENOLINK.
/// </summary>
public sealed record TimedOut(RequestId RequestId) : IReply;
