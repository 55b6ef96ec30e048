using Emulator.Partitions.Memory;
using Emulator.Protocol;
using Emulator.Protocol.Processes;

namespace Emulator.Partitions.Processes;

/// <summary>
/// What a new process starts from: its credentials, how it calls XPMEM, its memory, and whether
/// its library holds an open device fd (a forked child inherits the fd but not the thread group).
/// </summary>
public sealed record ProcessImage(Credentials Credentials, LibraryMode Library, AddressSpace Memory,
    bool DeviceOpen);
