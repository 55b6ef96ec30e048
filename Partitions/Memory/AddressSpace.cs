using Emulator.Partitions.Attachments;
using Emulator.Protocol;

namespace Emulator.Partitions.Memory;

/// <summary>
/// One process's address space (the kernel's mm): VMAs in address order and the page table of its
/// anonymous memory. Plain data, no actors; the thread group actor that owns it holds its
/// mmap_lock. Every operation costs what the VMAs and pages it touches cost (binary search; a walk
/// over untouched pages only within a 64-page chunk that holds a touched one), so a 2^47-byte
/// mapping costs no more than a small one.
/// </summary>
public sealed class AddressSpace(FrameCounter frames)
{
    /// <summary>Where chosen addresses start (first fit, bottom-up).</summary>
    public const ulong MmapBase = 0x7f0000000000;

    private readonly List<Vma> _vmas = [];
    private readonly Dictionary<ulong, Page> _pages = [];

    /// <summary>Pages a chunk of <see cref="_touchedChunks"/> spans: 2^6.</summary>
    private const int ChunkShift = 6;

    /// <summary>
    /// The chunks of 64 pages (by number: page number >> 6) that hold a touched page, in order:
    /// where zero-page stretches end, found without a walk over untouched chunks; within a chunk
    /// the page table says which pages. A node of the ordered set (48 bytes) a chunk, not a page:
    /// a process's 16 touched pages take one or two nodes instead of 16 (with a segment's pins
    /// kept as values, the 18 x 512 run's peak 880 -> 871 MB).
    /// </summary>
    private readonly SortedSet<ulong> _touchedChunks = [];

    /// <summary>
    /// No free gap starts in [MmapBase, _gapHint): first fit searches from here (a lower bound,
    /// lowered by every unmap, raised when an allocation fills the gap it names).
    /// </summary>
    private ulong _gapHint = MmapBase;

    public IReadOnlyList<Vma> Vmas => _vmas;

    /// <summary>Hears every page table change (set by the thread group that owns it).</summary>
    public IPageTableObserver? Observer { get; set; }

    /// <summary>Pages ever touched and still mapped.</summary>
    public int PageCount => _pages.Count;

    /// <summary>The 64-page chunks that hold a touched page (tests: none is kept empty).</summary>
    internal int TouchedChunkCount => _touchedChunks.Count;

    public static ulong PageOf(ulong address) => address >> Xpmem.PageShift;

    public Vma? Find(ulong address)
    {
        var index = FirstEndingAbove(address);
        return index < _vmas.Count && _vmas[index].Start <= address ? _vmas[index] : null;
    }

    public IEnumerable<Vma> Overlapping(ulong start, ulong end)
    {
        for (var i = FirstEndingAbove(start); i < _vmas.Count && _vmas[i].Start < end; i++)
            yield return _vmas[i];
    }

    /// <summary>
    /// The lowest page-aligned address at or above <see cref="MmapBase"/> where
    /// <paramref name="sizeBytes"/> fits, or null.
    /// </summary>
    public ulong? ChooseAddress(ulong sizeBytes)
    {
        if (sizeBytes > Xpmem.TaskSize) return null;
        var candidate = _gapHint;
        var firstGap = (ulong?)null;
        for (var i = FirstEndingAbove(candidate); i < _vmas.Count; i++)
        {
            var vma = _vmas[i];
            if (vma.Start > candidate)
            {
                firstGap ??= candidate;
                if (vma.Start - candidate >= sizeBytes) break;
            }
            candidate = Math.Max(candidate, vma.End);
        }
        if (candidate > Xpmem.TaskSize - sizeBytes) return null;
        // Everything below the first gap seen is full; an allocation that fills that gap moves
        // the hint past it.
        _gapHint = firstGap is { } gap && gap != candidate ? gap : candidate + sizeBytes;
        return candidate;
    }

    /// <summary>Adds a VMA; the caller has made the range free.</summary>
    public void Insert(Vma vma)
    {
        var index = FirstEndingAbove(vma.Start);
        Invariant.Holds(index == _vmas.Count || _vmas[index].Start >= vma.End,
            $"VMA [0x{vma.Start:x}, 0x{vma.End:x}) overlaps one already mapped");
        _vmas.Insert(index, vma);
    }

