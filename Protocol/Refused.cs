using Emulator.Protocol.Ids;

namespace Emulator.Protocol;

/// <summary>
/// The one refusal reply, to any request: definite, and nothing changed. <see cref="Errno"/> is
/// what the kernel would answer (a fault path refused with ENOENT becomes SIGBUS for the toucher).
/// </summary>
public sealed record Refused(RequestId RequestId, Errno Errno) : IReply;
