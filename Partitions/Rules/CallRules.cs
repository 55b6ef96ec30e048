using Emulator.Protocol;

namespace Emulator.Partitions.Rules;

/// <summary>
/// The argument checks of each XPMEM call, in the kernel's order (xpmem-spec section 2). Pure
/// functions: the thread group actor calls them and does what they say.
/// </summary>
public static class CallRules
{
    public static bool IsPageAligned(ulong value) => (value & (Xpmem.PageSize - 1)) == 0;

    public static ulong RoundUpToPage(ulong value) => (value + Xpmem.PageSize - 1) & Xpmem.PageMask;

    /// <summary>
    /// xpmem_make, checks 1 to 4. Returns the errno (None: go on) and the size to use (the
    /// XPMEM_MAXADDR_SIZE clamp). <paramref name="hasTg"/> false gives NOPROC after the EINVALs of
    /// step 1.
    /// </summary>
    public static (Errno Errno, ulong SizeBytes) Make(ulong address, ulong sizeBytes,
        int permitType, ulong mode, bool hasTg)
    {
        if (permitType != Xpmem.PermitMode || (mode & ~0x1FFUL) != 0
            || sizeBytes == 0) return (Errno.EINVAL, 0);
        if (!hasTg) return (Errno.NOPROC, 0);
        // The kernel adds without overflow checks: a sum that wraps passes this test and is
        // refused by the alignment test below (xpmem-spec 2.2, step 3).
        if (unchecked(address + sizeBytes) > Xpmem.TaskSize)
        {
            if (sizeBytes != Xpmem.MaxAddrSize) return (Errno.EINVAL, 0);
            sizeBytes = Xpmem.TaskSize - address;
        }
        if (!IsPageAligned(address) || !IsPageAligned(sizeBytes)
            || sizeBytes == 0) return (Errno.EINVAL, 0);
        return (Errno.None, sizeBytes);
    }

    /// <summary>xpmem_get, checks 1 to 3 (argument checks, before any lookup).</summary>
    public static Errno Get(long segid, ulong flags, int permitType)
    {
        if (segid <= 0) return Errno.EINVAL;
        if ((flags & ~(ulong)(Xpmem.RdOnly | Xpmem.RdWr)) != 0) return Errno.EINVAL;
        if (flags == (ulong)(Xpmem.RdOnly | Xpmem.RdWr)) return Errno.EINVAL;
        if (permitType != Xpmem.PermitMode) return Errno.EINVAL;
        return Errno.None;
    }

    /// <summary>
    /// The IPC mode check (ipcperms): owner bits if the caller's uid is the maker's, group bits if
    /// the caller is in the maker's group, else the other bits. Read always, write too for RDWR.
    /// CAP_IPC_OWNER (root) bypasses it.
    /// </summary>
    public static bool PermitAllows(Credentials owner, Credentials caller, ulong mode, int flags)
    {
        if (caller.IsRoot) return true;
        var bits = caller.Uid == owner.Uid ? mode >> 6 : caller.Gid == owner.Gid ? mode >> 3 : mode;
        var wanted = 4UL | ((flags & Xpmem.RdWr) != 0 ? 2UL : 0UL);
        return (bits & wanted) == wanted;
    }

    /// <summary>
    /// xpmem_attach, checks 1 to 4. Returns the errno and the size rounded up to pages.
    /// </summary>
    public static (Errno Errno, ulong SizeBytes) AttachArguments(long apid, ulong offset,
        ulong sizeBytes, ulong? at)
    {
        if (apid <= 0) return (Errno.EINVAL, 0);
        // The kernel's test: the end of the page holding vaddr must lie below TASK_SIZE (unchecked,
        // as in C: a vaddr in the last page of the 64-bit space wraps past it).
        if (at is { } vaddr && vaddr != 0
            && unchecked((vaddr & Xpmem.PageMask) + Xpmem.PageSize) >= Xpmem.TaskSize)
        {
            return (Errno.EINVAL, 0);
        }
        if (!IsPageAligned(at ?? 0) || !IsPageAligned(offset)) return (Errno.EINVAL, 0);
        return (Errno.None, RoundUpToPage(sizeBytes));
    }

    /// <summary>
    /// xpmem_attach's validate_access, after the segment was found alive: a RDONLY permit cannot
    /// attach (the mapping is always read-write); the range must lie inside the segment.
    /// </summary>
    public static Errno AttachAccess(int permitFlags, ulong offset, ulong sizeBytes,
        ulong segmentSizeBytes)
    {
        if (permitFlags == Xpmem.RdOnly) return Errno.EACCES;
        if ((long)offset < 0 || sizeBytes == 0) return Errno.EINVAL;
        if (sizeBytes > segmentSizeBytes
            || offset > segmentSizeBytes - sizeBytes) return Errno.EINVAL;
        return Errno.None;
    }

    /// <summary>A fixed self-attach may not overlap its own source range.</summary>
    public static bool SelfAttachOverlaps(ulong at, ulong source, ulong sizeBytes) =>
        at < source + sizeBytes && source < at + sizeBytes;

    /// <summary>
    /// xpmem_attach's placement checks, after validate_access, for a fixed address
    /// <paramref name="at"/> (null: the kernel chooses): a self-attach over its own source range
    /// and a range that already holds an attachment are EINVAL; a range past the end of user space
    /// is vm_mmap's ENOMEM.
    /// </summary>
    public static Errno AttachPlacement(ulong? at, ulong sizeBytes, bool selfAttach, ulong source,
        bool rangeHoldsAttachment)
    {
        if (at is not { } address) return Errno.None;
        if (selfAttach && SelfAttachOverlaps(address, source, sizeBytes)) return Errno.EINVAL;
        if (rangeHoldsAttachment) return Errno.EINVAL;
        if (sizeBytes > Xpmem.TaskSize || address > Xpmem.TaskSize - sizeBytes)
            return Errno.ENOMEM;
        return Errno.None;
    }

    /// <summary>mmap of anonymous memory. Returns the errno and the rounded size.</summary>
    public static (Errno Errno, ulong SizeBytes) Mmap(ulong? address, ulong sizeBytes)
    {
        if (sizeBytes == 0) return (Errno.EINVAL, 0);
        var size = RoundUpToPage(sizeBytes);
        if (size == 0 || size > Xpmem.TaskSize) return (Errno.ENOMEM, 0);
        if (address is { } fixedAddress)
        {
            if (!IsPageAligned(fixedAddress)) return (Errno.EINVAL, 0);
            if (fixedAddress > Xpmem.TaskSize - size) return (Errno.ENOMEM, 0);
        }
        return (Errno.None, size);
    }

    /// <summary>munmap. Returns the errno and the rounded size.</summary>
    public static (Errno Errno, ulong SizeBytes) Munmap(ulong address, ulong sizeBytes)
    {
        if (!IsPageAligned(address) || sizeBytes == 0) return (Errno.EINVAL, 0);
        var size = RoundUpToPage(sizeBytes);
        if (size == 0 || size > Xpmem.TaskSize
            || address > Xpmem.TaskSize - size) return (Errno.EINVAL, 0);
        return (Errno.None, size);
    }
}
