using Emulator.Protocol;

namespace Emulator.Partitions.Memory;

/// <summary>
/// One process's address space (the kernel's mm): VMAs and the page table of its anonymous
/// memory. Plain data, no actors; the thread group actor that owns it is its mmap_lock.
/// </summary>
public sealed class AddressSpace
{
    /// <summary>Where chosen addresses start (first fit, bottom-up).</summary>
    public const ulong MmapBase = 0x7f0000000000;

    private readonly List<Vma> _vmas = [];
    private readonly Dictionary<ulong, Page> _pages = [];

    public IReadOnlyList<Vma> Vmas => _vmas;

    public static ulong PageOf(ulong address) => address >> Xpmem.PageShift;

    public Vma? Find(ulong address)
    {
        foreach (var vma in _vmas)
        {
            if (vma.Start > address) return null;
            if (vma.Contains(address)) return vma;
        }
        return null;
    }

    public IEnumerable<Vma> Overlapping(ulong start, ulong end)
        => _vmas.Where(v => v.Overlaps(start, end));

    /// <summary>
    /// The lowest page-aligned address at or above <see cref="MmapBase"/> where
    /// <paramref name="sizeBytes"/> fits.
    /// </summary>
    public ulong? ChooseAddress(ulong sizeBytes)
    {
        var candidate = MmapBase;
        foreach (var vma in _vmas)
        {
            if (vma.End <= candidate) continue;
            if (vma.Start >= candidate && vma.Start - candidate >= sizeBytes) break;
            candidate = Math.Max(candidate, vma.End);
        }
        return sizeBytes <= Xpmem.TaskSize && candidate <= Xpmem.TaskSize - sizeBytes ? candidate
            : null;
    }

    /// <summary>Adds a VMA; the caller has made the range free.</summary>
    public void Insert(Vma vma)
    {
        var index = _vmas.FindIndex(v => v.Start > vma.Start);
        _vmas.Insert(index < 0 ? _vmas.Count : index, vma);
    }

    /// <summary>
    /// Unmaps the anonymous memory in [start, end) (splitting VMAs, dropping pages) and removes
    /// every attachment VMA that overlaps the range; returns those attachments (an out-of-band
    /// unmap of an attachment, which the caller answers with SIGKILL).
    /// </summary>
    public IReadOnlyList<AttachmentVma> Unmap(ulong start, ulong end)
    {
        var attachments = new List<AttachmentVma>();
        for (var i = 0; i < _vmas.Count; i++)
        {
            var vma = _vmas[i];
            if (!vma.Overlaps(start, end)) continue;
            _vmas.RemoveAt(i);
            var pieces = new List<Vma>();
            if (vma is AttachmentVma attachment)
            {
                attachments.Add(attachment);
            }
            else
            {
                if (vma.Start < start) pieces.Add(new AnonymousVma(vma.Start, start));
                if (vma.End > end) pieces.Add(new AnonymousVma(end, vma.End));
                DropPages(Math.Max(vma.Start, start), Math.Min(vma.End, end));
            }
            _vmas.InsertRange(i, pieces);
            i += pieces.Count - 1;
        }
        return attachments;
    }

    /// <summary>Removes one attachment's VMA (detach).</summary>
    public void RemoveAttachment(AttachmentVma vma) => _vmas.Remove(vma);

    /// <summary>The page at an anonymous address, if it was ever touched.</summary>
    public Page? PageAt(ulong address) => _pages.GetValueOrDefault(PageOf(address));

    /// <summary>The page to load from: zero-filled on first touch.</summary>
    public Page PageForRead(ulong address)
    {
        var number = PageOf(address);
        if (!_pages.TryGetValue(number, out var page)) _pages[number] = page = new Page();
        return page;
    }

    /// <summary>
    /// The page to store to (or pin): a shared copy-on-write page is copied first.
    /// </summary>
    public Page PageForWrite(ulong address)
    {
        var page = PageForRead(address);
        if (page.Sharers == 1) return page;
        var copy = page.Copy();
        page.Unshare();
        _pages[PageOf(address)] = copy;
        return copy;
    }

    /// <summary>
    /// fork: the child's address space. Attachments are not inherited (VM_DONTCOPY). Pages with
    /// attacher pins are copied for the child at once; the rest are shared copy-on-write.
    /// </summary>
    public AddressSpace ForkCopy()
    {
        var child = new AddressSpace();
        foreach (var vma in _vmas)
        {
            if (vma is AnonymousVma) child._vmas.Add(new AnonymousVma(vma.Start, vma.End));
        }
        foreach (var (number, page) in _pages)
        {
            if (page.Pins > 0)
            {
                child._pages[number] = page.Copy();
            }
            else
            {
                page.Share();
                child._pages[number] = page;
            }
        }
        return child;
    }

    /// <summary>exit: every mapping goes; shared pages stay for their other sharers.</summary>
    public void Clear()
    {
        foreach (var page in _pages.Values) page.Unshare();
        _pages.Clear();
        _vmas.Clear();
    }

    private void DropPages(ulong start, ulong end)
    {
        for (var number = PageOf(start); number < PageOf(end); number++)
        {
            if (_pages.Remove(number, out var page)) page.Unshare();
        }
    }
}
