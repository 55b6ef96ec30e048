// Proves the pure argument checks follow xpmem-spec section 2 in order: each case names the
// call's arguments and the errno the kernel gives; a call with two faults gets the earlier one.
using Emulator.Partitions.Rules;
using Emulator.Protocol;
using Xunit;

namespace Emulator.Tests.Rules;

public sealed class CallRulesSpec
{
    private const ulong Page = Xpmem.PageSize;

    [Theory]
    [InlineData(0x10000UL, 4 * Page, 1, 0x1B6UL, Errno.None)]
    [InlineData(0x10000UL, 4 * Page, 2, 0x1B6UL, Errno.EINVAL)]   // permit type
    [InlineData(0x10000UL, 4 * Page, 1, 0x200UL, Errno.EINVAL)]   // mode bit outside 0777
    [InlineData(0x10000UL, 0UL, 1, 0x180UL, Errno.EINVAL)]        // size 0
    [InlineData(0x10001UL, 4 * Page, 1, 0x180UL, Errno.EINVAL)]   // unaligned address
    [InlineData(0x10000UL, 100UL, 1, 0x180UL, Errno.EINVAL)]      // size not a page multiple
    [InlineData(0x7ffffffff000UL, 2 * Page, 1, 0x180UL, Errno.EINVAL)] // past TASK_SIZE
    [InlineData(0xfffffffffffffffeUL, 4 * Page, 1, 0x180UL, Errno.EINVAL)] // wraps, then unaligned
    public void Make_must_check_arguments_in_the_kernels_order(ulong address, ulong size, int type, ulong mode, Errno expected)
    {
        Assert.Equal(expected, CallRules.Make(address, size, type, mode, hasTg: true).Errno);
    }

    [Fact]
    public void Make_must_clamp_the_maximum_size_to_user_space()
    {
        var (errno, size) = CallRules.Make(0, Xpmem.MaxAddrSize, 1, 0x180, hasTg: true);
        Assert.Equal(Errno.None, errno);
        Assert.Equal(Xpmem.TaskSize, size);
    }

    [Fact]
    public void Make_must_answer_noproc_after_the_argument_einvals_only()
    {
        Assert.Equal(Errno.EINVAL, CallRules.Make(0x10000, 0, 1, 0x180, hasTg: false).Errno);
        Assert.Equal(Errno.NOPROC, CallRules.Make(0x10001, Page, 1, 0x180, hasTg: false).Errno);
    }

    [Theory]
    [InlineData(0L, 2UL, 1, Errno.EINVAL)]
    [InlineData(-5L, 2UL, 1, Errno.EINVAL)]
    [InlineData(100L, 3UL, 1, Errno.EINVAL)]     // both flags
    [InlineData(100L, 4UL, 1, Errno.EINVAL)]     // unknown flag
    [InlineData(100L, 2UL, 0, Errno.EINVAL)]     // permit type
    [InlineData(100L, 0UL, 1, Errno.None)]       // flags 0 is accepted
    [InlineData(100L, 1UL, 1, Errno.None)]
    public void Get_must_check_its_arguments(long segid, ulong flags, int type, Errno expected)
    {
        Assert.Equal(expected, CallRules.Get(segid, flags, type));
    }

    // The openucx gtest's table (xpmem-spec 2.4), for a non-root caller that is the owner.
    [Theory]
    [InlineData(0x180UL, Xpmem.RdOnly, true)]
    [InlineData(0x180UL, Xpmem.RdWr, true)]
    [InlineData(0x100UL, Xpmem.RdOnly, true)]
    [InlineData(0x100UL, Xpmem.RdWr, false)]
    [InlineData(0x080UL, Xpmem.RdOnly, false)]
    [InlineData(0x080UL, Xpmem.RdWr, false)]
    [InlineData(0x000UL, Xpmem.RdOnly, false)]
    [InlineData(0x000UL, Xpmem.RdWr, false)]
    public void PermitAllows_must_follow_the_owner_bits(ulong mode, int flags, bool allowed)
    {
        var owner = new Credentials(1000, 100);
        Assert.Equal(allowed, CallRules.PermitAllows(owner, owner, mode, flags));
        Assert.True(CallRules.PermitAllows(owner, new Credentials(0, 0), mode, flags), "root bypasses");
    }

