// Proves the access loop over a real address space: it moves anonymous memory and attachment
// PTEs that hold a page as plain copies and stops, at the chunk at hand, at an unmapped address
// (Unmapped), an attachment page without a PTE (Fault) or a remote PTE (Remote); a stopped walk
// goes on from that chunk once the PTE is there. Loads of untouched anonymous memory allocate no
// page, stores break copy-on-write, and each chunk through a local PTE is reported once as an
// Accessed event naming attacher, attachment, segment, owner, source page and frame. A check or
// sum over untouched memory skips each stretch up to the next touched page at once, and gives
// what walking it byte by byte gives (words that straddle a touched page included). Each run
// moves one unit of the walk's grain (the thread group takes the next in a delivery of its own;
// RunToStop here takes them all). A fetchop is one step: on the page itself for anonymous memory
// and local PTEs (one Accessed, a write), a Remote stop for a remote PTE, and a Misaligned stop,
// before any memory is touched, at an address that is not 4-byte aligned.
using Akka.Actor;
using Emulator.Partitions.Attachments;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Memory;
using Emulator.Partitions.Processes;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Processes;
using Xunit;

namespace Emulator.Tests.Processes;

public sealed class MemoryAccessSpec
{
    private const ulong PageBytes = Xpmem.PageSize;
    private const ulong Anon = 0x10000;
    private const ulong At = 0x100000;
    private const ulong Source = 0x7f0000200000;

    private static readonly TgId Me = new(new PartitionId(0), 300);
    private static readonly TgId OwnerTg = new(new PartitionId(0), 100);
    private static readonly SegId Seg = new(XpmemId.Compose(OwnerTg.Partition, OwnerTg.Pid, 2));

    private sealed class Fixture
    {
        public FrameCounter Frames { get; } = new();
        public AddressSpace Memory { get; }
        public List<MachineEvent> Events { get; } = [];
        public MemoryAccess Access { get; }
        public AttachmentState Attachment { get; }

        public Fixture(ulong anonPages = 4, ulong attachPages = 4)
        {
            Memory = new AddressSpace(Frames);
            Memory.Insert(new AnonymousVma(Anon, Anon + anonPages * PageBytes));
            Attachment = new AttachmentState(9, new ApId(XpmemId.Compose(Me.Partition, Me.Pid, 1)),
                Seg, new Endpoint(Me.Partition, ActorRefs.Nobody), Source, At,
                attachPages * PageBytes);
            Memory.Insert(new AttachmentVma(Attachment));
            Access = new MemoryAccess(Memory, Me, Events.Add);
        }

        /// <summary>A local PTE: the owner's page itself, filled with <paramref name="fill"/>.</summary>
        public Page Local(int page, byte fill, long pinId = 0)
        {
            var owned = new Page(Frames.Next());
            owned.Bytes.Fill(fill);
            Attachment.Ptes[At + (ulong)page * PageBytes] = new Frame(pinId, owned);
            return owned;
        }

        public void Remote(int page, long pinId) =>
            Attachment.Ptes[At + (ulong)page * PageBytes] = new Frame(pinId, null);
    }

    [Fact]
    public void MemoryAccess_must_read_untouched_anonymous_memory_as_zero_without_a_page()
    {
        var f = new Fixture();
        var load = new LoadWalk(Anon + 8, 8);
        Assert.Equal(AccessStopKind.Done, f.Access.RunToStop(load).Kind);
        Assert.Equal(0UL, load.Outcome.Value);
        var check = new CheckWalk(Anon, 4 * PageBytes, new ZeroPattern(), AccessGrain.Page);
        Assert.Equal(AccessStopKind.Done, f.Access.RunToStop(check).Kind);
        Assert.Equal(OutcomeKind.Ok, check.Outcome.Kind);
        var sum = new Sum32Walk(Anon + 1, 4 * PageBytes - 1, AccessGrain.Page);
        Assert.Equal(AccessStopKind.Done, f.Access.RunToStop(sum).Kind);
        Assert.Equal(0, f.Memory.PageCount);
        Assert.Empty(f.Events);
    }

