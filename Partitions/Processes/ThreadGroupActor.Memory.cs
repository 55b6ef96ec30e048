using Akka.Actor;
using Emulator.Partitions.Attachments;
using Emulator.Partitions.Faults;
using Emulator.Partitions.Memory;
using Emulator.Partitions.Rules;
using Emulator.Partitions.Segments;
using Emulator.Protocol;
using Emulator.Protocol.Faults;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Partitions;
using Emulator.Protocol.Processes;
using Emulator.Protocol.Segments;

namespace Emulator.Partitions.Processes;

/// <summary>
/// The process's memory: mmap, munmap (with recall), loads and stores, the attacher's fault path.
/// </summary>
public sealed partial class ThreadGroupActor
{
    private void HandleMmap(Process.Run run, MmapCall mmap)
    {
        var (errno, size) = CallRules.Mmap(mmap.Address, mmap.SizeBytes);
        if (errno != Errno.None)
        {
            Complete(run, Outcome.Fail(errno));
            return;
        }
        if (mmap.Address is not { } start)
        {
            if (_memory.ChooseAddress(size) is not { } chosen)
            {
                Complete(run, Outcome.Fail(Errno.ENOMEM));
                return;
            }
            _memory.Insert(new AnonymousVma(chosen, chosen + size));
            Complete(run, Outcome.Ok(chosen));
            return;
        }
        UnmapRange(run, start, start + size, () =>
        {
            _memory.Insert(new AnonymousVma(start, start + size));
            Complete(run, Outcome.Ok(start));
        });
    }

    private void HandleMunmap(Process.Run run, MunmapCall munmap)
    {
        var (errno, size) = CallRules.Munmap(munmap.Address, munmap.SizeBytes);
        if (errno != Errno.None) Complete(run, Outcome.Fail(errno));
        else UnmapRange(run, munmap.Address, munmap.Address + size,
            () => Complete(run, Outcome.Ok()));
    }

    /// <summary>
    /// Unmaps [start, end) and recalls the range from every attacher of our segments over it (the
    /// MMU notifier's invalidate_range_end): <paramref name="then"/> runs once all have let go. An
    /// attachment caught in the range is an out-of-band unmap: the process gets SIGKILL instead.
    /// </summary>
    private void UnmapRange(Process.Run run, ulong start, ulong end, Action then)
    {
        var attachments = _memory.Unmap(start, end);
        foreach (var attachment in attachments) DropAttachment(attachment.Attachment);
        var recalls = new List<(RequestId Id, SegmentEntry Entry)>();
        foreach (var entry in LiveTg?.Segments.Values ?? Enumerable.Empty<SegmentEntry>())
        {
            if (entry.Address < end && start < entry.End) recalls.Add((NextRequestId(), entry));
        }
        var next = attachments.Count > 0
            ? () => Die(run, Signal.SIGKILL, Outcome.Signalled(Signal.SIGKILL))
            : then;
        AwaitAll(recalls.Select(r => r.Id).ToList(), _ => { }, next);
        foreach (var (id, entry) in recalls)
        {
            entry.Actor.Tell(new Segment.Recall(id, Math.Max(start, entry.Address),
                Math.Min(end, entry.End), Me));
        }
    }

    private void HandleAccess(Process.Run run)
    {
        switch (run.Call)
        {
            case ReadCall read:
                Load(run, read.Address, (ulong)read.WidthBytes,
                    bytes => Complete(run, Outcome.Ok(Bytes.ToValue(bytes))));
                break;
            case WriteCall write:
                Store(run, write.Address, Bytes.FromValue(write.Value, write.WidthBytes),
                    () => Complete(run, Outcome.Ok()));
                break;
            case FillCall fill:
                Store(run, fill.Address, Patterns.Lay(fill.Pattern, fill.SizeBytes),
                    () => Complete(run, Outcome.Ok()));
                break;
            case CheckCall check:
                CheckFrom(run, check, Patterns.Lay(check.Pattern, check.SizeBytes), 0);
                break;
            case Add32Call add:
                AddFrom(run, add, 0);
                break;
            case Sum32Call sum:
                Load(run, sum.Address, WholeWords(sum.SizeBytes),
                    bytes => Complete(run, Outcome.Ok(Bytes.Sum32(bytes))));
                break;
            case CopyCall copy:
                Load(run, copy.Source, copy.SizeBytes, bytes =>
                    Store(run, copy.Destination, bytes, () => Complete(run, Outcome.Ok())));
                break;
        }
    }

