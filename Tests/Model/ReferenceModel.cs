using Emulator.Host;
using Emulator.Partitions;
using Emulator.Partitions.Memory;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Processes;

namespace Emulator.Tests.Model;

/// <summary>
/// A plain, sequential model of XPMEM on a machine of N partitions: the oracle the actor
/// emulator is tested against, call by call. It follows docs section 1-3 of the XPMEM spec and
/// the emulator's policies (pids, ids, addresses, copy-on-write, library behaviour) exactly,
/// and favours being obviously right over being fast. No actors, no clocks, no threads: a call
/// runs to its end before the next one starts, so every "lock" of the kernel is implicit.
/// This file: the machine, dispatch and process life (open, close, fork, death, teardown).
/// ReferenceModel.Xpmem.cs has the six XPMEM calls; ReferenceModel.Memory.cs the memory.
/// </summary>
public sealed partial class ReferenceModel : IXpmemSystem
{
    /// <summary>The first pid on every partition.</summary>
    public const int FirstPid = 100;

    /// <summary>
    /// Bytes in one unit of a memory operation, as the emulator's access-grain setting (default
    /// line, 128): what a copy moves between a load and a store, which only shows when its
    /// source and destination are two mappings of the same frame.
    /// </summary>
    private readonly ulong _unitBytes;

    private readonly List<Dictionary<int, ModelProcess>> _partitions = new();
    private readonly List<int> _nextPid = new();
    private bool _rawLibrary;
    private bool _started;
    private long _pinned;
    private long _unpinned;

    /// <summary>
    /// The last page an access resolved; valid for one call only (see ResolveMemo).
    /// </summary>
    private FrameMemo? _memo;

    private sealed record FrameMemo(
        ModelProcess Process, ulong Page, ModelPage Frame, bool Writable);

    /// <summary>A model of the emulator with its default access grain (akka.hocon).</summary>
    public ReferenceModel() : this(EmulatorSettings.Create(Settings.Defaults).AccessGrain)
    {
    }

    public ReferenceModel(AccessGrain grain) => _unitBytes = (ulong)grain;

    public PinCounts Pins => new(_pinned, _unpinned);

