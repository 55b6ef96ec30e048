using System.Buffers.Binary;
using Emulator.Protocol.Processes;

namespace Emulator.Partitions.Memory;

/// <summary>
/// One 4 KiB frame of real bytes, numbered (<see cref="Frame"/>) so checkers and traces can name
/// it. <see cref="Sharers"/> counts the address spaces that map it copy-on-write after fork;
/// <see cref="Pins"/> counts attacher pins. A pinned page is never left shared by fork (it is
/// copied for the child at once, as modern kernels do for pinned pages), so an attacher's view and
/// the owner's current page stay the same frame. Its bytes are a slot of the machine's
/// <see cref="FrameStore"/>, given back when its last sharer and its last pin are gone (a pinned
/// page outlives its last mapping, as the kernel's pinned pages do).
///
/// Several actors touch one page: its owner, local attachers (the same object), the owner's
/// segments for remote attachers. In <c>sim</c> they take turns; in <c>live</c> they run on
/// several threads at once, so every move of bytes in or out of <see cref="Bytes"/> holds
/// <see cref="Gate"/>: a chunk (a load, a store, a unit of add32 or copy) is never torn, as a
/// delivery in <c>sim</c> never is. Code holds one page's gate at a time, so gates cannot deadlock.
/// The counts are interlocked.
/// </summary>
public sealed class Page
{
    public const int SizeBytes = 4096;

    private readonly FrameSlot _slot;
    private int _sharers = 1;
    private int _pins;

    // Sharers and pins together: the last of either to go gives the bytes back to the store.
    private int _holds = 1;

    /// <summary>A zeroed frame whose bytes come from <paramref name="store"/>.</summary>
    public Page(long frame, FrameStore store)
    {
        Frame = frame;
        _slot = store.Take();
    }

    /// <summary>A page on its own (tests, tools).</summary>
    public Page(long frame) : this(frame, FrameStore.Shared)
    {
    }

    /// <summary>
    /// Held while bytes move in or out (uncontended in sim: tens of nanoseconds): the page itself,
    /// as a monitor. A <c>Lock</c> of its own cost 40 bytes more a page (6 MB of the Altix run's
    /// 147,456 pages), and a page's gate is seldom contended, so the monitor's thin lock suffices.
    /// </summary>
    public object Gate => this;

    public long Frame { get; }

    /// <summary>The frame's bytes; only while a sharer or a pin holds it.</summary>
    public Span<byte> Bytes
    {
        get
        {
            Invariant.Holds(Volatile.Read(ref _holds) > 0,
                $"frame {Frame} used after its last sharer and pin let it go");
            return _slot.Span;
        }
    }

    public int Sharers => Volatile.Read(ref _sharers);

    public int Pins => Volatile.Read(ref _pins);

    public void Share()
    {
        Hold();
        Interlocked.Increment(ref _sharers);
    }

    /// <summary>One sharer fewer; returns how many are left (0: the frame is free).</summary>
    public int Unshare()
    {
        var left = Interlocked.Decrement(ref _sharers);
        LetGo();
        return left;
    }

    public void Pin()
    {
        Hold();
        Interlocked.Increment(ref _pins);
    }

    public void Unpin()
    {
        var left = Interlocked.Decrement(ref _pins);
        Invariant.Holds(left >= 0, $"frame {Frame} unpinned more often than pinned");
        LetGo();
    }

    public Page Copy(long frame)
    {
        var copy = new Page(frame, _slot.Store);
        // A local attacher may be storing to this page meanwhile (live): copy a whole state.
        lock (Gate) Bytes.CopyTo(copy.Bytes);
        return copy;
    }

    /// <summary>Moves bytes out at <paramref name="offsetBytes"/>, under the gate.</summary>
    public byte[] Read(int offsetBytes, int lengthBytes)
    {
        // Every byte is written over at once: no need for the runtime to zero it first.
        var bytes = _slot.Store.Buffers.Take(lengthBytes);
        lock (Gate) Bytes.Slice(offsetBytes, lengthBytes).CopyTo(bytes);
        return bytes;
    }

    /// <summary>
    /// A remote store's bytes, moved in and read by nobody after: the array goes back to the
    /// machine's <see cref="TransferBuffers"/> for a later <see cref="Read"/>.
    /// </summary>
    public void Recycle(byte[] bytes) => _slot.Store.Buffers.Return(bytes);

    /// <summary>Moves <paramref name="bytes"/> in at <paramref name="offsetBytes"/>.</summary>
    public void Write(int offsetBytes, ReadOnlySpan<byte> bytes)
    {
        lock (Gate) bytes.CopyTo(Bytes[offsetBytes..]);
    }

    /// <summary>
    /// Runs a fetchop on the aligned word at <paramref name="offsetBytes"/>: its load and its
    /// store under one hold of the gate, so no other access (another thread's, live) lands
    /// between them. Returns the word before.
    /// </summary>
    public uint Fetchop(int offsetBytes, Atomic32Call call)
    {
        lock (Gate)
        {
            var word = Bytes.Slice(offsetBytes, Fetchops.WordBytes);
            var old = BinaryPrimitives.ReadUInt32LittleEndian(word);
            BinaryPrimitives.WriteUInt32LittleEndian(word, Fetchops.Apply(call, old));
            return old;
        }
    }

    private void Hold()
    {
        var before = Interlocked.Increment(ref _holds) - 1;
        Invariant.Holds(before > 0, $"frame {Frame} taken again after it was let go");
    }

    private void LetGo()
    {
        if (Interlocked.Decrement(ref _holds) == 0) _slot.Store.Return(_slot);
    }
}

/// <summary>
/// The machine's physical memory: hands out frame numbers (one counter per machine, so runs number
/// them alike; interlocked, since in <c>live</c> every thread group allocates on its own thread)
/// and counts the frames in use against a budget, so a scenario that touches more
/// memory than the machine has meets the OOM killer instead of exhausting the host.
/// </summary>
public sealed class FrameCounter(long framesMax = long.MaxValue)
{
    /// <summary>Where the machine's frames keep their bytes.</summary>
    public FrameStore Store { get; } = new();

    private long _last;
    private long _live;

    /// <summary>Frames in use now (mapped by at least one address space).</summary>
    public long Live => Interlocked.Read(ref _live);

    /// <summary>A frame within the budget, or false when physical memory is exhausted.</summary>
    public bool TryNext(out long frame)
    {
        if (Interlocked.Increment(ref _live) > framesMax)
        {
            Interlocked.Decrement(ref _live);
            frame = 0;
            return false;
        }
        frame = Interlocked.Increment(ref _last);
        return true;
    }

    /// <summary>A frame even past the budget (a fork's copies of pinned pages).</summary>
    public long Next()
    {
        Interlocked.Increment(ref _live);
        return Interlocked.Increment(ref _last);
    }

    /// <summary>A frame no address space maps any more.</summary>
    public void Release() => Interlocked.Decrement(ref _live);
}

/// <summary>Hears a page table change (the checkers' view of who maps which frame).</summary>
public interface IPageTableObserver
{
    void Mapped(ulong pageAddress, Page page);

    void Unmapped(ulong pageAddress, Page page);
}
