using System.Runtime.InteropServices;

namespace Emulator.Partitions.Memory;

/// <summary>
/// Where a machine's frames keep their bytes: 4 KiB slots carved from large pinned slabs, handed
/// out zeroed and taken back when a frame's last sharer and last pin are gone
/// (<see cref="Page"/>). One array per frame cost the runtime an object to track, to zero and to
/// sweep, and the host a page fault per frame on first touch (~8 us each on a virtual machine:
/// ~1.2 s of the 147,456 frames of the 18 x 512 Altix run). A slab asks the kernel for
/// transparent huge pages, so a first touch maps 2 MiB at once where the host allows it.
///
/// Slabs grow from 16 frames (a small scenario keeps a small footprint) by doubling to 32 MiB.
/// They are allocated uninitialised, so a part never handed out is never touched and never
/// resident; a slot is zeroed when it is handed out. Slabs live as long as a page of theirs or the
/// store does (no frame's bytes outlive their page). Thread safe: in <c>live</c> every thread group
/// takes frames on its own thread.
/// </summary>
public sealed class FrameStore
{
    private const int FirstSlabFrames = 16;
    private const int SlabFramesMax = 8192;
    private const int HugePageBytes = 2 << 20;

    private readonly Lock _gate = new();
    private readonly Stack<FrameSlot> _free = new();
    private byte[] _slab = [];
    private int _slabStart;
    private int _slabFrames;
    private int _slabUsed;

    /// <summary>A store for pages made on their own (tests, tools): never emptied.</summary>
    public static FrameStore Shared { get; } = new();

    /// <summary>A zeroed slot for one frame's bytes.</summary>
    public FrameSlot Take()
    {
        FrameSlot slot;
        lock (_gate)
        {
            if (!_free.TryPop(out slot))
            {
                if (_slabUsed == _slabFrames) Grow();
                slot = new FrameSlot(_slab, _slabStart + _slabUsed++ * Page.SizeBytes);
            }
        }
        // Outside the gate: the first touch of fresh memory is the slow part (a page fault).
        slot.Span.Clear();
        return slot;
    }

    /// <summary>A slot no page uses any more.</summary>
    public void Return(FrameSlot slot)
    {
        lock (_gate) _free.Push(slot);
    }

    private void Grow()
    {
        _slabFrames = _slabFrames == 0 ? FirstSlabFrames : Math.Min(_slabFrames * 2, SlabFramesMax);
        // One frame more than needed, so the slots can start on a 4 KiB boundary.
        var bytes = _slabFrames * Page.SizeBytes;
        _slab = GC.AllocateUninitializedArray<byte>(bytes + Page.SizeBytes, pinned: true);
        var address = Marshal.UnsafeAddrOfPinnedArrayElement(_slab, 0);
        _slabStart = (int)(-address & (Page.SizeBytes - 1));
        _slabUsed = 0;
        if (bytes >= HugePageBytes) HugePages.Advise(address + _slabStart, bytes);
    }
}

/// <summary>One frame's 4 KiB inside a slab.</summary>
public readonly record struct FrameSlot(byte[] Slab, int Offset)
{
    public Span<byte> Span => Slab.AsSpan(Offset, Page.SizeBytes);
}

/// <summary>
/// Asks Linux to back a range with transparent huge pages (when its setting is "madvise"): a hint
/// only; where it is refused or not Linux, the range keeps 4 KiB pages.
/// </summary>
internal static partial class HugePages
{
    private const int MadviseHugePage = 14;

    public static void Advise(nint address, int bytes)
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            _ = Madvise(address, (nuint)bytes, MadviseHugePage);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No libc to ask (an unusual Linux): 4 KiB pages, as without the hint.
        }
    }

    [DllImport("libc", EntryPoint = "madvise")]
    private static extern int Madvise(nint address, nuint length, int advice);
}
