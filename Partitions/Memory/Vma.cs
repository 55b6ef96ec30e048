using Emulator.Partitions.Attachments;

namespace Emulator.Partitions.Memory;

/// <summary>A virtual memory area [Start, End), page aligned.</summary>
public abstract class Vma(ulong start, ulong end)
{
    public ulong Start { get; } = start;

    public ulong End { get; } = end;

    public bool Contains(ulong address) => address >= Start && address < End;

    public bool Overlaps(ulong start, ulong end) => start < End && Start < end;
}

/// <summary>Anonymous private memory (mmap MAP_PRIVATE|MAP_ANONYMOUS).</summary>
public sealed class AnonymousVma(ulong start, ulong end) : Vma(start, end);

/// <summary>
/// An XPMEM attachment: VM_DONTCOPY (not inherited by fork), VM_PFNMAP (pages are the owner's).
/// The attachment itself holds the PTEs.
/// </summary>
public sealed class AttachmentVma(AttachmentState attachment)
    : Vma(attachment.At, attachment.At + attachment.SizeBytes)
{
    public AttachmentState Attachment { get; } = attachment;
}