    [Fact]
    public void PermitAllows_must_choose_group_then_other_bits()
    {
        var owner = new Credentials(1000, 100);
        Assert.True(CallRules.PermitAllows(owner, new Credentials(1001, 100), 0x020, Xpmem.RdOnly), "group read");
        Assert.False(CallRules.PermitAllows(owner, new Credentials(2000, 200), 0x020, Xpmem.RdOnly), "other has no bits");
        Assert.True(CallRules.PermitAllows(owner, new Credentials(2000, 200), 0x004, Xpmem.RdOnly), "other read");
        Assert.False(CallRules.PermitAllows(owner, new Credentials(1000, 200), 0x024, Xpmem.RdOnly), "the owner uses owner bits only");
    }

    [Theory]
    [InlineData(0L, 0UL, Page, null, Errno.EINVAL)]
    [InlineData(5L, 0x10UL, Page, null, Errno.EINVAL)]
    [InlineData(5L, 0UL, Page, 0x20001UL, Errno.EINVAL)]
    [InlineData(5L, 0UL, Page, 0x7ffffffff000UL, Errno.EINVAL)]
    [InlineData(5L, 0UL, Page, 0x7fffffffe000UL, Errno.EINVAL)]   // its page ends at TASK_SIZE
    [InlineData(5L, 0UL, Page, 0x7fffffffd000UL, Errno.None)]
    [InlineData(5L, 0UL, 100UL, null, Errno.None)]
    public void AttachArguments_must_check_ids_and_alignment(long apid, ulong offset, ulong size, ulong? at, Errno expected)
    {
        Assert.Equal(expected, CallRules.AttachArguments(apid, offset, size, at).Errno);
    }

    [Fact]
    public void AttachArguments_must_round_the_size_up()
    {
        Assert.Equal(Page, CallRules.AttachArguments(5, 0, 100, null).SizeBytes);
    }

    [Theory]
    [InlineData(Xpmem.RdOnly, 0UL, Page, 4 * Page, Errno.EACCES)]
    [InlineData(Xpmem.RdWr, 0UL, 5 * Page, 4 * Page, Errno.EINVAL)]
    [InlineData(Xpmem.RdWr, 4 * Page, Page, 4 * Page, Errno.EINVAL)]
    [InlineData(Xpmem.RdWr, 0UL, 0UL, 4 * Page, Errno.EINVAL)]
    [InlineData(Xpmem.RdWr, 0x8000000000000000UL, Page, 4 * Page, Errno.EINVAL)] // offset < 0
    [InlineData(0, 3 * Page, Page, 4 * Page, Errno.None)]
    [InlineData(Xpmem.RdOnly, 5 * Page, Page, 4 * Page, Errno.EACCES)]            // EACCES comes first
    public void AttachAccess_must_refuse_read_only_permits_and_ranges_outside(int flags, ulong offset, ulong size, ulong segmentSize, Errno expected)
    {
        Assert.Equal(expected, CallRules.AttachAccess(flags, offset, size, segmentSize));
    }

    [Theory]
    [InlineData(null, 0UL, Errno.EINVAL)]
    [InlineData(0x10001UL, Page, Errno.EINVAL)]
    [InlineData(0x7ffffffff000UL, 2 * Page, Errno.ENOMEM)]
    [InlineData(0x10000UL, 1UL, Errno.None)]
    public void Mmap_must_check_its_arguments(ulong? address, ulong size, Errno expected)
    {
        Assert.Equal(expected, CallRules.Mmap(address, size).Errno);
    }

    [Theory]
    [InlineData(0x10001UL, Page, Errno.EINVAL)]
    [InlineData(0x10000UL, 0UL, Errno.EINVAL)]
    [InlineData(0x7ffffffff000UL, 2 * Page, Errno.EINVAL)]
    [InlineData(0x10000UL, 1UL, Errno.None)]
    public void Munmap_must_check_its_arguments(ulong address, ulong size, Errno expected)
    {
        Assert.Equal(expected, CallRules.Munmap(address, size).Errno);
    }
}