    /// <summary>
    /// Unmaps the anonymous memory in [start, end) (splitting VMAs, dropping pages) and removes
    /// every attachment VMA that overlaps the range; returns those attachments (an out-of-band
    /// unmap of an attachment, which the caller answers with SIGKILL).
    /// </summary>
    public IReadOnlyList<AttachmentVma> Unmap(ulong start, ulong end)
    {
        var attachments = new List<AttachmentVma>();
        var first = FirstEndingAbove(start);
        var last = first;
        while (last < _vmas.Count && _vmas[last].Start < end) last++;
        if (last == first) return attachments;
        var pieces = new List<Vma>();
        for (var i = first; i < last; i++)
        {
            var vma = _vmas[i];
            if (vma is AttachmentVma attachment)
            {
                attachments.Add(attachment);
                continue;
            }
            if (vma.Start < start) pieces.Add(new AnonymousVma(vma.Start, start));
            if (vma.End > end) pieces.Add(new AnonymousVma(end, vma.End));
            DropPages(Math.Max(vma.Start, start), Math.Min(vma.End, end));
        }
        _vmas.RemoveRange(first, last - first);
        _vmas.InsertRange(first, pieces);
        if (attachments.Count > 0) start = Math.Min(start, attachments[0].Start);
        if (start < _gapHint) _gapHint = Math.Max(start, MmapBase);
        return attachments;
    }

    /// <summary>Removes one attachment's VMA (detach); false if it is no longer mapped.</summary>
    public bool RemoveAttachment(AttachmentState attachment)
    {
        var index = FirstEndingAbove(attachment.At);
        if (index >= _vmas.Count || _vmas[index] is not AttachmentVma vma
            || vma.Attachment != attachment) return false;
        _vmas.RemoveAt(index);
        if (vma.Start < _gapHint) _gapHint = Math.Max(vma.Start, MmapBase);
        return true;
    }

    /// <summary>The page at an anonymous address, if it was ever touched.</summary>
    public Page? PageAt(ulong address) => _pages.GetValueOrDefault(PageOf(address));

    /// <summary>
    /// Where the untouched stretch from <paramref name="address"/> ends: the first touched page
    /// at or after it, or <paramref name="limit"/> (a VMA's end) if none comes first.
    /// </summary>
    public ulong UntouchedEnd(ulong address, ulong limit)
    {
        if (limit <= address) return address;
        var (first, last) = (PageOf(address), PageOf(limit - 1));
        var chunks = _touchedChunks.GetViewBetween(first >> ChunkShift, last >> ChunkShift);
        foreach (var chunk in chunks)
        {
            // The first chunk may hold touched pages only before the address: then the next.
            var (from, to) = PagesOf(chunk, first, last);
            if (FirstTouched(from, to) is { } number)
                return Math.Max(address, number << Xpmem.PageShift);
        }
        return limit;
    }

    /// <summary>
    /// The page to store to (or pin): zero-filled on first touch; a shared copy-on-write page is
    /// copied first. A pinned page is never shared (fork copies it for the child), so no attacher
    /// keeps the frame left behind. False when the machine has no frame left for it.
    /// </summary>
    public bool TryPageForWrite(ulong address, out Page page)
    {
        var number = PageOf(address);
        if (!_pages.TryGetValue(number, out page!))
        {
            if (!frames.TryNext(out var frame)) return false;
            page = new Page(frame, frames.Store);
            _pages[number] = page;
            _touchedChunks.Add(number >> ChunkShift);
            Observer?.Mapped(number << Xpmem.PageShift, page);
            return true;
        }
        if (page.Sharers == 1) return true;
        Page copy;
        // Every sharer may break at once (live: parent and child on two threads). Under the gate
        // one breaks at a time, and the last one left finds itself alone and keeps the frame, so
        // the frame is neither copied twice nor left with no sharer and never released.
        lock (page.Gate)
        {
            if (page.Sharers == 1) return true;
            Invariant.Holds(page.Pins == 0,
                $"copy-on-write break of pinned frame {page.Frame} at 0x{address:x}");
            if (!frames.TryNext(out var copyFrame)) return false;
            copy = page.Copy(copyFrame);
            page.Unshare();
        }
        _pages[number] = copy;
        Observer?.Unmapped(number << Xpmem.PageShift, page);
        Observer?.Mapped(number << Xpmem.PageShift, copy);
        page = copy;
        return true;
    }