    public IReadOnlyList<int> Start(
        int partitions, bool rawLibrary, IReadOnlyList<ProcessSpec> processes)
    {
        if (_started)
        {
            throw new InvalidOperationException("a reference model is started once");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partitions, PartitionId.MaxValue + 1);
        _started = true;
        _rawLibrary = rawLibrary;
        for (var i = 0; i < partitions; i++)
        {
            _partitions.Add(new Dictionary<int, ModelProcess>());
            _nextPid.Add(FirstPid);
        }
        var pids = new List<int>();
        foreach (var spec in processes)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(spec.Partition, partitions);
            var process = NewProcess(spec.Partition, spec.Uid, spec.Gid);
            if (rawLibrary)
            {
                // Raw: a declared process starts as if it had opened the device itself.
                OpenDevice(process);
            }
            pids.Add(process.Pid);
        }
        return pids;
    }

    public Outcome Apply(int partition, int pid, Call call)
    {
        var process = FindProcess(partition, pid)
            ?? throw new ArgumentException($"no process {pid} on partition {partition}");
        if (!process.Alive)
        {
            return Outcome.Dead();
        }
        if (!_rawLibrary && IsLibraryCall(call) && !process.DeviceOpen)
        {
            OpenDevice(process);
        }
        _memo = null;
        var outcome = Dispatch(process, call);
        if (outcome.Kind == OutcomeKind.Signalled)
        {
            Die(process);
        }
        CheckInvariants();
        return outcome;
    }

    public void Dispose()
    {
    }

    /// <summary>Pages pinned right now, machine-wide.</summary>
    public long PinnedNow() => AllAttachments().Sum(att => (long)att.Mapped.Count);

    /// <summary>
    /// Pages of processes on <paramref name="partition"/> pinned right now by attachers anywhere.
    /// </summary>
    public long PinnedNow(int partition) =>
        AllAttachments().Where(att => att.Permit.Segment.Owner.Process.Partition == partition)
            .Sum(att => (long)att.Mapped.Count);

    /// <summary>
    /// Pages of process <paramref name="pid"/> pinned right now by attachers (its
    /// /proc/xpmem/&lt;tgid&gt;).
    /// </summary>
    public long PinnedNow(int partition, int pid) =>
        AllAttachments()
            .Where(att => att.Permit.Segment.Owner.Process == FindProcess(partition, pid))
            .Sum(att => (long)att.Mapped.Count);

    /// <summary>
    /// Pages process <paramref name="pid"/> has mapped through its own attachments right now.
    /// </summary>
    public long MappedNow(int partition, int pid) =>
        AllAttachments().Where(att => att.Attacher == FindProcess(partition, pid))
            .Sum(att => (long)att.Mapped.Count);

    public bool IsAlive(int partition, int pid) => FindProcess(partition, pid)?.Alive ?? false;

    public bool HasThreadGroup(int partition, int pid) =>
        FindProcess(partition, pid)?.ThreadGroup is not null;

    /// <summary>A process's mappings, lowest first, for tests and for the call generator.</summary>
    public IReadOnlyList<ModelMapping> Mappings(int partition, int pid) =>
        FindProcess(partition, pid)?.Memory.Vmas
            .Select(vma =>
                new ModelMapping(vma.Start, vma.End - vma.Start, vma.Attachment is not null))
            .ToList() ?? [];

    /// <summary>
    /// After every call: every pin is held by a page of an attachment VMA (so the counters
    /// balance exactly when nothing is mapped), and every attachment VMA belongs to a live
    /// permit of its process's current thread group. Cheap: it walks VMAs, not permits.
    /// </summary>
    private void CheckInvariants()
    {
        long mapped = 0;
        foreach (var process in _partitions.SelectMany(p => p.Values))
        {
            var attachments = process.Memory.Vmas
                .Select(vma => vma.Attachment).OfType<ModelAttachment>().Distinct();
            foreach (var attachment in attachments)
            {
                ModelInvariant.Holds(attachment.Permit.Attachments.Contains(attachment)
                    && attachment.Permit.Holder == process.ThreadGroup
                    && process.ThreadGroup.Permits.ContainsKey(attachment.Permit.ApId),
                    $"{process} maps an attachment of a dead permit");
                mapped += attachment.Mapped.Count;
            }
        }
        ModelInvariant.Holds(mapped == _pinned - _unpinned,
            $"{mapped} pages mapped but counters say {_pinned} - {_unpinned}");
    }

    private Outcome Dispatch(ModelProcess process, Call call) => call switch
    {
        MmapCall c => HandleMmap(process, c),
        MunmapCall c => HandleMunmap(process, c),
        MakeCall c => WithLibraryRetry(process, () => HandleMake(process, c)),
        RemoveCall c => HandleRemove(process, c),
        GetCall c => WithLibraryRetry(process, () => HandleGet(process, c)),
        ReleaseCall c => HandleRelease(process, c),
        AttachCall c => HandleAttach(process, c),
        DetachCall c => HandleDetach(process, c),
        VersionCall => Outcome.Ok(Xpmem.Version),
        OpenCall => HandleOpen(process),
        CloseCall => HandleClose(process),
        ReadCall c => HandleRead(process, c),
        WriteCall c => HandleWrite(process, c),
        FillCall c => HandleFill(process, c),
        CheckCall c => HandleCheck(process, c),
        Add32Call c => HandleAdd32(process, c),
        Sum32Call c => HandleSum32(process, c),
        Atomic32Call c => HandleAtomic(process, c),
        CopyCall c => HandleCopy(process, c),
        ForkCall => HandleFork(process),
        ExitCall or KillCall => HandleEnd(process),
        _ => throw new ArgumentException($"the reference model does not know {call}"),
    };

    /// <summary>The calls libxpmem wraps, each of which opens the device first if needed.</summary>
    private static bool IsLibraryCall(Call call) => call is MakeCall or RemoveCall or GetCall
        or ReleaseCall or AttachCall or DetachCall or VersionCall or OpenCall or CloseCall;

    /// <summary>
    /// libxpmem's answer to NOPROC from make or get (a fork child with the parent's fd but no
    /// thread group of its own): open the device again, which creates one, and retry once.
    /// </summary>
    private Outcome WithLibraryRetry(ModelProcess process, Func<Outcome> call)
    {
        var outcome = call();
        if (_rawLibrary || outcome.Errno != Errno.NOPROC)
        {
            return outcome;
        }
        OpenDevice(process);
        return call();
    }

    /// <summary>
    /// open("/dev/xpmem") makes the caller's thread group if it has none, even with an fd
    /// inherited from its parent (xpmem_open keys the tg by the caller's tgid).
    /// </summary>
    private Outcome HandleOpen(ModelProcess process)
    {
        OpenDevice(process);
        return Outcome.Ok();
    }

    /// <summary>Close means a full teardown (spec 3.6, "recommended emulator semantics").</summary>
    private Outcome HandleClose(ModelProcess process)
    {
        TearDown(process);
        process.DeviceOpen = false;
        return Outcome.Ok();
    }

    private Outcome HandleFork(ModelProcess parent)
    {
        var child = NewProcess(parent.Partition, parent.Uid, parent.Gid);
        // Raw: a child has neither fd nor thread group until it opens; with the library it
        // inherits the fd (but never the thread group, which is keyed by its own tgid).
        child.DeviceOpen = !_rawLibrary && parent.DeviceOpen;
        child.Memory = parent.Memory.ForkCopy();
        return Outcome.Ok((ulong)child.Pid);
    }

    private Outcome HandleEnd(ModelProcess process)
    {
        Die(process);
        return Outcome.Ok();
    }

    /// <summary>
    /// Exit, kill or a fatal signal: the kernel's teardown, then the memory goes.
    /// </summary>
    private void Die(ModelProcess process)
    {
        TearDown(process);
        process.Memory.Clear();
        process.Alive = false;
    }

    /// <summary>
    /// xpmem_teardown (spec 3.6): the thread group vanishes from lookups, releases its permits
    /// (its attachments go), then removes its segments (other attachers lose their pages).
    /// </summary>
    private void TearDown(ModelProcess process)
    {
        var group = process.ThreadGroup;
        if (group is null)
        {
            return;
        }
        group.TornDown = true;
        process.ThreadGroup = null;
        foreach (var permit in group.Permits.Values.ToList())
        {
            ReleasePermit(permit);
        }
        foreach (var segment in group.Segments.Values.ToList())
        {
            RemoveSegment(segment);
        }
        var empty = group.Permits.Count == 0 && group.Segments.Count == 0;
        ModelInvariant.Holds(empty, "teardown left objects");
    }

    private void OpenDevice(ModelProcess process)
    {
        process.DeviceOpen = true;
        process.ThreadGroup ??= new ModelThreadGroup(process);
    }

    private ModelProcess NewProcess(int partition, int uid, int gid)
    {
        var pid = _nextPid[partition]++;
        var process = new ModelProcess(partition, pid, uid, gid);
        _partitions[partition].Add(pid, process);
        return process;
    }

    private ModelProcess? FindProcess(int partition, int pid) =>
        partition >= 0 && partition < _partitions.Count
            ? _partitions[partition].GetValueOrDefault(pid)
            : null;

    private IEnumerable<ModelAttachment> AllAttachments() =>
        _partitions.SelectMany(p => p.Values)
            .Select(process => process.ThreadGroup)
            .OfType<ModelThreadGroup>()
            .SelectMany(group => group.Permits.Values)
            .SelectMany(permit => permit.Attachments);
}

/// <summary>One mapping of a process as tests see it.</summary>
public readonly record struct ModelMapping(ulong Address, ulong SizeBytes, bool IsAttachment);
