namespace Emulator.Protocol.Processes;

/// <summary>How a process calls XPMEM.</summary>
public enum LibraryMode
{
    /// <summary>
    /// As libxpmem: open the device on the first call; retry make/get once after NOPROC.
    /// </summary>
    Libxpmem,

    /// <summary>
    /// Raw ioctls: the program opened the device itself at start; no retry, NOPROC shows.
    /// </summary>
    Raw,
}