    /// <summary>
    /// <see cref="TryPageForWrite"/> for tests and tools that do not run out of frames; the actors
    /// use the Try form, since a machine out of memory is the OOM killer's case, not a bug.
    /// </summary>
    public Page PageForWrite(ulong address) => TryPageForWrite(address, out var page) ? page
        : throw new InvalidOperationException($"no frame left for 0x{address:x}");

    /// <summary>
    /// fork: the child's address space. Attachments are not inherited (VM_DONTCOPY). Pages with
    /// attacher pins are copied for the child at once; the rest are shared copy-on-write. The
    /// child's thread group announces its pages (<see cref="AnnouncePages"/>) once it has an id.
    /// </summary>
    public AddressSpace ForkCopy()
    {
        var child = new AddressSpace(frames);
        child._touchedChunks.UnionWith(_touchedChunks);
        foreach (var vma in _vmas)
        {
            if (vma is AnonymousVma) child._vmas.Add(new AnonymousVma(vma.Start, vma.End));
        }
        foreach (var (number, page) in _pages)
        {
            if (page.Pins > 0)
            {
                child._pages[number] = page.Copy(frames.Next());
            }
            else
            {
                page.Share();
                child._pages[number] = page;
            }
        }
        return child;
    }

    /// <summary>Tells the observer of every page mapped now (a fork child's pages).</summary>
    public void AnnouncePages()
    {
        if (Observer is not { } observer) return;
        foreach (var (number, page) in _pages) observer.Mapped(number << Xpmem.PageShift, page);
    }

    /// <summary>exit: every mapping goes; shared pages stay for their other sharers.</summary>
    public void Clear()
    {
        foreach (var (number, page) in _pages)
        {
            if (page.Unshare() == 0) frames.Release();
            Observer?.Unmapped(number << Xpmem.PageShift, page);
        }
        _pages.Clear();
        _touchedChunks.Clear();
        _vmas.Clear();
        _gapHint = MmapBase;
    }

    /// <summary>The index of the first VMA ending above <paramref name="address"/>.</summary>
    private int FirstEndingAbove(ulong address)
    {
        int low = 0, high = _vmas.Count;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (_vmas[middle].End <= address) low = middle + 1;
            else high = middle;
        }
        return low;
    }

    /// <summary>
    /// Drops the touched pages in [start, end), found by their chunks: unmapping a huge untouched
    /// range costs nothing. A chunk left without a page leaves the set.
    /// </summary>
    private void DropPages(ulong start, ulong end)
    {
        if (end <= start || _touchedChunks.Count == 0) return;
        var (first, last) = (PageOf(start), PageOf(end - 1));
        var chunks = _touchedChunks.GetViewBetween(first >> ChunkShift, last >> ChunkShift);
        foreach (var chunk in chunks.ToList())
        {
            var (from, to) = PagesOf(chunk, first, last);
            for (var number = from; number <= to; number++) Drop(number);
            var (chunkFirst, chunkLast) = PagesOf(chunk, 0, ulong.MaxValue);
            var emptied = (from == chunkFirst && to == chunkLast)
                || FirstTouched(chunkFirst, chunkLast) is null;
            if (emptied) _touchedChunks.Remove(chunk);
        }
    }

    /// <summary>The pages of <paramref name="chunk"/> within [first, last].</summary>
    private static (ulong From, ulong To) PagesOf(ulong chunk, ulong first, ulong last) =>
        (Math.Max(first, chunk << ChunkShift),
            Math.Min(last, (chunk << ChunkShift) + (1UL << ChunkShift) - 1));

    /// <summary>The first touched page in [first, last] (a chunk at most), or null.</summary>
    private ulong? FirstTouched(ulong first, ulong last)
    {
        for (var number = first; number <= last; number++)
        {
            if (_pages.ContainsKey(number)) return number;
        }
        return null;
    }

    private void Drop(ulong number)
    {
        if (!_pages.Remove(number, out var page)) return;
        if (page.Unshare() == 0) frames.Release();
        Observer?.Unmapped(number << Xpmem.PageShift, page);
    }
}