    [Fact]
    public void MemoryAccess_must_store_to_anonymous_memory_and_read_it_back()
    {
        var f = new Fixture();
        var fill = new FillWalk(Anon + 4090, 10, new Index32Pattern(5), AccessGrain.Page);
        Assert.Equal(AccessStopKind.Done, f.Access.RunToStop(fill).Kind);
        Assert.Equal(2, f.Memory.PageCount);
        var check = new CheckWalk(Anon + 4090, 10, new Index32Pattern(5), AccessGrain.Page);
        Assert.Equal(AccessStopKind.Done, f.Access.RunToStop(check).Kind);
        Assert.Equal(OutcomeKind.Ok, check.Outcome.Kind);
        var load = new LoadWalk(Anon + 4090, 4);
        f.Access.RunToStop(load);
        Assert.Equal(5UL, load.Outcome.Value);
        Assert.Empty(f.Events);
    }

    [Fact]
    public void MemoryAccess_must_stop_at_an_unmapped_address_with_the_chunk_at_hand()
    {
        var f = new Fixture(anonPages: 2);
        var stop = f.Access.RunToStop(new LoadWalk(0x5000, 4));
        Assert.Equal(new AccessStop(AccessStopKind.Unmapped, new Chunk(0x5000, 4, false)), stop);

        // A fill running off the end of the mapping stores what is mapped, then stops.
        var fill = new FillWalk(Anon + PageBytes + 100, 2 * PageBytes, new BytePattern(7), AccessGrain.Page);
        stop = f.Access.RunToStop(fill);
        Assert.Equal(AccessStopKind.Unmapped, stop.Kind);
        Assert.Equal(new Chunk(Anon + 2 * PageBytes, (int)PageBytes, true), stop.Chunk);
        Assert.Null(stop.Attachment);
        Assert.Equal(7, f.Memory.PageAt(Anon + 2 * PageBytes - 1)!.Bytes[^1]);
        Assert.Equal(0, f.Memory.PageAt(Anon + PageBytes + 99)?.Bytes[99] ?? 0);
    }

    [Fact]
    public void MemoryAccess_must_stop_at_an_attachment_page_without_a_pte_as_a_fault()
    {
        var f = new Fixture();
        f.Local(0, 1);
        var load = new CheckWalk(At, 2 * PageBytes, new BytePattern(1), AccessGrain.Page);
        var stop = f.Access.RunToStop(load);
        Assert.Equal(AccessStopKind.Fault, stop.Kind);
        Assert.Equal(new Chunk(At + PageBytes, (int)PageBytes, false), stop.Chunk);
        Assert.Same(f.Attachment, stop.Attachment);
        Assert.Equal(At + PageBytes, stop.PageAddress);
        Assert.Equal(default, stop.Frame);

        // The fault maps the page; the same walk goes on from the chunk it stopped at.
        f.Local(1, 1);
        Assert.Equal(AccessStopKind.Done, f.Access.RunToStop(load).Kind);
        Assert.Equal(OutcomeKind.Ok, load.Outcome.Kind);
        Assert.Equal(2, f.Events.Count);
    }

    [Fact]
    public void MemoryAccess_must_stop_at_a_remote_pte_with_its_pin()
    {
        var f = new Fixture();
        f.Local(0, 3);
        f.Remote(1, pinId: 77);
        var store = new StoreWalk(At + PageBytes - 2, 0x0102030405060708, 8);
        var stop = f.Access.RunToStop(store);
        Assert.Equal(AccessStopKind.Remote, stop.Kind);
        Assert.Equal(new Chunk(At + PageBytes, 6, true), stop.Chunk);
        Assert.Same(f.Attachment, stop.Attachment);
        Assert.Equal(At + PageBytes, stop.PageAddress);
        Assert.Equal(new Frame(77, null), stop.Frame);
        // The part in the local page is stored already.
        var local = f.Attachment.Ptes[At].Page!;
        Assert.Equal(new byte[] { 8, 7 }, local.Bytes[^2..]);
    }

