namespace Emulator.Protocol;

/// <summary>Signals an emulated process can die of; Linux numbers.</summary>
public enum Signal
{
    None = 0,
    SIGKILL = 9,
    SIGBUS = 7,
    SIGSEGV = 11,
    SIGTERM = 15,
}
