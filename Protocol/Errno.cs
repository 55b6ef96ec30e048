namespace Emulator.Protocol;

/// <summary>
/// The errno values XPMEM calls can fail with: Linux numbers, plus XPMEM's own 2004.
/// </summary>
public enum Errno
{
    None = 0,
    EPERM = 1,
    ENOENT = 2,
    ESRCH = 3,
    EINTR = 4,
    EAGAIN = 11,
    ENOMEM = 12,
    EACCES = 13,
    EFAULT = 14,
    EBUSY = 16,
    EINVAL = 22,
    EREMOTE = 66,
    /// <summary>
    /// The owner's partition did not answer in time, or is down: the link to it is severed.
    /// </summary>
    ENOLINK = 67,
    /// <summary>
    /// XPMEM_ERRNO_NOPROC: the caller has no thread group (a forked child that never opened).
    /// </summary>
    NOPROC = 2004,
}