    [Fact]
    public void MemoryAccess_must_report_each_chunk_through_a_local_pte_as_one_access()
    {
        var f = new Fixture();
        var pages = Enumerable.Range(0, 3).Select(i => f.Local(i, (byte)(i + 1), pinId: 50 + i))
            .ToList();
        var fill = new FillWalk(At + 100, 3 * PageBytes - 200, new BytePattern(9), AccessGrain.Page);
        Assert.Equal(AccessStopKind.Done, f.Access.RunToStop(fill).Kind);
        var expected = Enumerable.Range(0, 3).Select(i => (MachineEvent)new Accessed(Me, 9, Seg,
            OwnerTg, Source + (ulong)i * PageBytes, pages[i].Frame, true)).ToList();
        Assert.Equal(expected, f.Events);
        Assert.Equal(9, pages[1].Bytes[0]);
        Assert.Equal(1, pages[0].Bytes[99]);
        Assert.Equal(9, pages[0].Bytes[100]);

        f.Events.Clear();
        var load = new LoadWalk(At + 2 * PageBytes - 4, 8);
        Assert.Equal(AccessStopKind.Done, f.Access.RunToStop(load).Kind);
        Assert.Equal(0x0909090909090909UL, load.Outcome.Value);
        Assert.Equal(
        [
            new Accessed(Me, 9, Seg, OwnerTg, Source + PageBytes, pages[1].Frame, false),
            new Accessed(Me, 9, Seg, OwnerTg, Source + 2 * PageBytes, pages[2].Frame, false),
        ], f.Events);
        Assert.Equal(0, f.Memory.PageCount);
    }

    [Fact]
    public void MemoryAccess_must_report_only_the_attachment_side_of_a_copy()
    {
        var f = new Fixture();
        var page = f.Local(0, 0x42);
        var copy = new CopyWalk(Anon, At, PageBytes, AccessGrain.Page);
        Assert.Equal(AccessStopKind.Done, f.Access.RunToStop(copy).Kind);
        Assert.Equal([new Accessed(Me, 9, Seg, OwnerTg, Source, page.Frame, false)], f.Events);
        Assert.All(f.Memory.PageAt(Anon)!.Bytes.ToArray(), b => Assert.Equal(0x42, b));

        f.Events.Clear();
        var back = new CopyWalk(At + 10, Anon, 20, AccessGrain.Page);
        Assert.Equal(AccessStopKind.Done, f.Access.RunToStop(back).Kind);
        Assert.Equal([new Accessed(Me, 9, Seg, OwnerTg, Source, page.Frame, true)], f.Events);
    }

    [Fact]
    public void MemoryAccess_must_break_copy_on_write_before_a_store()
    {
        var f = new Fixture();
        f.Memory.PageForWrite(Anon).Bytes[0] = 1;
        var child = f.Memory.ForkCopy();
        var childAccess = new MemoryAccess(child, Me, _ => { });
        var shared = child.PageAt(Anon)!;
        Assert.Equal(AccessStopKind.Done, childAccess.RunToStop(new StoreWalk(Anon, 2, 1)).Kind);
        Assert.NotSame(shared, child.PageAt(Anon));
        Assert.Equal(1, f.Memory.PageAt(Anon)!.Bytes[0]);
        Assert.Equal(2, child.PageAt(Anon)!.Bytes[0]);
        var load = new LoadWalk(Anon, 1);
        f.Access.RunToStop(load);
        Assert.Equal(1UL, load.Outcome.Value);
    }

    [Fact]
    public void MemoryAccess_must_report_nothing_for_a_walk_that_stops_before_its_attachment_page()
    {
        var f = new Fixture();
        var stop = f.Access.RunToStop(new LoadWalk(At, 4));
        Assert.Equal(AccessStopKind.Fault, stop.Kind);
        f.Remote(0, 5);
        Assert.Equal(AccessStopKind.Remote, f.Access.RunToStop(new LoadWalk(At, 4)).Kind);
        Assert.Empty(f.Events);
    }

