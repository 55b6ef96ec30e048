namespace Emulator.Protocol;

/// <summary>XPMEM's constants from <c>xpmem.h</c>.</summary>
public static class Xpmem
{
    /// <summary>Module version 2.6.5, as hjelmn's driver reports it.</summary>
    public const int Version = 0x00026005;

    /// <summary>xpmem_get flags.</summary>
    public const int RdOnly = 0x1;
    public const int RdWr = 0x2;

    /// <summary>The only permit type the driver knows.</summary>
    public const int PermitMode = 1;

    /// <summary>(size_t)-1: make clamps it to the end of user space.</summary>
    public const ulong MaxAddrSize = ulong.MaxValue;

    public const int PageShift = 12;
    public const ulong PageSize = 1UL << PageShift;
    public const ulong PageMask = ~(PageSize - 1);

    /// <summary>
    /// TASK_SIZE on x86-64 with 4-level page tables: 47-bit user space less one page.
    /// </summary>
    public const ulong TaskSize = (1UL << 47) - PageSize;
}
