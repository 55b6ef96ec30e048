// Proves where frames keep their bytes: slots handed out are zeroed (fresh or reused) and never
// overlap, across slab growth and from several threads at once; slots given back come out again
// each once (their free list threaded through them), and only to their own store; a page gives
// its slot back only when its last sharer and its last pin are both gone, and using its bytes
// after that is an emulator bug (an invariant), never another frame's bytes read silently.
using Emulator.Partitions;
using Emulator.Partitions.Memory;
using Xunit;

namespace Emulator.Tests.Memory;

public sealed class FrameStoreSpec
{
    [Fact]
    public void FrameStore_must_hand_out_zeroed_slots_that_never_overlap_as_slabs_grow()
    {
        var store = new FrameStore();
        var slots = Enumerable.Range(0, 1000).Select(_ => store.Take()).ToList();
        for (var i = 0; i < slots.Count; i++)
        {
            Assert.All(slots[i].Span.ToArray(), b => Assert.Equal(0, b));
            slots[i].Span.Fill((byte)(i % 251 + 1));
        }
        for (var i = 0; i < slots.Count; i++)
        {
            var expected = (byte)(i % 251 + 1);
            Assert.True(slots[i].Span.IndexOfAnyExcept(expected) < 0, $"slot {i} was overwritten");
        }
    }

    [Fact]
    public void FrameStore_must_zero_a_slot_it_hands_out_again()
    {
        var store = new FrameStore();
        var slot = store.Take();
        slot.Span.Fill(0xEE);
        store.Return(slot);
        var again = store.Take();
        Assert.Equal(slot, again);
        Assert.True(again.Span.IndexOfAnyExcept((byte)0) < 0, "a reused slot kept old bytes");
    }

    [Fact]
    public void FrameStore_must_hand_back_every_returned_slot_once_zeroed_last_returned_first()
    {
        var store = new FrameStore();
        var slots = Enumerable.Range(0, 300).Select(_ => store.Take()).ToList();
        foreach (var slot in slots)
        {
            slot.Span.Fill(0xEE);
            store.Return(slot);
        }
        var again = Enumerable.Range(0, slots.Count).Select(_ => store.Take()).ToList();
        Assert.Equal(Enumerable.Reverse(slots), again);
        Assert.All(again, slot => Assert.True(slot.Span.IndexOfAnyExcept((byte)0) < 0,
            "a reused slot kept old bytes"));
        var fresh = store.Take();
        Assert.DoesNotContain(fresh, slots);
    }

    [Fact]
    public void FrameStore_must_refuse_a_slot_of_another_store()
    {
        var slot = new FrameStore().Take();
        Assert.Throws<InvariantException>(() => new FrameStore().Return(slot));
    }

    [Fact]
    public void Page_must_give_its_bytes_back_only_when_its_last_sharer_and_pin_are_gone()
    {
        var store = new FrameStore();
        var page = new Page(1, store);
        page.Share();
        page.Pin();
        Assert.Equal(1, page.Unshare());
        Assert.Equal(0, page.Unshare());
        page.Bytes[0] = 9; // a pinned page outlives its last mapping
        var other = store.Take();
        page.Unpin();
        var reused = store.Take();

        Assert.NotEqual(other, reused);
        Assert.Throws<InvariantException>(() => page.Bytes[0]);
        Assert.Throws<InvariantException>(page.Pin);
        Assert.True(reused.Span.IndexOfAnyExcept((byte)0) < 0);
    }

    [Fact]
    public void Page_must_copy_its_bytes_into_a_frame_of_the_same_store()
    {
        var store = new FrameStore();
        var page = new Page(1, store);
        page.Bytes.Fill(3);
        var copy = page.Copy(2);
        page.Bytes.Fill(4);
        Assert.Equal(2, copy.Frame);
        Assert.True(copy.Bytes.IndexOfAnyExcept((byte)3) < 0);
    }

    [Fact]
    public void FrameStore_must_keep_every_slots_bytes_while_it_makes_slabs_resident_ahead()
    {
        // 20,000 frames: slabs up to 32 MiB, each big one made resident ahead of its slots on
        // the thread pool while the slots before are written.
        const int Frames = 20_000;
        var store = new FrameStore();
        var slots = new FrameSlot[Frames];
        for (var i = 0; i < Frames; i++)
        {
            slots[i] = store.Take();
            slots[i].Span.Fill((byte)(i % 251 + 1));
        }
        for (var i = 0; i < Frames; i++)
        {
            var expected = (byte)(i % 251 + 1);
            Assert.True(slots[i].Span.IndexOfAnyExcept(expected) < 0, $"slot {i} was overwritten");
        }
        // The chunks are made resident on the thread pool: wait (bounded) for the first to end.
        var populated = SpinWait.SpinUntil(
            () => store.PopulatedBytes > 0 || !KernelMemory.CanPopulate, TimeSpan.FromSeconds(20));
        if (OperatingSystem.IsLinux() && KernelMemory.CanPopulate)
            Assert.True(populated, "no slab was made resident ahead");
    }

    [Fact]
    public void FrameStore_must_keep_slots_apart_when_threads_take_and_return_at_once()
    {
        const int Threads = 4;
        const int Rounds = 5_000;
        var store = new FrameStore();
        var broken = 0;
        var workers = Enumerable.Range(1, Threads).Select(id => new Thread(() =>
        {
            var held = new Queue<FrameSlot>();
            for (var round = 0; round < Rounds; round++)
            {
                var slot = store.Take();
                if (slot.Span.IndexOfAnyExcept((byte)0) >= 0) Interlocked.Increment(ref broken);
                slot.Span.Fill((byte)id);
                held.Enqueue(slot);
                if (held.Count < 8) continue;
                var old = held.Dequeue();
                if (old.Span.IndexOfAnyExcept((byte)id) >= 0) Interlocked.Increment(ref broken);
                store.Return(old);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        Assert.Equal(0, broken);
    }
}