    private static ulong WholeWords(ulong sizeBytes) => sizeBytes & ~3UL;

    /// <summary>
    /// check, a page at a time: the first differing byte ends it; later pages are not touched.
    /// </summary>
    private void CheckFrom(Process.Run run, CheckCall check, byte[] expected, ulong offset)
    {
        if (offset >= check.SizeBytes)
        {
            Complete(run, Outcome.Ok());
            return;
        }
        var start = check.Address + offset;
        var length = Math.Min(check.SizeBytes - offset,
            (start & Xpmem.PageMask) + Xpmem.PageSize - start);
        Load(run, start, length, bytes =>
        {
            var index = bytes.AsSpan().CommonPrefixLength(expected.AsSpan((int)offset,
                (int)length));
            if (index < bytes.Length)
            {
                Complete(run, Outcome.Mismatch(
                    $"0x{start + (ulong)index:x}: expected 0x{expected[(int)offset + index]:x2}, "
                    + $"found 0x{bytes[index]:x2}"));
            }
            else
            {
                CheckFrom(run, check, expected, offset + length);
            }
        });
    }

    /// <summary>
    /// add32, a load and a store per word, done a page's worth of whole words at a time; a word
    /// that straddles two pages goes alone, so a fault in the second page leaves it unstored.
    /// </summary>
    private void AddFrom(Process.Run run, Add32Call add, ulong offset)
    {
        if (offset >= WholeWords(add.SizeBytes))
        {
            Complete(run, Outcome.Ok());
            return;
        }
        var start = add.Address + offset;
        var inPage = (start & Xpmem.PageMask) + Xpmem.PageSize - start;
        var length = inPage < 4 ? 4 : Math.Min(WholeWords(add.SizeBytes) - offset, inPage & ~3UL);
        Load(run, start, length, bytes =>
            Store(run, start, Bytes.Add32(bytes, add.K), () => AddFrom(run, add, offset + length)));
    }

    private void Load(Process.Run run, ulong address, ulong length, Action<byte[]> then)
    {
        var buffer = new byte[length];
        Access(new Transfer(run, address, buffer, Write: false, () => then(buffer)), 0);
    }

    private void Store(Process.Run run, ulong address, byte[] bytes, Action then) =>
        Access(new Transfer(run, address, bytes, Write: true, then), 0);

    /// <summary>
    /// One load or store of a byte range, moved page by page; may pause for a fault or a remote
    /// page.
    /// </summary>
    private sealed record Transfer(Process.Run Run, ulong Address, byte[] Buffer, bool Write,
        Action Done);

    /// <summary>
    /// Moves the bytes of <paramref name="transfer"/> from <paramref name="position"/> on.
    /// Anonymous memory and local attached pages are plain copies; a missing attachment PTE starts
    /// a fault, a remote PTE a message to the owner's segment; either resumes here when its reply
    /// comes.
    /// </summary>
    private void Access(Transfer transfer, int position)
    {
        while (position < transfer.Buffer.Length)
        {
            if (!_alive) return;
            var address = transfer.Address + (ulong)position;
            var inPage = (int)(address & (Xpmem.PageSize - 1));
            var length = Math.Min(transfer.Buffer.Length - position, Page.SizeBytes - inPage);
            var bytes = transfer.Buffer.AsSpan(position, length);
            switch (_memory.Find(address))
            {
                case null:
                    Die(transfer.Run, Signal.SIGSEGV, Outcome.Signalled(Signal.SIGSEGV));
                    return;
                case AnonymousVma:
                    var page = transfer.Write ? _memory.PageForWrite(address)
                        : _memory.PageForRead(address);
                    Copy(page, inPage, bytes, transfer.Write);
                    break;
                case AttachmentVma { Attachment: var attachment }:
                    var pageAddress = address & Xpmem.PageMask;
                    if (!attachment.Ptes.TryGetValue(pageAddress, out var frame))
                    {
                        StartFault(transfer, position, attachment, pageAddress);
                        return;
                    }
                    if (frame.Page is null)
                    {
                        AccessRemote(transfer, position, attachment, frame, inPage, length);
                        return;
                    }
                    Copy(frame.Page, inPage, bytes, transfer.Write);
                    break;
            }
            position += length;
        }
        transfer.Done();
    }

