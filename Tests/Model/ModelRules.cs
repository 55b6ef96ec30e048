using Emulator.Protocol;

namespace Emulator.Tests.Model;

/// <summary>
/// The model's pure decisions: no state, so each one reads as the kernel's check.
/// </summary>
internal static class ModelRules
{
    public static bool IsPageAligned(ulong value) => (value & (Xpmem.PageSize - 1)) == 0;

    /// <summary>
    /// Rounds up to a page multiple; false if that passes 2^64 (mmap and munmap refuse it).
    /// </summary>
    public static bool TryRoundUpToPage(ulong sizeBytes, out ulong roundedBytes)
    {
        roundedBytes = unchecked((sizeBytes + Xpmem.PageSize - 1) & Xpmem.PageMask);
        return roundedBytes >= sizeBytes;
    }

    /// <summary>
    /// xpmem_get's permission check: SysV ipcperms on the segment's mode bits. The owner class
    /// if the caller's uid is the maker's, else the group class if its gid is the maker's, else
    /// other; read is always needed, write too for RDWR; uid 0 (CAP_IPC_OWNER) bypasses.
    /// </summary>
    public static bool MayGet(ModelThreadGroup owner, ulong mode, ModelProcess caller, ulong flags)
    {
        if (caller.Uid == 0)
        {
            return true;
        }
        var granted = caller.Uid == owner.Uid ? mode >> 6
            : caller.Gid == owner.Gid ? mode >> 3
            : mode;
        var requested = (flags & Xpmem.RdWr) != 0 ? 4UL | 2UL : 4UL;
        return (requested & ~granted & 7) == 0;
    }

    /// <summary>get's flags: RDONLY, RDWR or 0; not both, nothing else.</summary>
    public static bool AreValidGetFlags(ulong flags) =>
        (flags & ~(ulong)(Xpmem.RdOnly | Xpmem.RdWr)) == 0
        && flags != (ulong)(Xpmem.RdOnly | Xpmem.RdWr);

    /// <summary>
    /// Half-open ranges [a, a+n) and [b, b+m) share a byte (sums wrap as the kernel's do).
    /// </summary>
    public static bool Overlap(ulong a, ulong aSize, ulong b, ulong bSize) =>
        unchecked(a + aSize) > b && a < unchecked(b + bSize);
}
