using System.Buffers.Binary;
using Emulator.Protocol;
using Emulator.Protocol.Processes;

namespace Emulator.Tests.Model;

// Memory: mmap and munmap, the fault path through attachments, pins, and the access calls.
// Every access walks its byte range page by page in address order and stops at the first page
// that fails; what it did to earlier pages stays done. The one refinement is add32, which works
// word by word (a load then a store), so a word straddling into a failing page is not stored.
public sealed partial class ReferenceModel
{
    private Outcome HandleMmap(ModelProcess process, MmapCall call)
    {
        if (call.SizeBytes == 0)
        {
            return Outcome.Fail(Errno.EINVAL);
        }
        var rounded = ModelRules.TryRoundUpToPage(call.SizeBytes, out var size);
        if (call.Address is not { } address)
        {
            var chosen = rounded ? process.Memory.FindFree(size) : null;
            if (chosen is null)
            {
                return Outcome.Fail(Errno.ENOMEM);
            }
            process.Memory.Insert(new ModelVma(chosen.Value, chosen.Value + size, null));
            return Outcome.Ok(chosen.Value);
        }
        if (!ModelRules.IsPageAligned(address))
        {
            return Outcome.Fail(Errno.EINVAL);
        }
        if (!rounded || size > Xpmem.TaskSize || address > Xpmem.TaskSize - size)
        {
            return Outcome.Fail(Errno.ENOMEM);
        }
        // MAP_FIXED replaces what was there: exactly a munmap of the range first.
        var hitAttachment = UnmapRange(process, address, address + size);
        process.Memory.Insert(new ModelVma(address, address + size, null));
        return hitAttachment ? Outcome.Signalled(Signal.SIGKILL) : Outcome.Ok(address);
    }

    private Outcome HandleMunmap(ModelProcess process, MunmapCall call)
    {
        var address = call.Address;
        if (!ModelRules.IsPageAligned(address) || call.SizeBytes == 0
            || !ModelRules.TryRoundUpToPage(call.SizeBytes, out var size)
            || address > Xpmem.TaskSize || size > Xpmem.TaskSize - address)
        {
            return Outcome.Fail(Errno.EINVAL);
        }
        var hitAttachment = UnmapRange(process, address, address + size);
        return hitAttachment ? Outcome.Signalled(Signal.SIGKILL) : Outcome.Ok();
    }

    /// <summary>
    /// munmap of [start, end) by <paramref name="process"/>: first the MMU notifier's work
    /// (attachers of this range, through the process's segments, lose their pages and pins),
    /// then the VMAs and frames go. True if an attachment was hit: an out-of-band unmap of an
    /// XPMEM VMA, for which the kernel's close handler SIGKILLs the caller (spec 3.5).
    /// </summary>
    private bool UnmapRange(ModelProcess process, ulong start, ulong end)
    {
        ZapAttachersOfSource(process, start, end);
        var removed = process.Memory.Unmap(start, end);
        return removed.Any(piece => piece.Attachment is not null);
    }

    /// <summary>xpmem_invalidate_PTEs_range for the owner's [start, end).</summary>
    private void ZapAttachersOfSource(ModelProcess owner, ulong start, ulong end)
    {
        var attachments = owner.ThreadGroup?.Segments.Values
            .SelectMany(segment => segment.Permits)
            .SelectMany(permit => permit.Attachments) ?? [];
        foreach (var attachment in attachments)
        {
            var pages = attachment.Mapped.Keys
                .Where(page => attachment.SourceOf(page) >= start)
                .Where(page => attachment.SourceOf(page) < end);
            foreach (var page in pages.ToList())
            {
                Unpin(attachment, page);
            }
        }
    }

    private void ZapAll(ModelAttachment attachment)
    {
        foreach (var page in attachment.Mapped.Keys.ToList())
        {
            Unpin(attachment, page);
        }
    }

    private void Pin(ModelAttachment attachment, ulong attacherPage, ModelPage frame)
    {
        frame.Pins++;
        attachment.Mapped.Add(attacherPage, frame);
        _pinned++;
    }