    private static void Copy(Page page, int offset, Span<byte> bytes, bool write)
    {
        if (write) bytes.CopyTo(page.Bytes.AsSpan(offset));
        else page.Bytes.AsSpan(offset, bytes.Length).CopyTo(bytes);
    }

    private void AccessRemote(Transfer transfer, int position, AttachmentState attachment,
        Frame frame, int offset, int length)
    {
        var id = NextRequestId();
        Await(id, reply =>
        {
            if (reply is Frames.Data data) data.Bytes.CopyTo(transfer.Buffer, position);
            if (reply is Refused)
            {
                // A recall dropped the pin after we read the PTE: forget it; the access refaults.
                var page = (transfer.Address + (ulong)position) & Xpmem.PageMask;
                if (attachment.Ptes.TryGetValue(page, out var current)
                    && current == frame) attachment.Ptes.Remove(page);
                Access(transfer, position);
                return;
            }
            Access(transfer, position + length);
        });
        object request = transfer.Write
            ? new Frames.Write(id, frame.PinId, offset,
                transfer.Buffer.AsSpan(position, length).ToArray(), Me)
            : new Frames.Read(id, frame.PinId, offset, length, Me);
        _port.Send(attachment.SegmentActor, request);
    }

    /// <summary>
    /// The attacher's side of a page fault: a FaultActor child runs the chain to the owner's
    /// segment. When it answers, the VMA is looked up again (it may have been detached meanwhile)
    /// and the access resumes from the same page, which either finds the new PTE or faults again.
    /// </summary>
    private void StartFault(Transfer transfer, int position, AttachmentState attachment,
        ulong pageAddress)
    {
        var id = NextRequestId();
        Machine.Monitor.FaultStarted();
        Await(id, reply =>
        {
            switch (reply)
            {
                case Fault.Pinned pinned:
                    Install(attachment, pageAddress, new Frame(pinned.PinId, null), id);
                    Access(transfer, position);
                    break;
                case SegmentActor.LocalPinned local:
                    Install(attachment, pageAddress, new Frame(local.PinId, local.Page), id);
                    Access(transfer, position);
                    break;
                default:
                    // The segment is gone, the source is a hole or an attachment, or nobody
                    // answered: SIGBUS, for the toucher only.
                    Die(transfer.Run, Signal.SIGBUS, Outcome.Signalled(Signal.SIGBUS));
                    break;
            }
        });
        Context.ActorOf(FaultActor.Props(Machine, _port, id, attachment.SegmentActor,
            attachment.SourceOf(pageAddress), _id), $"fault-{id.Sequence & 0xFFFFFFFF}");
    }

    /// <summary>
    /// Installs a PTE if the attachment still maps that page and has none; else gives the pin back.
    /// Then ends the fault's read hold.
    /// </summary>
    private void Install(AttachmentState attachment, ulong pageAddress, Frame frame,
        RequestId fault)
    {
        var current = (_memory.Find(pageAddress) as AttachmentVma)?.Attachment;
        var installed = _alive && current == attachment
            && attachment.Ptes.TryAdd(pageAddress, frame);
        if (!installed) _port.Send(attachment.SegmentActor, new Frames.Unpin([frame.PinId]));
        _port.Send(attachment.SegmentActor, new Fault.Done(fault));
    }
}
