using System.Runtime.InteropServices;

namespace Emulator.Partitions.Memory;

/// <summary>
/// Where a machine's frames keep their bytes: 4 KiB slots carved from large slabs, handed out
/// zeroed and taken back when a frame's last sharer and last pin are gone (<see cref="Page"/>).
/// One array per frame cost the runtime an object to track, to zero and to sweep, and the host a
/// page fault per frame on first touch (~8 us each on a virtual machine: ~1.2 s of the 147,456
/// frames of the 18 x 512 Altix run). A slab asks the kernel for transparent huge pages, so a first
/// touch maps 2 MiB at once where the host allows it.
///
/// Slabs grow from 16 frames (a small scenario keeps a small footprint) by doubling to 32 MiB.
/// They are native memory, not arrays of the pinned heap: the collector counted the pinned slabs
/// against its oldest generation's budget, and their 604 MB in the Altix run set off full
/// collections of everything else (5 of them, 0.47-0.50 s; 4 and 0.21-0.29 s with native slabs).
/// They are allocated uninitialised, so a part never handed out is never touched and never
/// resident; a slot is zeroed when it is handed out. The store frees its slabs when it is
/// collected itself; a slot holds its store, so no frame's bytes outlive their page. (Telling the
/// collector of the native bytes, <c>GC.AddMemoryPressure</c>, set off 8-9 full collections more
/// than it saved.) Thread safe: in <c>live</c> every thread group takes frames on its own thread.
///
/// A slot given back waits on a free list threaded through the slots themselves (each holds the
/// address of the next in its first bytes, which nothing reads once its page is gone): a stack
/// of slots was an array the Altix run's teardown grew by doubling to 147,456 entries (8.3 MB
/// allocated, on the large object heap).
///
/// The first touch of fresh memory is the host zeroing it (~1 s for the Altix run's 604 MB, all
/// of it on the one thread a <c>sim</c> run has). So a big slab is made resident a few MiB ahead
/// of the slots handed out, on the thread pool: a <c>sim</c> run's idle core does that work. The
/// kernel fills in only what is missing, so it never touches a slot in use.
/// </summary>
public sealed class FrameStore
{
    private const int FirstSlabFrames = 16;
    private const int SlabFramesMax = 8192;
    private const int HugePageBytes = 2 << 20;
    private const int PopulateChunkBytes = 2 * HugePageBytes;

    private readonly Lock _gate = new();
    /// <summary>The last slot given back (0: none), holding the address of the one before.
    /// </summary>
    private nint _free;
    private readonly List<nint> _slabs = [];
    private nint _slab;
    private int _slabEnd;
    private int _slabFrames;
    private int _slabUsed;
    private int _populatedEnd;
    private int _populating;
    private long _populatedBytes;

    /// <summary>A store for pages made on their own (tests, tools): never emptied.</summary>
    public static FrameStore Shared { get; } = new();

    /// <summary>The machine's arrays for remote loads and stores.</summary>
    public TransferBuffers Buffers { get; } = new();

    /// <summary>Bytes made resident ahead of their slots so far (tests, reports).</summary>
    public long PopulatedBytes => Interlocked.Read(ref _populatedBytes);

    /// <summary>A zeroed slot for one frame's bytes.</summary>
    public FrameSlot Take()
    {
        FrameSlot slot;
        lock (_gate)
        {
            if (_free != 0)
            {
                slot = new FrameSlot(this, _free);
                _free = FreeLink(_free);
            }
            else
            {
                if (_slabUsed == _slabFrames) Grow();
                var offset = _slabUsed++ * Page.SizeBytes;
                slot = new FrameSlot(this, _slab + offset);
                PopulateAhead(offset);
            }
        }
        // Outside the gate: the first touch of fresh memory is the slow part (a page fault).
        slot.Span.Clear();
        return slot;
    }

    /// <summary>A slot no page uses any more.</summary>
    public void Return(FrameSlot slot)
    {
        Invariant.Holds(slot.Store == this, "a frame's slot given back to another store");
        lock (_gate)
        {
            FreeLink(slot.Address) = _free;
            _free = slot.Address;
        }
    }

    /// <summary>Where a free slot keeps the address of the next free one.</summary>
    private static unsafe ref nint FreeLink(nint slot) => ref *(nint*)slot;

