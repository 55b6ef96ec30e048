namespace Emulator.Partitions.Locks;

/// <summary>
/// How a fault takes two processes' mms (<c>xpmem-emulator.lock-order</c>): the protocol variant
/// under study, so the explorer can show what the kernel's rule prevents.
/// </summary>
public enum LockOrder
{
    /// <summary>
    /// xpmem-spec 3.3 step 5 (<c>avoid_deadlock_2</c>): the lower-ranked mm first; a fault that
    /// holds the higher one only tries the owner's, and on failure drops its own, waits for the
    /// owner's, and re-verifies its VMA before it installs.
    /// </summary>
    Kernel,

    /// <summary>
    /// The fault holds its own mm and waits for the owner's, whatever their order: two processes
    /// faulting on each other's memory while a writer waits on each mm deadlock.
    /// </summary>
    Naive,
}