    private void Unpin(ModelAttachment attachment, ulong attacherPage)
    {
        attachment.Mapped[attacherPage].Pins--;
        attachment.Mapped.Remove(attacherPage);
        _unpinned++;
    }

    /// <summary>
    /// The frame behind <paramref name="page"/> in <paramref name="process"/>, faulting it in:
    /// SIGSEGV outside every VMA; for anonymous memory the process's own frame (zero-filled on
    /// first touch, copied first if written while shared); for an attachment see
    /// <see cref="ResolveAttached"/>.
    /// </summary>
    private Signal Resolve(ModelProcess process, ulong page, bool write, out ModelPage frame)
    {
        frame = null!;
        var vma = process.Memory.Find(page);
        if (vma is null)
        {
            return Signal.SIGSEGV;
        }
        if (vma.Attachment is null)
        {
            frame = process.Memory.Touch(page, write);
            return Signal.None;
        }
        return ResolveAttached(vma.Attachment, page, out frame);
    }

    /// <summary>
    /// The attacher sees the owner's current frame at the source address. A page already
    /// mapped needs no fault. Otherwise (xpmem_fault_handler): a removed segment, a source hole
    /// or a source that is itself an attachment give SIGBUS; else the owner's frame is faulted
    /// in for writing (allocated, or copied if shared copy-on-write) and pinned, once, until
    /// something zaps it.
    /// </summary>
    private Signal ResolveAttached(ModelAttachment attachment, ulong page, out ModelPage frame)
    {
        frame = null!;
        var segment = attachment.Permit.Segment;
        var owner = segment.Owner.Process;
        var source = attachment.SourceOf(page);
        if (attachment.Mapped.TryGetValue(page, out var mapped))
        {
            ModelInvariant.Holds(!segment.Removed && owner.Memory.PageAt(source) == mapped,
                $"attachment page 0x{page:x} maps a frame the owner no longer has");
            frame = mapped;
            return Signal.None;
        }
        if (segment.Removed || segment.Owner.TornDown)
        {
            return Signal.SIGBUS;
        }
        var sourceVma = owner.Memory.Find(source);
        if (sourceVma is null || sourceVma.Attachment is not null)
        {
            return Signal.SIGBUS;
        }
        frame = owner.Memory.Touch(source, write: true);
        Pin(attachment, page, frame);
        return Signal.None;
    }

    /// <summary>
    /// Resolve, remembering the last page for the rest of the current call (word loops touch
    /// the same page many times). Sound because resolving a page again the same way in the same
    /// call changes nothing: it is allocated, copied and pinned already. A frame resolved for
    /// reading is not reused for a write, which may still have to copy it.
    /// </summary>
    private Signal ResolveMemo(ModelProcess process, ulong page, bool write, out ModelPage frame)
    {
        if (_memo is { } memo && memo.Process == process && memo.Page == page
            && (memo.Writable || !write))
        {
            frame = memo.Frame;
            return Signal.None;
        }
        var signal = Resolve(process, page, write, out frame);
        _memo = signal == Signal.None ? new FrameMemo(process, page, frame, write) : null;
        return signal;
    }

    /// <summary>Loads [address, address+destination.Length) page by page.</summary>
    private Signal Load(ModelProcess process, ulong address, Span<byte> destination)
    {
        var done = 0;
        while (done < destination.Length)
        {
            var at = unchecked(address + (ulong)done);
            var signal = ResolveMemo(process, at & Xpmem.PageMask, write: false, out var frame);
            if (signal != Signal.None)
            {
                return signal;
            }
            var inPage = (int)(at & (Xpmem.PageSize - 1));
            var count = Math.Min(destination.Length - done, (int)Xpmem.PageSize - inPage);
            frame.Bytes.AsSpan(inPage, count).CopyTo(destination.Slice(done, count));
            done += count;
        }
        return Signal.None;
    }

