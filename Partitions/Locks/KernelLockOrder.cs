namespace Emulator.Partitions.Locks;

/// <summary>
/// The kernel's documented order between its locks (xpmem-spec 3.1 ordering rules, 3.3 steps
/// 4-7), as one rule: may a task holding <c>held</c> block on <c>wanted</c>? The fault path is
/// own mm, seg->sema, the owner's mm, att->mutex; two mms go lowest-ranked first; att->mutex is
/// taken last. Pure.
/// </summary>
public static class KernelLockOrder
{
    /// <summary>
    /// Null if a task holding <paramref name="held"/> may wait for <paramref name="wanted"/>;
    /// else why not, naming the rule.
    /// </summary>
    public static string? Breach(LockId held, LockId wanted)
    {
        if (held == wanted) return null;
        return (held.Kind, wanted.Kind) switch
        {
            (LockKind.MmapSem, LockKind.MmapSem) when LockId.Rank(held.Process, wanted.Process) >= 0
                => "which ranks above it (the kernel takes the lower-ranked mm first and only "
                + "tries the other)",
            (LockKind.AttMutex, _) =>
                "and att->mutex is the innermost lock (the attacher's mm and seg->sema come first)",
            (LockKind.SegSema, LockKind.MmapSem) when wanted.Process != held.Process =>
                "and under seg->sema a fault takes only the segment owner's mm",
            (LockKind.SegSema, LockKind.SegSema) when wanted.Process != held.Process =>
                "and two segments' semas are held together only by their owner's recall or "
                + "remove (under its mm held for write)",
            _ => null,
        };
    }
}