    [Fact]
    public void MemoryAccess_must_move_bytes_as_the_walk_asks_over_random_calls()
    {
        // The same random calls run through the access loop (anonymous memory and an attachment
        // of local PTEs) and through the fake memory of the walk specs: outcomes and bytes agree,
        // and every chunk through the attachment is one Accessed event.
        var random = new Random(8);
        var f = new Fixture(anonPages: 8, attachPages: 8);
        for (var i = 0; i < 8; i++) f.Local(i, 0);
        var fake = new Emulator.Tests.Memory.FakeMemory();
        fake.Write(Anon, new byte[8 * PageBytes]);
        fake.Write(At, new byte[8 * PageBytes]);
        ulong Somewhere(ulong size) => (random.Next(2) == 0 ? Anon : At)
            + (ulong)random.NextInt64(0, (long)(8 * PageBytes - size + 1));
        for (var step = 0; step < 400; step++)
        {
            var size = (ulong)random.Next(0, 3 * (int)PageBytes);
            Call call = random.Next(7) switch
            {
                0 => new FillCall(Somewhere(size), size, new Lfsr32Pattern((uint)step)),
                1 => new CheckCall(Somewhere(size), size, new Index32Pattern(0)),
                2 => new Add32Call(Somewhere(size), size, (uint)random.Next()),
                3 => new Sum32Call(Somewhere(size), size),
                4 => new CopyCall(Somewhere(size), Somewhere(size), size),
                5 => new ReadCall(Somewhere(8), 1 << random.Next(4)),
                _ => new WriteCall(Somewhere(8), 1 << random.Next(4), (ulong)random.NextInt64()),
            };
            var real = RangeWalk.For(call, AccessGrain.Page)!;
            var model = RangeWalk.For(call, AccessGrain.Page)!;
            f.Events.Clear();
            Assert.Equal(AccessStopKind.Done, f.Access.RunToStop(real).Kind);
            Assert.Null(fake.Run(model));
            Assert.Equal(model.Outcome, real.Outcome);
            var throughAttachment = fake.Chunks.Count(c => c.Address >= At);
            fake.Chunks.Clear();
            Assert.Equal(throughAttachment, f.Events.Count);
        }
        for (var i = 0; i < 8; i++)
        {
            var page = (ulong)i * PageBytes;
            Assert.Equal(fake.Read(At + page, (int)PageBytes), f.Attachment.Ptes[At + page].Page!.Bytes);
            Assert.Equal(fake.Read(Anon + page, (int)PageBytes),
                f.Memory.PageAt(Anon + page)?.Bytes.ToArray() ?? new byte[PageBytes]);
        }
    }

    [Fact]
    public void MemoryAccess_must_sum_and_check_untouched_stretches_as_byte_by_byte_would()
    {
        const ulong pages = 1UL << 20;   // 4 GiB of fresh memory, a few words touched
        var memory = new AddressSpace(new FrameCounter());
        memory.Insert(new AnonymousVma(Anon, Anon + pages * PageBytes));
        var access = new MemoryAccess(memory, Me, _ => { });
        ulong total = 0;
        foreach (var (address, value) in new (ulong, uint)[]
            { (Anon + 0x10, 5), (Anon + 0x7_0000, 11), (Anon + (pages - 1) * PageBytes + 8, 3) })
        {
            BitConverter.GetBytes(value).CopyTo(
                memory.PageForWrite(address).Bytes[(int)(address % PageBytes)..]);
            total += value;
        }
        ulong Sum(ulong address, ulong size)
        {
            var walk = new Sum32Walk(address, size, AccessGrain.Page);
            Assert.Equal(AccessStopKind.Done, access.RunToStop(walk).Kind);
            return walk.Outcome.Value;
        }
        Assert.Equal(total, Sum(Anon, pages * PageBytes));
        // Starting mid-word: the words straddle the touched ones, as the slow sum takes them.
        Assert.Equal(SlowSum(memory, Anon + 2, 0x8_0000), Sum(Anon + 2, 0x8_0000));
        Assert.Equal(SlowSum(memory, Anon + 0x6_fffe, 0x2_0000), Sum(Anon + 0x6_fffe, 0x2_0000));

        var check = new CheckWalk(Anon + 0x8_0000, (pages - 0x80) * PageBytes - 0x1000,
            new ZeroPattern(), AccessGrain.Page);
        Assert.Equal(AccessStopKind.Done, access.RunToStop(check).Kind);
        Assert.Equal(Outcome.Ok(), check.Outcome);
        var lfsrZero = new CheckWalk(Anon + 0x8_0000, 0x4000_0000, new Lfsr32Pattern(0), AccessGrain.Page);
        access.RunToStop(lfsrZero);
        Assert.Equal(Outcome.Ok(), lfsrZero.Outcome);
        var miss = new CheckWalk(Anon, pages * PageBytes, new ZeroPattern(), AccessGrain.Page);
        access.RunToStop(miss);
        Assert.Equal(OutcomeKind.Mismatch, miss.Outcome.Kind);
        Assert.Contains($"0x{Anon + 0x10:x}", miss.Outcome.Detail);
        Assert.Equal(3, memory.PageCount);
    }

