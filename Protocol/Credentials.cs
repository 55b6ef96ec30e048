namespace Emulator.Protocol;

/// <summary>
/// A process's ids. Real and effective are the same here; uid 0 has CAP_IPC_OWNER.
/// </summary>
public readonly record struct Credentials(int Uid, int Gid)
{
    public bool IsRoot => Uid == 0;
}