    /// <summary>Stores page by page; pages before a failing one keep what was stored.</summary>
    private Signal Store(ModelProcess process, ulong address, ReadOnlySpan<byte> source)
    {
        var done = 0;
        while (done < source.Length)
        {
            var at = unchecked(address + (ulong)done);
            var signal = ResolveMemo(process, at & Xpmem.PageMask, write: true, out var frame);
            if (signal != Signal.None)
            {
                return signal;
            }
            var inPage = (int)(at & (Xpmem.PageSize - 1));
            var count = Math.Min(source.Length - done, (int)Xpmem.PageSize - inPage);
            source.Slice(done, count).CopyTo(frame.Bytes.AsSpan(inPage, count));
            done += count;
        }
        return Signal.None;
    }

    private Outcome HandleRead(ModelProcess process, ReadCall call)
    {
        Span<byte> bytes = stackalloc byte[8];
        var signal = Load(process, call.Address, bytes[..CheckWidth(call.WidthBytes)]);
        return signal != Signal.None
            ? Outcome.Signalled(signal)
            : Outcome.Ok(BinaryPrimitives.ReadUInt64LittleEndian(bytes));
    }

    private Outcome HandleWrite(ModelProcess process, WriteCall call)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, call.Value);
        return Done(Store(process, call.Address, bytes[..CheckWidth(call.WidthBytes)]));
    }

    private Outcome HandleFill(ModelProcess process, FillCall call)
    {
        var cursor = new PatternCursor(call.Pattern);
        var chunk = new byte[Xpmem.PageSize];
        foreach (var (at, count) in PageChunks(call.Address, call.SizeBytes))
        {
            cursor.Fill(chunk.AsSpan(0, count));
            var signal = Store(process, at, chunk.AsSpan(0, count));
            if (signal != Signal.None)
            {
                return Outcome.Signalled(signal);
            }
        }
        return Outcome.Ok();
    }

    /// <summary>
    /// Compares page by page and stops at the first differing byte (later pages untouched).
    /// </summary>
    private Outcome HandleCheck(ModelProcess process, CheckCall call)
    {
        var cursor = new PatternCursor(call.Pattern);
        var expected = new byte[Xpmem.PageSize];
        var actual = new byte[Xpmem.PageSize];
        foreach (var (at, count) in PageChunks(call.Address, call.SizeBytes))
        {
            cursor.Fill(expected.AsSpan(0, count));
            var signal = Load(process, at, actual.AsSpan(0, count));
            if (signal != Signal.None)
            {
                return Outcome.Signalled(signal);
            }
            var same = expected.AsSpan(0, count).CommonPrefixLength(actual.AsSpan(0, count));
            if (same < count)
            {
                var where = unchecked(at + (ulong)same);
                return Outcome.Mismatch(
                    $"0x{where:x}: expected 0x{expected[same]:x2}, found 0x{actual[same]:x2}");
            }
        }
        return Outcome.Ok();
    }

    /// <summary>
    /// Whole 32-bit words only (size / 4 of them); a trailing partial word is not touched.
    /// </summary>
    private Outcome HandleAdd32(ModelProcess process, Add32Call call)
    {
        Span<byte> word = stackalloc byte[4];
        for (ulong i = 0; i < call.SizeBytes / 4; i++)
        {
            var at = unchecked(call.Address + 4 * i);
            var signal = Load(process, at, word);
            if (signal == Signal.None)
            {
                var value = BinaryPrimitives.ReadUInt32LittleEndian(word);
                BinaryPrimitives.WriteUInt32LittleEndian(word, unchecked(value + call.K));
                signal = Store(process, at, word);
            }
            if (signal != Signal.None)
            {
                return Outcome.Signalled(signal);
            }
        }
        return Outcome.Ok();
    }

    /// <summary>Whole 32-bit words only, as add32; the sum is 64-bit.</summary>
    private Outcome HandleSum32(ModelProcess process, Sum32Call call)
    {
        Span<byte> word = stackalloc byte[4];
        ulong sum = 0;
        for (ulong i = 0; i < call.SizeBytes / 4; i++)
        {
            var signal = Load(process, unchecked(call.Address + 4 * i), word);
            if (signal != Signal.None)
            {
                return Outcome.Signalled(signal);
            }
            sum = unchecked(sum + BinaryPrimitives.ReadUInt32LittleEndian(word));
        }
        return Outcome.Ok(sum);
    }

    /// <summary>
    /// fetch-add32, cas32, swap32: a word not 4-byte aligned is SIGBUS before anything is touched;
    /// else the word's page is resolved for writing (a store, whatever the operation) and the
    /// word is read and written in that one frame. The result is the word before.
    /// </summary>
    private Outcome HandleAtomic(ModelProcess process, Atomic32Call call)
    {
        if ((call.Address & 3) != 0)
        {
            return Outcome.Signalled(Signal.SIGBUS);
        }
        var signal = ResolveMemo(process, call.Address & Xpmem.PageMask, write: true, out var frame);
        if (signal != Signal.None)
        {
            return Outcome.Signalled(signal);
        }
        var word = frame.Bytes.AsSpan((int)(call.Address & (Xpmem.PageSize - 1)), 4);
        var old = BinaryPrimitives.ReadUInt32LittleEndian(word);
        var stored = call switch
        {
            FetchAdd32Call add => unchecked(old + add.K),
            Cas32Call cas when cas.Expected == old => cas.New,
            Cas32Call => old,
            Swap32Call swap => swap.New,
            _ => throw new ArgumentException($"the reference model does not know {call}"),
        };
        BinaryPrimitives.WriteUInt32LittleEndian(word, stored);
        return Outcome.Ok(old);
    }

    /// <summary>
    /// memmove, a unit at a time: each unit (at most the rest of a grain unit on both sides) is
    /// loaded, then stored; units go from the end when the destination overlaps the source from
    /// above, so no byte is read after it was overwritten. A failing page ends the copy there:
    /// the units before it stay stored. (Where source and destination are two mappings of one
    /// frame, what lands depends on the unit, as for a real memcpy.)
    /// </summary>
    private Outcome HandleCopy(ModelProcess process, CopyCall call)
    {
        var (source, destination, size) = (call.Source, call.Destination, call.SizeBytes);
        var backward = destination > source && destination - source < size;
        var unit = new byte[Xpmem.PageSize];
        ulong done = 0;
        while (done < size)
        {
            var left = size - done;
            ulong offset;
            int count;
            if (backward)
            {
                count = (int)Math.Min(left, Math.Min(UnitBytesBelow(unchecked(source + left)),
                    UnitBytesBelow(unchecked(destination + left))));
                offset = left - (ulong)count;
            }
            else
            {
                offset = done;
                count = (int)Math.Min(left, Math.Min(InUnit(unchecked(source + offset)),
                    InUnit(unchecked(destination + offset))));
            }
            var signal = Load(process, unchecked(source + offset), unit.AsSpan(0, count));
            if (signal == Signal.None)
            {
                signal = Store(process, unchecked(destination + offset), unit.AsSpan(0, count));
            }
            if (signal != Signal.None)
            {
                return Outcome.Signalled(signal);
            }
            done += (ulong)count;
        }
        return Outcome.Ok();
    }

    /// <summary>Bytes from the address to the end of its unit (units are aligned).</summary>
    private ulong InUnit(ulong address) => _unitBytes - address % _unitBytes;

    private ulong UnitBytesBelow(ulong end) => unchecked(end - 1) % _unitBytes + 1;

    private static Outcome Done(Signal signal) =>
        signal == Signal.None ? Outcome.Ok() : Outcome.Signalled(signal);

    private static int CheckWidth(int widthBytes) => widthBytes is 1 or 2 or 4 or 8
        ? widthBytes
        : throw new ArgumentException($"an access is 1, 2, 4 or 8 bytes wide, not {widthBytes}");

    /// <summary>[address, address+size) cut at page boundaries, in address order.</summary>
    private static IEnumerable<(ulong Address, int Count)> PageChunks(
        ulong address, ulong sizeBytes)
    {
        ulong done = 0;
        while (done < sizeBytes)
        {
            var at = unchecked(address + done);
            var inPage = at & (Xpmem.PageSize - 1);
            var count = Math.Min(sizeBytes - done, Xpmem.PageSize - inPage);
            yield return (at, (int)count);
            done += count;
        }
    }
}