    /// <summary>The slabs go with the store (and so with the last page holding it).</summary>
    ~FrameStore()
    {
        foreach (var slab in _slabs) Native.Free(slab);
    }

    private void Grow()
    {
        _slabFrames = _slabFrames == 0 ? FirstSlabFrames : Math.Min(_slabFrames * 2, SlabFramesMax);
        var bytes = _slabFrames * Page.SizeBytes;
        // A big slab on a huge page's boundary: each of its 2 MiB can be one huge page.
        var big = bytes >= HugePageBytes;
        _slab = Native.Allocate(bytes, big ? HugePageBytes : Page.SizeBytes);
        _slabs.Add(_slab);
        _slabEnd = bytes;
        _slabUsed = 0;
        // A small slab is left to its first touches: nothing of it is made resident ahead.
        _populatedEnd = big ? 0 : _slabEnd;
        if (big) KernelMemory.AdviseHugePages(_slab, bytes);
    }

    /// <summary>
    /// Once the slot at <paramref name="offset"/> comes within a chunk of what is resident (or
    /// being made so), the next chunk of a big slab is made resident on the thread pool, one
    /// chunk at a time. Under the gate.
    /// </summary>
    private void PopulateAhead(int offset)
    {
        if (_populatedEnd >= _slabEnd || offset + PopulateChunkBytes < _populatedEnd
            || _populating != 0 || !KernelMemory.CanPopulate)
        {
            return;
        }
        // The slot just handed out is touched by its taker now; the chunk starts past it.
        var start = Math.Max(_populatedEnd, offset + Page.SizeBytes);
        var end = Math.Min(start + PopulateChunkBytes, _slabEnd);
        _populatedEnd = end;
        if (end <= start) return;
        _populating = 1;
        ThreadPool.UnsafeQueueUserWorkItem(
            new Populate(this, _slab, start, end - start), preferLocal: false);
    }

    /// <summary>One chunk of a slab made resident, off the thread that takes the frames.</summary>
    private sealed class Populate(FrameStore store, nint slab, int offset, int bytes)
        : IThreadPoolWorkItem
    {
        public void Execute()
        {
            // The store (and so the slab) is kept alive by this work item until it is over.
            if (KernelMemory.Populate(slab + offset, bytes))
                Interlocked.Add(ref store._populatedBytes, bytes);
            Volatile.Write(ref store._populating, 0);
        }
    }
}

/// <summary>
/// One frame's 4 KiB inside a slab of <paramref name="Store"/>, at <paramref name="Address"/>:
/// holding the slot holds the store, and so the slab.
/// </summary>
public readonly record struct FrameSlot(FrameStore Store, nint Address)
{
    public unsafe Span<byte> Span => new((void*)Address, Page.SizeBytes);
}

/// <summary>The slabs' native memory.</summary>
internal static unsafe class Native
{
    public static nint Allocate(int bytes, int alignment) =>
        (nint)NativeMemory.AlignedAlloc((nuint)bytes, (nuint)alignment);

    public static void Free(nint block) => NativeMemory.AlignedFree((void*)block);
}

/// <summary>
/// What a slab asks of Linux's memory manager, through madvise: transparent huge pages (when its
/// setting is "madvise"; a hint only) and filling a range in before it is touched
/// (MADV_POPULATE_WRITE, Linux 5.14 on). Where either is refused or this is not Linux, the slab
/// keeps 4 KiB pages and is filled in by its first touches, as without them.
/// </summary>
internal static partial class KernelMemory
{
    private const int MadviseHugePage = 14;
    private const int MadvisePopulateWrite = 23;

    private static volatile bool _populateRefused = !OperatingSystem.IsLinux();

    /// <summary>False once the kernel refused to populate (before 5.14), or not Linux.</summary>
    public static bool CanPopulate => !_populateRefused;

    public static void AdviseHugePages(nint address, int bytes) =>
        Advise(address, bytes, MadviseHugePage);

    /// <summary>False (and never asked again) when the kernel refuses.</summary>
    public static bool Populate(nint address, int bytes)
    {
        if (Advise(address, bytes, MadvisePopulateWrite)) return true;
        _populateRefused = true;
        return false;
    }

    private static bool Advise(nint address, int bytes, int advice)
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return Madvise(address, (nuint)bytes, advice) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No libc to ask (an unusual Linux): 4 KiB pages, filled in by first touches.
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "madvise")]
    private static extern int Madvise(nint address, nuint length, int advice);
}
