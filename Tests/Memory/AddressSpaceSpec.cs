// Proves the address space: first-fit chosen addresses, munmap splitting, zero-filled pages,
// copy-on-write after fork, and pinned pages copied for the child at once. Also: Find and
// Overlapping agree with a linear scan on random layouts; chosen addresses reuse holes lowest
// first and stay fast with 160,000 mappings (the gap hint); unmapping a 2^47-byte untouched
// mapping costs nothing; attachments are returned by munmap and not inherited by fork; the
// page-table observer hears every first touch, copy-on-write copy, drop and exit; and where an
// untouched stretch ends agrees with a scan of the touched pages over random touches and unmaps
// across many 64-page chunks, none of which is kept once empty.
using System.Diagnostics;
using Akka.Actor;
using Emulator.Partitions;
using Emulator.Partitions.Attachments;
using Emulator.Partitions.Memory;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Xunit;
using MemoryPage = Emulator.Partitions.Memory.Page;

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
        Assert.All(memory.PageForWrite(0x10000).Bytes.ToArray(), b => Assert.Equal(0, b));
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
        Assert.Equal(1, parent.PageAt(0x10000)!.Bytes[0]);
        Assert.Equal(2, child.PageAt(0x10000)!.Bytes[0]);
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

    private sealed class Recorder : IPageTableObserver
    {
        public List<string> Events { get; } = [];

        public void Mapped(ulong pageAddress, MemoryPage page) =>
            Events.Add($"mapped 0x{pageAddress:x} {page.Frame}");

        public void Unmapped(ulong pageAddress, MemoryPage page) =>
            Events.Add($"unmapped 0x{pageAddress:x} {page.Frame}");
    }

    private static AttachmentState Attachment(long id, ulong at, ulong size) =>
        new(id, new ApId(XpmemId.Compose(new PartitionId(0), 5, 1)),
            new SegId(XpmemId.Compose(new PartitionId(0), 4, 1)),
            new Endpoint(new PartitionId(0), ActorRefs.Nobody), 0x10000, at, size);

    private static ulong MapChosen(AddressSpace memory, ulong size)
    {
        var at = memory.ChooseAddress(size);
        Assert.NotNull(at);
        memory.Insert(new AnonymousVma(at.Value, at.Value + size));
        return at.Value;
    }

    [Fact]
    public void AddressSpace_must_find_like_a_linear_scan_on_random_layouts()
    {
        var random = new Random(11);
        for (var layout = 0; layout < 200; layout++)
        {
            var memory = new AddressSpace(new FrameCounter());
            var at = (ulong)random.Next(0, 4) * Page;
            for (var i = random.Next(0, 30); i > 0; i--)
            {
                at += (ulong)random.Next(0, 3) * Page;
                var end = at + (ulong)random.Next(1, 4) * Page;
                memory.Insert(random.Next(3) == 0 ? new AttachmentVma(Attachment(i, at, end - at))
                    : new AnonymousVma(at, end));
                at = end;
            }
            var vmas = memory.Vmas.ToList();
            for (var probe = 0; probe < 50; probe++)
            {
                var address = (ulong)random.Next(0, (int)(at / 512) + 16) * 512;
                Assert.Same(vmas.FirstOrDefault(v => v.Contains(address)), memory.Find(address));
                var end = address + (ulong)random.Next(1, 5 * (int)Page);
                Assert.Equal(vmas.Where(v => v.Overlaps(address, end)), memory.Overlapping(address, end));
            }
        }
    }

    [Fact]
    public void AddressSpace_must_choose_a_hole_that_fits_and_skip_one_that_does_not()
    {
        var memory = new AddressSpace(new FrameCounter());
        var a = MapChosen(memory, Page);
        var b = MapChosen(memory, Page);
        var c = MapChosen(memory, Page);
        Assert.Equal([AddressSpace.MmapBase, AddressSpace.MmapBase + Page, AddressSpace.MmapBase + 2 * Page], [a, b, c]);
        memory.Unmap(b, b + Page);
        // Too big for the one-page hole: goes past the end, and the hole is still known.
        Assert.Equal(c + Page, MapChosen(memory, 2 * Page));
        Assert.Equal(b, MapChosen(memory, Page));
        Assert.Equal(c + 3 * Page, MapChosen(memory, Page));
    }

    [Fact]
    public void AddressSpace_must_choose_the_room_an_unmap_freed_below_its_start()
    {
        // munmap removes an attachment it overlaps whole, also the part below the munmap's start:
        // first fit must find that room again.
        var memory = new AddressSpace(new FrameCounter());
        var at = memory.ChooseAddress(4 * Page)!.Value;
        memory.Insert(new AttachmentVma(Attachment(1, at, 4 * Page)));
        var anon = MapChosen(memory, Page);
        Assert.Equal(at + 4 * Page, anon);
        Assert.Single(memory.Unmap(at + 3 * Page, anon + Page));
        Assert.Empty(memory.Vmas);
        Assert.Equal(at, memory.ChooseAddress(Page));
    }

    [Fact]
    public void AddressSpace_must_never_choose_below_the_mmap_base()
    {
        var memory = new AddressSpace(new FrameCounter());
        memory.Insert(new AnonymousVma(0x10000, AddressSpace.MmapBase + Page));
        memory.Unmap(0x10000, 0x20000);
        Assert.Equal(AddressSpace.MmapBase + Page, MapChosen(memory, Page));
        memory.Unmap(0x30000, AddressSpace.MmapBase + Page);
        Assert.Equal(AddressSpace.MmapBase, MapChosen(memory, Page));
    }

    [Fact]
    public void AddressSpace_must_keep_its_hint_when_nothing_fits()
    {
        var memory = new AddressSpace(new FrameCounter());
        var a = MapChosen(memory, Page);
        MapChosen(memory, Page);
        memory.Unmap(a, a + Page);
        var top = Xpmem.TaskSize - AddressSpace.MmapBase;
        Assert.Null(memory.ChooseAddress(top));
        Assert.Equal(a, MapChosen(memory, Page));
    }

    [Fact]
    public void AddressSpace_must_choose_160000_addresses_fast_and_refill_holes_lowest_first()
    {
        const int count = 160_000;
        var memory = new AddressSpace(new FrameCounter());
        var clock = Stopwatch.StartNew();
        var chosen = new ulong[count];
        for (var i = 0; i < count; i++) chosen[i] = MapChosen(memory, Page);
        clock.Stop();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"160,000 mmaps took {clock.Elapsed}");
        Assert.Equal(Enumerable.Range(0, count).Select(i => AddressSpace.MmapBase + (ulong)i * Page), chosen);

        for (var i = 1; i < count; i += 2) memory.Unmap(chosen[i], chosen[i] + Page);
        Assert.Equal(count / 2, memory.Vmas.Count);
        var refilled = new List<ulong>(count / 2);
        for (var i = 0; i < count / 2; i++) refilled.Add(MapChosen(memory, Page));
        Assert.Equal(Enumerable.Range(0, count / 2).Select(i => chosen[2 * i + 1]), refilled);
        Assert.Equal(AddressSpace.MmapBase + (ulong)count * Page, MapChosen(memory, Page));
    }

    [Fact]
    public void AddressSpace_must_unmap_an_untouched_user_space_sized_mapping_at_no_cost()
    {
        var memory = new AddressSpace(new FrameCounter());
        memory.Insert(new AnonymousVma(0, Xpmem.TaskSize));
        Assert.Null(memory.ChooseAddress(Page));
        var clock = Stopwatch.StartNew();
        memory.Unmap(0, Xpmem.TaskSize);
        clock.Stop();
        Assert.Empty(memory.Vmas);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"munmap took {clock.Elapsed}");
        Assert.Equal(AddressSpace.MmapBase, memory.ChooseAddress(Page));
    }

    [Fact]
    public void AddressSpace_must_drop_only_the_touched_pages_inside_an_unmapped_part_of_a_huge_mapping()
    {
        var memory = new AddressSpace(new FrameCounter());
        var recorder = new Recorder();
        memory.Observer = recorder;
        memory.Insert(new AnonymousVma(0, Xpmem.TaskSize));
        foreach (var address in new ulong[] { 0x1000, 0x5000, 0x40000000, 0x7f0000000000 })
            memory.PageForWrite(address);
        recorder.Events.Clear();
        memory.Unmap(0x2000, 0x7f0000000000);
        Assert.Equal(["unmapped 0x40000000 3", "unmapped 0x5000 2"], recorder.Events.Order());
        Assert.Equal(2, memory.PageCount);
        Assert.Equal([(0UL, 0x2000UL), (0x7f0000000000UL, Xpmem.TaskSize)],
            memory.Vmas.Select(v => (v.Start, v.End)));
        // A small unmap with many pages touched walks the range.
        memory.Unmap(0x1000, 0x2000);
        Assert.Null(memory.PageAt(0x1000));
        Assert.Equal(1, memory.PageCount);
    }

    [Fact]
    public void AddressSpace_must_return_and_remove_the_attachments_an_unmap_overlaps()
    {
        var memory = new AddressSpace(new FrameCounter());
        var attachment = Attachment(1, 0x20000, 4 * Page);
        memory.Insert(new AnonymousVma(0x10000, 0x20000));
        memory.Insert(new AttachmentVma(attachment));
        memory.Insert(new AnonymousVma(0x24000, 0x30000));
        var other = Attachment(2, 0x40000, Page);
        memory.Insert(new AttachmentVma(other));
        var returned = memory.Unmap(0x1f000, 0x21000);
        Assert.Same(attachment, Assert.Single(returned).Attachment);
        Assert.Equal([(0x10000UL, 0x1f000UL), (0x24000UL, 0x30000UL), (0x40000UL, 0x41000UL)],
            memory.Vmas.Select(v => (v.Start, v.End)));
        Assert.Null(memory.Find(0x23000));
        Assert.Empty(memory.Unmap(0x50000, 0x60000));
        Assert.Equal(3, memory.Vmas.Count);
    }

    [Fact]
    public void AddressSpace_must_refuse_a_vma_over_one_already_mapped()
    {
        var memory = new AddressSpace(new FrameCounter());
        memory.Insert(new AnonymousVma(0x10000, 0x20000));
        Assert.Throws<InvariantException>(() => memory.Insert(new AnonymousVma(0x1f000, 0x21000)));
        Assert.Throws<InvariantException>(() => memory.Insert(new AnonymousVma(0x0f000, 0x11000)));
        memory.Insert(new AnonymousVma(0x20000, 0x21000));
        memory.Insert(new AnonymousVma(0x0f000, 0x10000));
        Assert.Equal(3, memory.Vmas.Count);
    }

    [Fact]
    public void AddressSpace_must_remove_an_attachment_once_and_reuse_its_range()
    {
        var memory = new AddressSpace(new FrameCounter());
        var at = memory.ChooseAddress(2 * Page)!.Value;
        var attachment = Attachment(1, at, 2 * Page);
        memory.Insert(new AttachmentVma(attachment));
        MapChosen(memory, Page);
        Assert.False(memory.RemoveAttachment(Attachment(1, at, 2 * Page)));
        Assert.True(memory.RemoveAttachment(attachment));
        Assert.False(memory.RemoveAttachment(attachment));
        Assert.Null(memory.Find(at));
        Assert.Equal(at, MapChosen(memory, 2 * Page));
    }

    [Fact]
    public void AddressSpace_must_copy_a_shared_page_on_write_and_tell_the_observer()
    {
        var frames = new FrameCounter();
        var parent = new AddressSpace(frames);
        var recorder = new Recorder();
        parent.Observer = recorder;
        parent.Insert(new AnonymousVma(0x10000, 0x12000));
        var original = parent.PageForWrite(0x10000);
        original.Bytes[5] = 55;
        Assert.Equal(["mapped 0x10000 1"], recorder.Events);
        var child = parent.ForkCopy();
        Assert.Equal(2, original.Sharers);
        var copy = parent.PageForWrite(0x10123);
        Assert.NotSame(original, copy);
        Assert.Equal(2, copy.Frame);
        Assert.Equal(55, copy.Bytes[5]);
        Assert.Equal(1, original.Sharers);
        Assert.Same(original, child.PageAt(0x10000));
        Assert.Equal(["mapped 0x10000 1", "unmapped 0x10000 1", "mapped 0x10000 2"], recorder.Events);
        // Now private on both sides: no more copies.
        Assert.Same(copy, parent.PageForWrite(0x10000));
        Assert.Same(original, child.PageForWrite(0x10000));
        Assert.Equal(3, recorder.Events.Count);
    }

    [Fact]
    public void AddressSpace_must_refuse_to_break_copy_on_write_of_a_pinned_page()
    {
        var parent = new AddressSpace(new FrameCounter());
        parent.Insert(new AnonymousVma(0x10000, 0x11000));
        var page = parent.PageForWrite(0x10000);
        parent.ForkCopy();
        page.Pin();
        Assert.Throws<InvariantException>(() => parent.PageForWrite(0x10000));
    }

    [Fact]
    public void AddressSpace_must_fork_anonymous_memory_only_copying_pinned_pages()
    {
        var frames = new FrameCounter();
        var parent = new AddressSpace(frames);
        parent.Insert(new AnonymousVma(0x10000, 0x13000));
        parent.Insert(new AttachmentVma(Attachment(1, 0x20000, Page)));
        var pinned = parent.PageForWrite(0x10000);
        pinned.Bytes[0] = 9;
        pinned.Pin();
        var plain = parent.PageForWrite(0x11000);
        var child = parent.ForkCopy();
        var anon = Assert.Single(child.Vmas);
        Assert.IsType<AnonymousVma>(anon);
        Assert.Equal((0x10000UL, 0x13000UL), (anon.Start, anon.End));
        Assert.Equal(2, child.PageCount);
        var copied = child.PageAt(0x10000)!;
        Assert.NotSame(pinned, copied);
        Assert.Equal(9, copied.Bytes[0]);
        Assert.Equal(0, copied.Pins);
        Assert.Equal(1, pinned.Sharers);
        Assert.Same(plain, child.PageAt(0x11000));
        Assert.Equal(2, plain.Sharers);
        Assert.Null(child.PageAt(0x12000));
        Assert.Null(child.Find(0x20000));
    }

    [Fact]
    public void AddressSpace_must_tell_the_observer_of_first_touch_once_and_of_every_drop()
    {
        var memory = new AddressSpace(new FrameCounter());
        var recorder = new Recorder();
        memory.Observer = recorder;
        memory.Insert(new AnonymousVma(0x10000, 0x14000));
        memory.PageForWrite(0x10000);
        memory.PageForWrite(0x10fff);
        memory.PageForWrite(0x10000);
        memory.PageForWrite(0x11000);
        memory.PageForWrite(0x12000);
        Assert.Equal(["mapped 0x10000 1", "mapped 0x11000 2", "mapped 0x12000 3"], recorder.Events);
        recorder.Events.Clear();
        memory.Unmap(0x11000, 0x12000);
        Assert.Equal(["unmapped 0x11000 2"], recorder.Events);
        recorder.Events.Clear();
        memory.Clear();
        Assert.Equal(["unmapped 0x10000 1", "unmapped 0x12000 3"], recorder.Events.Order());
        Assert.Equal(0, memory.PageCount);
        Assert.Empty(memory.Vmas);
    }

    [Fact]
    public void AddressSpace_must_leave_shared_pages_to_their_other_sharers_on_exit()
    {
        var parent = new AddressSpace(new FrameCounter());
        parent.Insert(new AnonymousVma(0x10000, 0x11000));
        var page = parent.PageForWrite(0x10000);
        page.Bytes[1] = 1;
        var child = parent.ForkCopy();
        child.Clear();
        Assert.Equal(1, page.Sharers);
        Assert.Same(page, parent.PageForWrite(0x10000));
        Assert.Equal(1, parent.PageAt(0x10000)!.Bytes[1]);
    }

    [Fact]
    public void AddressSpace_must_announce_a_fork_childs_pages_to_its_observer()
    {
        var parent = new AddressSpace(new FrameCounter());
        parent.Insert(new AnonymousVma(0x10000, 0x13000));
        parent.PageForWrite(0x10000);
        parent.PageForWrite(0x12000);
        var child = parent.ForkCopy();
        child.AnnouncePages();
        var recorder = new Recorder();
        child.Observer = recorder;
        Assert.Empty(recorder.Events);
        child.AnnouncePages();
        Assert.Equal(["mapped 0x10000 1", "mapped 0x12000 2"], recorder.Events.Order());
    }

    /// <summary>First fit from MmapBase by a plain scan of the VMAs: what ChooseAddress must say.</summary>
    private static ulong? NaiveFirstFit(IEnumerable<Vma> vmas, ulong size)
    {
        var candidate = AddressSpace.MmapBase;
        foreach (var vma in vmas.OrderBy(v => v.Start))
        {
            if (vma.End <= candidate) continue;
            if (vma.Start >= candidate && vma.Start - candidate >= size) break;
            candidate = Math.Max(candidate, vma.End);
        }
        return size <= Xpmem.TaskSize && candidate <= Xpmem.TaskSize - size ? candidate : null;
    }

    [Fact]
    public void AddressSpace_must_choose_what_a_plain_first_fit_scan_chooses_after_any_history()
    {
        // Random mixes of chosen and fixed mmaps, attachments, munmaps, detaches, forks and exits,
        // around the mmap base and at the top of user space: the gap hint must never make
        // ChooseAddress miss a lower fit, nor pick a range that is not free.
        var random = new Random(42);
        const ulong window = 512 * Page;
        var low = AddressSpace.MmapBase - 64 * Page;
        var top = Xpmem.TaskSize - 64 * Page;
        for (var history = 0; history < 150; history++)
        {
            var memory = new AddressSpace(new FrameCounter());
            var attachments = new List<AttachmentState>();
            for (var step = 0; step < 300; step++)
            {
                var roll = random.Next(100);
                if (roll < 35)
                {
                    var size = (ulong)random.Next(1, 9) * Page;
                    if (random.Next(20) == 0)
                        size = Xpmem.TaskSize - AddressSpace.MmapBase - (ulong)random.Next(0, 600) * Page;
                    var expected = NaiveFirstFit(memory.Vmas, size);
                    var chosen = memory.ChooseAddress(size);
                    Assert.True(expected == chosen,
                        $"history {history} step {step}: chose {chosen:x} for 0x{size:x}, first fit is {expected:x}");
                    if (chosen is { } at)
                    {
                        if (random.Next(4) == 0)
                        {
                            var attachment = Attachment(step, at, size);
                            attachments.Add(attachment);
                            memory.Insert(new AttachmentVma(attachment));
                        }
                        else memory.Insert(new AnonymousVma(at, at + size));
                    }
                }
                else if (roll < 55)
                {
                    var start = (random.Next(2) == 0 ? low : top) + (ulong)random.Next(0, 80) * Page;
                    var end = Math.Min(start + (ulong)random.Next(1, 9) * Page, Xpmem.TaskSize);
                    if (start < end && !memory.Overlapping(start, end).Any()) memory.Insert(new AnonymousVma(start, end));
                }
                else if (roll < 85)
                {
                    var start = (random.Next(3) == 0 ? top : low) + (ulong)random.Next(0, (int)(window / Page)) * Page;
                    var end = Math.Min(start + (ulong)random.Next(1, 40) * Page, Xpmem.TaskSize);
                    if (start >= end) continue;
                    foreach (var gone in memory.Unmap(start, end)) attachments.Remove(gone.Attachment);
                }
                else if (roll < 95 && attachments.Count > 0)
                {
                    var attachment = attachments[random.Next(attachments.Count)];
                    attachments.Remove(attachment);
                    Assert.True(memory.RemoveAttachment(attachment));
                }
                else if (roll < 99)
                {
                    memory = memory.ForkCopy();
                    attachments.Clear();
                }
                else
                {
                    memory.Clear();
                    attachments.Clear();
                }
                var vmas = memory.Vmas;
                for (var i = 1; i < vmas.Count; i++) Assert.True(vmas[i - 1].End <= vmas[i].Start);
            }
        }
    }

    /// <summary>An observer that keeps its own page table and checks each change makes sense.</summary>
    private sealed class Shadow : IPageTableObserver
    {
        public Dictionary<ulong, MemoryPage> Pages { get; } = [];

        public void Mapped(ulong pageAddress, MemoryPage page)
        {
            Assert.True(Pages.TryAdd(pageAddress, page),
                $"0x{pageAddress:x} mapped again without being unmapped");
        }

        public void Unmapped(ulong pageAddress, MemoryPage page)
        {
            Assert.True(Pages.Remove(pageAddress, out var had) && had == page,
                $"0x{pageAddress:x} unmapped as frame {page.Frame}, which it did not map");
        }
    }

    [Fact]
    public void AddressSpace_must_keep_its_observer_and_sharer_counts_true_over_random_histories()
    {
        // Touches, stores, pins, munmaps, forks and exits at random over a family of address
        // spaces: each one's observer always sees exactly its page table, and every page's
        // sharer count is the number of live address spaces that map it.
        const ulong start = 0x10000;
        const int pages = 24;
        var random = new Random(5);
        for (var history = 0; history < 100; history++)
        {
            var family = new List<(AddressSpace Memory, Shadow Shadow)>();
            var pinned = new List<MemoryPage>();
            var first = new AddressSpace(new FrameCounter());
            first.Insert(new AnonymousVma(start, start + pages * Page));
            family.Add((first, new Shadow()));
            first.Observer = family[0].Shadow;
            for (var step = 0; step < 200; step++)
            {
                var (memory, shadow) = family[random.Next(family.Count)];
                var address = start + (ulong)random.Next(pages) * Page + (ulong)random.Next(4096);
                var roll = random.Next(100);
                if (memory.Vmas.Count == 0) memory.Insert(new AnonymousVma(start, start + pages * Page));
                else if (roll < 25 && memory.Find(address) is not null) memory.PageForWrite(address);
                else if (roll < 55 && memory.Find(address) is not null)
                {
                    var page = memory.PageForWrite(address);
                    page.Bytes[0]++;
                    if (random.Next(6) == 0)
                    {
                        page.Pin();
                        pinned.Add(page);
                    }
                }
                else if (roll < 65 && pinned.Count > 0)
                {
                    var page = pinned[random.Next(pinned.Count)];
                    pinned.Remove(page);
                    page.Unpin();
                }
                else if (roll < 80)
                {
                    var from = start + (ulong)random.Next(pages) * Page;
                    var to = Math.Min(from + (ulong)random.Next(1, 6) * Page, start + pages * Page);
                    memory.Unmap(from, to);
                    memory.Insert(new AnonymousVma(from, to));
                }
                else if (roll < 93 && family.Count < 6)
                {
                    var child = memory.ForkCopy();
                    var childShadow = new Shadow();
                    child.Observer = childShadow;
                    child.AnnouncePages();
                    family.Add((child, childShadow));
                }
                else if (roll >= 93)
                {
                    memory.Clear();
                }
                foreach (var (member, view) in family)
                {
                    Assert.Equal(view.Pages.Count, member.PageCount);
                    foreach (var (at, page) in view.Pages) Assert.Same(page, member.PageAt(at));
                }
                var mapped = family.SelectMany(m => m.Shadow.Pages.Values).ToList();
                foreach (var group in mapped.GroupBy(p => p))
                {
                    Assert.True(group.Count() == group.Key.Sharers,
                        $"history {history} step {step}: frame {group.Key.Frame} is mapped "
                        + $"{group.Count()} times, counts {group.Key.Sharers} sharers");
                    Assert.True(group.Key.Pins == 0 || group.Count() == 1,
                        $"pinned frame {group.Key.Frame} is shared");
                }
            }
        }
    }

    [Fact]
    public void AddressSpace_must_find_where_untouched_stretches_end_like_a_scan_of_its_pages()
    {
        // 600 pages from an address in the middle of a 64-page chunk: ten chunks, two partial.
        const ulong start = 0x7000000 + 37 * Page, pages = 600, end = start + pages * Page;
        for (var seed = 1; seed <= 30; seed++)
        {
            var random = new Random(seed);
            var memory = new AddressSpace(new FrameCounter());
            memory.Insert(new AnonymousVma(start, end));
            var touched = new SortedSet<ulong>();
            for (var round = 0; round < 200; round++)
            {
                var page = start + (ulong)random.Next((int)pages) * Page;
                if (random.Next(4) > 0)
                {
                    memory.PageForWrite(page);
                    touched.Add(page);
                }
                else
                {
                    // Unmap a stretch and map it again, untouched.
                    var stretchEnd = Math.Min(end, page + (ulong)random.Next(1, 130) * Page);
                    memory.Unmap(page, stretchEnd);
                    memory.Insert(new AnonymousVma(page, stretchEnd));
                    touched.RemoveWhere(p => p >= page && p < stretchEnd);
                }
                var from = start + (ulong)random.Next((int)(pages * Page));
                var limit = Math.Min(end, from + (ulong)random.Next(1, (int)(200 * Page)));
                var next = touched.GetViewBetween(from & ~(Page - 1), limit - 1);
                var expected = next.Count > 0 ? Math.Max(from, next.Min) : limit;
                var at = $"seed {seed}, round {round}";
                Assert.True(expected == memory.UntouchedEnd(from, limit),
                    $"{at}: from 0x{from:x} to 0x{limit:x}");
                Assert.True(touched.Count == memory.PageCount,
                    $"{at}: {memory.PageCount} pages, {touched.Count} touched");
                var chunks = touched.Select(p => p >> (Xpmem.PageShift + 6)).Distinct().Count();
                Assert.True(chunks == memory.TouchedChunkCount,
                    $"{at}: {memory.TouchedChunkCount} chunks kept, {chunks} hold a page");
            }
        }
    }
}
