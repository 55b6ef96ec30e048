using Emulator.Protocol;

namespace Emulator.Tests.Model;

/// <summary>
/// A mapping: anonymous private memory, or (with an attachment) an XPMEM attachment.
/// </summary>
internal sealed record ModelVma(ulong Start, ulong End, ModelAttachment? Attachment)
{
    public bool Contains(ulong address) => address >= Start && address < End;

    public bool Overlaps(ulong start, ulong end) => start < End && Start < end;
}

/// <summary>
/// One process's address space: its VMAs (sorted, never overlapping) and the anonymous frames
/// its page table holds. Knows nothing about XPMEM beyond "this VMA is an attachment"; the
/// model does the invalidations and pins around these operations.
/// </summary>
internal sealed class ModelAddressSpace
{
    /// <summary>Where chosen addresses start (mmap without address, attach without at=).</summary>
    public const ulong ChosenBase = 0x7f00_0000_0000;

    private readonly List<ModelVma> _vmas = new();
    private readonly Dictionary<ulong, ModelPage> _pages = new();

    public IReadOnlyList<ModelVma> Vmas => _vmas;

    public ModelVma? Find(ulong address)
    {
        foreach (var vma in _vmas)
        {
            if (vma.Contains(address))
            {
                return vma;
            }
        }
        return null;
    }

    public IEnumerable<ModelVma> Overlapping(ulong start, ulong end) =>
        _vmas.Where(vma => vma.Overlaps(start, end));

    /// <summary>
    /// First fit, bottom up from <see cref="ChosenBase"/>; null when nothing fits below TaskSize.
    /// </summary>
    public ulong? FindFree(ulong sizeBytes)
    {
        if (sizeBytes > Xpmem.TaskSize)
        {
            return null;
        }
        var candidate = ChosenBase;
        foreach (var vma in _vmas)
        {
            if (vma.End <= candidate)
            {
                continue;
            }
            if (candidate <= Xpmem.TaskSize - sizeBytes && candidate + sizeBytes <= vma.Start)
            {
                break;
            }
            candidate = vma.End;
        }
        return candidate <= Xpmem.TaskSize - sizeBytes ? candidate : null;
    }

    public void Insert(ModelVma vma)
    {
        var overlapping = _vmas.Any(v => v.Overlaps(vma.Start, vma.End));
        ModelInvariant.Holds(!overlapping, $"VMA {vma} overlaps");
        var index = _vmas.FindIndex(v => v.Start > vma.Start);
        _vmas.Insert(index < 0 ? _vmas.Count : index, vma);
    }

    /// <summary>
    /// Takes [start, end) out of every VMA (splitting those that stick out) and drops the
    /// anonymous frames in it. Returns the pieces removed, so the caller can tell whether an
    /// attachment was hit.
    /// </summary>
    public List<ModelVma> Unmap(ulong start, ulong end)
    {
        var removed = new List<ModelVma>();
        for (var i = 0; i < _vmas.Count; i++)
        {
            var vma = _vmas[i];
            if (!vma.Overlaps(start, end))
            {
                continue;
            }
            var cutStart = Math.Max(start, vma.Start);
            var cutEnd = Math.Min(end, vma.End);
            removed.Add(vma with { Start = cutStart, End = cutEnd });
            var pieces = new List<ModelVma>();
            if (vma.Start < cutStart)
            {
                pieces.Add(vma with { End = cutStart });
            }
            if (cutEnd < vma.End)
            {
                pieces.Add(vma with { Start = cutEnd });
            }
            _vmas.RemoveAt(i);
            _vmas.InsertRange(i, pieces);
            i += pieces.Count - 1;
        }
        foreach (var address in _pages.Keys.Where(a => a >= start && a < end).ToList())
        {
            DropPage(address);
        }
        return removed;
    }

    /// <summary>
    /// Removes exactly the VMA pieces that belong to <paramref name="attachment"/>.
    /// </summary>
    public void RemoveAttachment(ModelAttachment attachment) =>
        _vmas.RemoveAll(vma => ReferenceEquals(vma.Attachment, attachment));

    /// <summary>The frame at <paramref name="pageAddress"/>, or null if never touched.</summary>
    public ModelPage? PageAt(ulong pageAddress) => _pages.GetValueOrDefault(pageAddress);

    /// <summary>
    /// The frame an access to an anonymous page uses: zero-filled on first touch; a write to a
    /// frame shared copy-on-write gives this address space a private copy first.
    /// </summary>
    public ModelPage Touch(ulong pageAddress, bool write)
    {
        if (!_pages.TryGetValue(pageAddress, out var page))
        {
            page = new ModelPage();
            _pages[pageAddress] = page;
            return page;
        }
        if (write && page.Sharers > 1)
        {
            ModelInvariant.Holds(page.Pins == 0, $"pinned frame at 0x{pageAddress:x} is shared");
            page.Sharers--;
            page = new ModelPage(page);
            _pages[pageAddress] = page;
        }
        return page;
    }

    /// <summary>
    /// The child's address space at fork: every non-attachment VMA, with frames shared
    /// copy-on-write, except frames an attacher pins, which the child gets a copy of at once.
    /// </summary>
    public ModelAddressSpace ForkCopy()
    {
        var child = new ModelAddressSpace();
        child._vmas.AddRange(_vmas.Where(vma => vma.Attachment is null));
        foreach (var (address, page) in _pages)
        {
            if (page.Pins > 0)
            {
                child._pages[address] = new ModelPage(page);
            }
            else
            {
                page.Sharers++;
                child._pages[address] = page;
            }
        }
        return child;
    }

    /// <summary>Drops everything (process death); frames shared with others stay theirs.</summary>
    public void Clear()
    {
        foreach (var address in _pages.Keys.ToList())
        {
            DropPage(address);
        }
        _vmas.Clear();
    }

    private void DropPage(ulong address)
    {
        var page = _pages[address];
        ModelInvariant.Holds(page.Pins == 0, $"frame at 0x{address:x} dropped while pinned");
        page.Sharers--;
        _pages.Remove(address);
    }
}
