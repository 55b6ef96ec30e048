using Emulator.Partitions.Attachments;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Memory;
using Emulator.Protocol;
using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Processes;

/// <summary>Why a walk over memory stopped.</summary>
public enum AccessStopKind
{
    /// <summary>The walk is over; its outcome is ready.</summary>
    Done,

    /// <summary>
    /// A chunk moved and the walk has more: the next is a scheduling point of its own, taken in
    /// a later delivery (between the two, other processes and threads may run, and this one
    /// holds no lock).
    /// </summary>
    UnitMoved,

    /// <summary>No VMA at the chunk's address: SIGSEGV.</summary>
    Unmapped,

    /// <summary>An attachment page without a PTE: a fault must map it first.</summary>
    Fault,

    /// <summary>A remote PTE: the chunk's bytes move by a message to the owner's segment.</summary>
    Remote,

    /// <summary>
    /// A store needs a frame and the machine has none left: the OOM killer's SIGKILL.
    /// </summary>
    OutOfMemory,

    /// <summary>
    /// A fetchop at an address that is not 4-byte aligned: SIGBUS (<see cref="Fetchops.Aligned"/>),
    /// before any memory is touched.
    /// </summary>
    Misaligned,
}

/// <summary>
/// Where a walk stopped: the chunk at hand and, for <see cref="AccessStopKind.Fault"/> and
/// <see cref="AccessStopKind.Remote"/>, the attachment, the page and its PTE.
/// </summary>
public readonly record struct AccessStop(AccessStopKind Kind, Chunk Chunk,
    AttachmentState? Attachment = null, ulong PageAddress = 0, Frame Frame = default);

/// <summary>
/// The memory access of one process: moves a walk's next chunk through the page tables, one
/// chunk per call, since each is a scheduling point (the caller takes the next in a delivery of
/// its own, <see cref="AccessStopKind.UnitMoved"/>). Anonymous memory and attachment PTEs that
/// hold the page are plain copies; it stops at what needs a message (a fault, a remote page) or
/// ends the process (an unmapped address, a misaligned fetchop). A load of an untouched anonymous
/// page reads the zero page, as the kernel's does, and allocates nothing. Plain code, no actor;
/// every chunk that goes through an attachment is reported as an <see cref="Accessed"/>. A check
/// or sum over untouched memory skips the stretch in one step.
/// </summary>
public sealed class MemoryAccess(AddressSpace memory, TgId process, Action<MachineEvent> emit)
{
    private static readonly byte[] ZeroPage = new byte[Page.SizeBytes];

    /// <summary>Moves the walk's next chunk, or says why it cannot.</summary>
    public AccessStop Run(RangeWalk walk)
    {
        if (!walk.TryCurrent(out var chunk)) return new AccessStop(AccessStopKind.Done, default);
        if (walk.Fetchop is not null && !Fetchops.Aligned(chunk.Address))
            return new AccessStop(AccessStopKind.Misaligned, chunk);
        var inPage = (int)(chunk.Address & (Xpmem.PageSize - 1));
        switch (memory.Find(chunk.Address))
        {
            case null:
                return new AccessStop(AccessStopKind.Unmapped, chunk);
            case AnonymousVma vma:
                if (chunk.Write)
                {
                    if (!memory.TryPageForWrite(chunk.Address, out var writable))
                        return new AccessStop(AccessStopKind.OutOfMemory, chunk);
                    Move(walk, chunk, writable, inPage);
                    break;
                }
                var touched = memory.PageAt(chunk.Address);
                if (touched is not null)
                {
                    Move(walk, chunk, touched, inPage);
                    break;
                }
                if (SkipUntouched(walk, chunk.Address, vma.End)) break;
                walk.Loaded(ZeroPage.AsSpan(inPage, chunk.LengthBytes));
                break;
            case AttachmentVma { Attachment: var attachment }:
                var pageAddress = chunk.Address & Xpmem.PageMask;
                if (!attachment.Ptes.TryGetValue(pageAddress, out var frame))
                {
                    return new AccessStop(AccessStopKind.Fault, chunk, attachment,
                        pageAddress);
                }
                if (frame.Page is not { } page)
                {
                    return new AccessStop(AccessStopKind.Remote, chunk, attachment,
                        pageAddress, frame);
                }
                emit(new Accessed(process, attachment.Id, attachment.Segment,
                    attachment.Owner, attachment.SourceOf(pageAddress), page.Frame,
                    chunk.Write));
                Move(walk, chunk, page, inPage);
                break;
        }
        return new AccessStop(
            walk.TryCurrent(out _) ? AccessStopKind.UnitMoved : AccessStopKind.Done, default);
    }

    /// <summary>
    /// A load from untouched memory: the whole stretch up to the next touched page is zero, and a
    /// walk that can take it at once does (a check or sum over terabytes of fresh mmap costs the
    /// pages touched, not the range).
    /// </summary>
    private bool SkipUntouched(RangeWalk walk, ulong address, ulong vmaEnd)
    {
        var zeros = memory.UntouchedEnd(address, vmaEnd) - address;
        return zeros > Xpmem.PageSize && walk.SkipZeros(zeros) > 0;
    }

    /// <summary>
    /// Moves one chunk under the page's gate: another thread (live) may be moving bytes of the same
    /// page, and a chunk must land whole. The walk only copies; it touches no other page. A
    /// fetchop's load and store are one hold of the gate.
    /// </summary>
    private static void Move(RangeWalk walk, Chunk chunk, Page page, int inPage)
    {
        if (walk.Fetchop is { } fetchop)
        {
            walk.Fetched(page.Fetchop(inPage, fetchop));
            return;
        }
        lock (page.Gate)
        {
            var bytes = page.Bytes.Slice(inPage, chunk.LengthBytes);
            if (!chunk.Write)
            {
                walk.Loaded(bytes);
                return;
            }
            walk.Fill(bytes);
            walk.Stored();
        }
    }
}