    [Fact]
    public void MemoryAccess_must_move_one_unit_per_run()
    {
        // Each unit is a scheduling point: the thread group takes the next in a later delivery.
        var f = new Fixture();
        var fill = new FillWalk(Anon + 64, PageBytes, new BytePattern(3), AccessGrain.Line);
        var stops = new List<AccessStopKind>();
        do stops.Add(f.Access.Run(fill).Kind);
        while (stops[^1] == AccessStopKind.UnitMoved);
        // 64 bytes to the first line's end, 31 whole lines, 64 bytes of the next page.
        Assert.Equal(33, stops.Count);
        Assert.Equal(AccessStopKind.Done, stops[^1]);
        Assert.Equal(3, f.Memory.PageAt(Anon + PageBytes + 63)!.Bytes[63]);
        Assert.Equal(0, f.Memory.PageAt(Anon + PageBytes + 64)!.Bytes[64]);
    }

    [Fact]
    public void MemoryAccess_must_stop_a_misaligned_fetchop_before_touching_memory()
    {
        var f = new Fixture();
        var stop = f.Access.Run(new FetchopWalk(new FetchAdd32Call(Anon + 2, 1)));
        Assert.Equal(new AccessStop(AccessStopKind.Misaligned, new Chunk(Anon + 2, 4, true)),
            stop);
        Assert.Equal(AccessStopKind.Misaligned,
            f.Access.Run(new FetchopWalk(new Swap32Call(At + PageBytes - 2, 1))).Kind);
        Assert.Equal(0, f.Memory.PageCount);
        Assert.Empty(f.Events);
    }

    [Fact]
    public void MemoryAccess_must_run_a_fetchop_in_one_step_wherever_its_page_is()
    {
        var f = new Fixture();
        // Untouched anonymous memory: a fetchop is a store, so it gets a page.
        var first = new FetchopWalk(new FetchAdd32Call(Anon + 8, 5));
        Assert.Equal(AccessStopKind.Done, f.Access.Run(first).Kind);
        Assert.Equal(Outcome.Ok(0), first.Outcome);
        Assert.Equal(1, f.Memory.PageCount);
        var swap = new FetchopWalk(new Swap32Call(Anon + 8, 9));
        Assert.Equal(AccessStopKind.Done, f.Access.Run(swap).Kind);
        Assert.Equal(Outcome.Ok(5), swap.Outcome);

        // Through a local PTE: one access, a write, on the owner's page itself.
        var page = f.Local(1, 0);
        var cas = new FetchopWalk(new Cas32Call(At + PageBytes + 4, Expected: 0, New: 7));
        Assert.Equal(AccessStopKind.Done, f.Access.Run(cas).Kind);
        Assert.Equal(Outcome.Ok(0), cas.Outcome);
        Assert.Equal(7, page.Bytes[4]);
        Assert.Equal([new Accessed(Me, 9, Seg, OwnerTg, Source + PageBytes, page.Frame, true)],
            f.Events);

        // Through a remote PTE: the walk stops with its one chunk, a store.
        f.Remote(2, pinId: 12);
        var remote = f.Access.Run(new FetchopWalk(new FetchAdd32Call(At + 2 * PageBytes, 1)));
        Assert.Equal(AccessStopKind.Remote, remote.Kind);
        Assert.Equal(new Chunk(At + 2 * PageBytes, 4, true), remote.Chunk);
        Assert.Equal(new Frame(12, null), remote.Frame);
    }

    /// <summary>Sums whole words byte by byte, straight from the page table.</summary>
    private static ulong SlowSum(AddressSpace memory, ulong address, ulong size)
    {
        ulong sum = 0;
        for (var at = address; at + 4 <= address + size; at += 4)
        {
            uint word = 0;
            for (var b = 0UL; b < 4; b++)
            {
                var value = memory.PageAt(at + b)?.Bytes[(int)((at + b) % PageBytes)] ?? 0;
                word |= (uint)value << (int)(8 * b);
            }
            sum += word;
        }
        return sum;
    }
}

internal static class MemoryAccessSteps
{
    /// <summary>
    /// Takes the walk's units one after another, as the thread group does in a delivery each,
    /// until it is over or stops at something else.
    /// </summary>
    public static AccessStop RunToStop(this MemoryAccess access, RangeWalk walk)
    {
        while (true)
        {
            var stop = access.Run(walk);
            if (stop.Kind != AccessStopKind.UnitMoved) return stop;
        }
    }
}
