// Proves the address space: first-fit chosen addresses, munmap splitting, zero-filled pages,
// copy-on-write after fork, and pinned pages copied for the child at once.
using Emulator.Partitions.Memory;
using Emulator.Protocol;
using Xunit;

namespace Emulator.Tests.Memory;

public sealed class AddressSpaceSpec
{
    private const ulong Page = Xpmem.PageSize;

    [Fact]
    public void AddressSpace_must_choose_the_lowest_free_range_above_the_mmap_base()
    {
        var memory = new AddressSpace(new FrameCounter());
        Assert.Equal(AddressSpace.MmapBase, memory.ChooseAddress(Page));
        memory.Insert(new AnonymousVma(AddressSpace.MmapBase, AddressSpace.MmapBase + 2 * Page));
        memory.Insert(new AnonymousVma(AddressSpace.MmapBase + 3 * Page, AddressSpace.MmapBase + 4 * Page));
        Assert.Equal(AddressSpace.MmapBase + 2 * Page, memory.ChooseAddress(Page));
        Assert.Equal(AddressSpace.MmapBase + 4 * Page, memory.ChooseAddress(2 * Page));
        Assert.Null(memory.ChooseAddress(Xpmem.TaskSize));
    }

    [Fact]
    public void AddressSpace_must_split_a_mapping_on_partial_munmap_and_drop_its_pages()
    {
        var memory = new AddressSpace(new FrameCounter());
        memory.Insert(new AnonymousVma(0x10000, 0x10000 + 4 * Page));
        memory.PageForWrite(0x11000).Bytes[0] = 7;
        memory.Unmap(0x11000, 0x12000);
        Assert.Null(memory.Find(0x11000));
        Assert.NotNull(memory.Find(0x10000));
        Assert.NotNull(memory.Find(0x12000));
        Assert.Null(memory.PageAt(0x11000));
        Assert.Equal(2, memory.Vmas.Count);
    }

    [Fact]
    public void AddressSpace_must_zero_fill_on_first_touch()
    {
        var memory = new AddressSpace(new FrameCounter());
        memory.Insert(new AnonymousVma(0x10000, 0x11000));
        Assert.All(memory.PageForRead(0x10000).Bytes, b => Assert.Equal(0, b));
    }

    [Fact]
    public void AddressSpace_must_copy_on_write_after_fork()
    {
        var parent = new AddressSpace(new FrameCounter());
        parent.Insert(new AnonymousVma(0x10000, 0x11000));
        parent.PageForWrite(0x10000).Bytes[0] = 1;
        var child = parent.ForkCopy();
        Assert.Same(parent.PageAt(0x10000), child.PageAt(0x10000));
        child.PageForWrite(0x10000).Bytes[0] = 2;
        Assert.Equal(1, parent.PageForRead(0x10000).Bytes[0]);
        Assert.Equal(2, child.PageForRead(0x10000).Bytes[0]);
        Assert.Equal(1, parent.PageAt(0x10000)!.Sharers);
    }

    [Fact]
    public void AddressSpace_must_copy_pinned_pages_for_the_child_at_fork()
    {
        var parent = new AddressSpace(new FrameCounter());
        parent.Insert(new AnonymousVma(0x10000, 0x11000));
        var page = parent.PageForWrite(0x10000);
        page.Pin();
        var child = parent.ForkCopy();
        Assert.NotSame(page, child.PageAt(0x10000));
        Assert.Same(page, parent.PageForWrite(0x10000));
    }
}
