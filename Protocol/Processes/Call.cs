namespace Emulator.Protocol.Processes;

/// <summary>
/// One call an emulated program makes: an XPMEM call, a memory access or a process-life call.
/// Every value is resolved (names already replaced by numbers); a call is data, the thread
/// group actor gives it meaning. The runner, the reference model and the tests share these.
/// </summary>
public abstract record Call;

/// <summary>
/// mmap of anonymous private memory: at <see cref="Address"/> (MAP_FIXED) or, if null, where the
/// emulator chooses.
/// </summary>
public sealed record MmapCall(ulong? Address, ulong SizeBytes) : Call;

public sealed record MunmapCall(ulong Address, ulong SizeBytes) : Call;

/// <summary>xpmem_make(vaddr, size, permit_type, permit_value=mode).</summary>
public sealed record MakeCall(ulong Address, ulong SizeBytes, int PermitType, ulong Mode) : Call;

public sealed record RemoveCall(long SegId) : Call;

/// <summary>
/// xpmem_get(segid, flags, permit_type, NULL): libxpmem always passes a NULL permit value.
/// </summary>
public sealed record GetCall(long SegId, ulong Flags, int PermitType) : Call;

public sealed record ReleaseCall(long ApId) : Call;

/// <summary>
/// xpmem_attach({apid, offset}, size, vaddr); <see cref="At"/> null means the kernel chooses.
/// </summary>
public sealed record AttachCall(long ApId, ulong OffsetBytes, ulong SizeBytes, ulong? At) : Call;

public sealed record DetachCall(ulong Address) : Call;

public sealed record VersionCall : Call;

public sealed record OpenCall : Call;

public sealed record CloseCall : Call;

/// <summary>One load of 1, 2, 4 or 8 bytes; the outcome's value is what was read.</summary>
public sealed record ReadCall(ulong Address, int WidthBytes) : Call;

public sealed record WriteCall(ulong Address, int WidthBytes, ulong Value) : Call;

/// <summary>
/// Stores a pattern over a range (fill), or checks every byte against it (check).
/// </summary>
public sealed record FillCall(ulong Address, ulong SizeBytes, Pattern Pattern) : Call;

public sealed record CheckCall(ulong Address, ulong SizeBytes, Pattern Pattern) : Call;

/// <summary>Adds K to every 32-bit word of the range (a load and a store each).</summary>
public sealed record Add32Call(ulong Address, ulong SizeBytes, uint K) : Call;

/// <summary>Sum of the 32-bit words of the range, as a 64-bit value.</summary>
public sealed record Sum32Call(ulong Address, ulong SizeBytes) : Call;

/// <summary>
/// An atomic on the aligned 32-bit word at <see cref="Address"/>: a load, a change and a store in
/// one indivisible step, against every other access (SGI XPMEM 1.1's fetchops, which its AMO
/// pages gave MPI one-sided synchronisation). The outcome's value is the word before. An address
/// not 4-byte aligned is SIGBUS, as ia64 gives for an atomic it cannot emulate.
/// </summary>
public abstract record Atomic32Call(ulong Address) : Call;

/// <summary>fetch-add32: the word becomes word + K (mod 2^32).</summary>
public sealed record FetchAdd32Call(ulong Address, uint K) : Atomic32Call(Address);

/// <summary>cas32: the word becomes New if it was Expected; else it stays.</summary>
public sealed record Cas32Call(ulong Address, uint Expected, uint New) : Atomic32Call(Address);

/// <summary>swap32: the word becomes New.</summary>
public sealed record Swap32Call(ulong Address, uint New) : Atomic32Call(Address);

/// <summary>memcpy inside the process; ranges may be attachments.</summary>
public sealed record CopyCall(ulong Destination, ulong Source, ulong SizeBytes) : Call;

/// <summary>fork; the outcome's value is the child's pid.</summary>
public sealed record ForkCall : Call;

public sealed record ExitCall(int Code) : Call;

public sealed record KillCall(Signal Signal) : Call;
