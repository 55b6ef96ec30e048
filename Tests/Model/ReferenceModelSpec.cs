using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Processes;
using Xunit;

namespace Emulator.Tests.Model;

// What this proves: that the reference model says what the XPMEM spec (sections 1-3 and the
// fifteen rules of section 8) and the emulator's policies say, call by call, so that it can
// be trusted as the oracle of the model-based test. How: each test drives a fresh model
// through the public IXpmemSystem seam, the way a scenario would, and checks exact outcomes;
// the pin counters and the model's own invariants (which throw) are checked along the way.
// This file: the test kit, process life (open, close, fork, exit), ids. The other parts:
// ReferenceModelSpec.Calls.cs (every errno path of section 2, in order) and
// ReferenceModelSpec.Memory.cs (faults, invalidation, copy-on-write, pins, the access calls).
public sealed partial class ReferenceModelSpec
{
    private const ulong Page = Xpmem.PageSize;
    private const ulong RdOnly = Xpmem.RdOnly;
    private const ulong RdWr = Xpmem.RdWr;
    private const ulong Base = ModelAddressSpace.ChosenBase;

    [Fact]
    public void ReferenceModel_must_number_pids_per_partition_from_100_in_declaration_order()
    {
        using var model = new ReferenceModel();
        var pids = model.Start(2, rawLibrary: false,
        [
            new ProcessSpec(0, 1000, 1000), new ProcessSpec(1, 1000, 1000),
            new ProcessSpec(0, 1000, 1000),
        ]);

        Assert.Equal(new[] { 100, 100, 101 }, pids);
        Assert.Equal(102UL, model.Apply(0, 100, new ForkCall()).ShouldBeOk());
        Assert.Equal(101UL, model.Apply(1, 100, new ForkCall()).ShouldBeOk());
    }

    [Fact]
    public void ReferenceModel_must_create_the_thread_group_on_the_first_library_call_only()
    {
        var (model, p) = Machine(1, raw: false, 1);

        Assert.False(model.HasThreadGroup(0, p[0].Pid));
        p[0].Mmap(Page);
        p[0].Do(new WriteCall(Base, 4, 1)).ShouldBeOk();
        Assert.False(model.HasThreadGroup(0, p[0].Pid));
        Assert.Equal((ulong)Xpmem.Version, p[0].Do(new VersionCall()).ShouldBeOk());
        Assert.True(model.HasThreadGroup(0, p[0].Pid));
    }

    [Fact]
    public void ReferenceModel_must_find_no_thread_group_of_a_process_that_never_called_the_library()
    {
        var (_, p) = Machine(1, raw: false, 2);
        var neverOpened = XpmemId.Compose(new PartitionId(0), p[1].Pid, 1);

        // Without a thread group the owner is not found: ENOENT, not the EACCES of a live owner.
        p[0].Do(new RemoveCall(neverOpened)).ShouldFailWith(Errno.ENOENT);
        p[1].Do(new VersionCall()).ShouldBeOk();
        p[0].Do(new RemoveCall(neverOpened)).ShouldFailWith(Errno.EACCES);
    }

    [Fact]
    public void ReferenceModel_must_answer_NOPROC_to_a_raw_fork_child_until_it_opens()
    {
        var (model, p) = Machine(1, raw: true, 1);
        var segId = p[0].Make(0, Xpmem.MaxAddrSize);
        var child = p[0].Fork();

        Assert.False(model.HasThreadGroup(0, child.Pid));
        child.Do(new MakeCall(0, Page, 1, Mode(600))).ShouldFailWith(Errno.NOPROC);
        child.Do(new GetCall(segId, RdWr, 1)).ShouldFailWith(Errno.NOPROC);
        child.Do(new OpenCall()).ShouldBeOk();
        Assert.True(model.HasThreadGroup(0, child.Pid));
        Assert.Equal(Id(0, child.Pid, 1), child.Make(0, Page));
        Assert.Equal(Id(0, child.Pid, 1), child.Get(segId));
    }

    [Fact]
    public void ReferenceModel_must_reopen_and_retry_once_when_a_library_fork_child_gets_NOPROC()
    {
        var (model, p) = Machine(1, raw: false, 1);
        var segId = p[0].Make(0, Xpmem.MaxAddrSize);
        var child = p[0].Fork();

        // The child inherited the open fd, so the library does not open by itself...
        child.Do(new VersionCall()).ShouldBeOk();
        Assert.False(model.HasThreadGroup(0, child.Pid));
        // ...until make answers NOPROC: then it reopens and the retry succeeds.
        Assert.Equal(Id(0, child.Pid, 1), child.Get(segId));
        Assert.True(model.HasThreadGroup(0, child.Pid));
    }

    [Fact]
    public void ReferenceModel_must_make_a_thread_group_on_an_explicit_open_despite_an_inherited_fd()
    {
        var (model, p) = Machine(1, raw: false, 1);
        var child = p[0].Fork();
        Assert.False(model.HasThreadGroup(0, child.Pid));
        child.Do(new OpenCall()).ShouldBeOk();
        Assert.True(model.HasThreadGroup(0, child.Pid));
    }

    [Fact]
    public void ReferenceModel_must_let_a_child_without_thread_group_see_owner_answers_not_NOPROC()
    {
        var (_, p) = Machine(1, raw: true, 1);
        var segId = p[0].Make(0, Xpmem.MaxAddrSize);
        var apId = p[0].Get(segId);
        var child = p[0].Fork();

        child.Do(new RemoveCall(segId)).ShouldFailWith(Errno.EACCES);
        child.Do(new ReleaseCall(apId)).ShouldFailWith(Errno.EACCES);
        child.Do(new AttachCall(apId, 0, Page, null)).ShouldFailWith(Errno.EACCES);
        child.Do(new RemoveCall(Id(0, child.Pid, 1))).ShouldFailWith(Errno.ENOENT);
        child.Do(new DetachCall(Base)).ShouldBeOk();
    }

    [Fact]
    public void ReferenceModel_must_not_inherit_attachments_across_fork()
    {
        var (_, p) = Machine(1, raw: false, 2);
        var buffer = p[0].Mmap(Page);
        var segId = p[0].Make(buffer, Page);
        var apId = p[1].Get(segId);
        var at = p[1].Attach(apId, 0, Page);
        p[1].Write32(at, 7);

        var child = p[1].Fork();

        Assert.DoesNotContain(child.Mappings(), m => m.IsAttachment);
        child.Do(new ReadCall(at, 4)).ShouldBeSignalled(Signal.SIGSEGV);
        Assert.Equal(7u, p[1].Read32(at));
    }

    [Fact]
    public void ReferenceModel_must_tear_down_on_close_and_reopen_with_fresh_counters()
    {
        var (model, p) = Machine(1, raw: false, 2);
        var buffer = p[0].Mmap(Page);
        var segId = p[0].Make(buffer, Page);
        p[0].Make(buffer, Page);
        var apId = p[1].Get(segId);
        var at = p[1].Attach(apId, 0, Page);
        p[1].Write32(at, 1);

        p[0].Do(new CloseCall()).ShouldBeOk();

        Assert.False(model.HasThreadGroup(0, p[0].Pid));
        p[1].Do(new GetCall(segId, RdWr, 1)).ShouldFailWith(Errno.ENOENT);
        Assert.True(model.Pins.Balanced);
        // The next call opens a new thread group, whose counters start again at 1.
        Assert.Equal(Id(0, p[0].Pid, 1), p[0].Make(buffer, Page));
        p[1].Do(new ReadCall(at, 4)).ShouldBeSignalled(Signal.SIGBUS);
    }

    [Fact]
    public void ReferenceModel_must_leave_a_raw_process_without_thread_group_after_close()
    {
        var (model, p) = Machine(1, raw: true, 1);

        p[0].Do(new CloseCall()).ShouldBeOk();

        Assert.False(model.HasThreadGroup(0, p[0].Pid));
        p[0].Do(new MakeCall(0, Page, 1, Mode(600))).ShouldFailWith(Errno.NOPROC);
        p[0].Do(new OpenCall()).ShouldBeOk();
        Assert.Equal(Id(0, p[0].Pid, 1), p[0].Make(0, Page));
    }

    [Fact]
    public void ReferenceModel_must_answer_Dead_to_every_call_after_exit_or_kill()
    {
        var (_, p) = Machine(1, raw: false, 2);

        p[0].Do(new ExitCall(3)).ShouldBeOk();
        p[1].Do(new KillCall(Signal.SIGTERM)).ShouldBeOk();

        Assert.Equal(OutcomeKind.Dead, p[0].Do(new VersionCall()).Kind);
        Assert.Equal(OutcomeKind.Dead, p[0].Do(new MmapCall(null, Page)).Kind);
        Assert.Equal(OutcomeKind.Dead, p[1].Do(new ForkCall()).Kind);
        Assert.Equal(OutcomeKind.Dead, p[1].Do(new ExitCall(0)).Kind);
    }

    [Fact]
    public void ReferenceModel_must_compose_ids_from_partition_pid_and_separate_uniq_counters()
    {
        var (_, p) = MachineOn(2, raw: false, 0, 1);
        var owner = p[1];

        var first = owner.Make(0, Page);
        var second = owner.Make(0, Page);
        var permit = owner.Get(first);

        Assert.Equal(Id(1, owner.Pid, 1), first);
        Assert.Equal(Id(1, owner.Pid, 2), second);
        Assert.Equal(Id(1, owner.Pid, 1), permit);
        Assert.Equal(Id(0, p[0].Pid, 1), p[0].Make(0, Page));
        Assert.Equal(Id(0, p[0].Pid, 1), p[0].Get(second));
    }

    [Fact]
    public void ReferenceModel_must_refuse_ids_at_or_below_zero_with_EINVAL()
    {
        var (_, p) = Machine(1, raw: false, 1);

        foreach (var id in new[] { 0L, -1L, long.MinValue })
        {
            p[0].Do(new RemoveCall(id)).ShouldFailWith(Errno.EINVAL);
            p[0].Do(new GetCall(id, RdWr, 1)).ShouldFailWith(Errno.EINVAL);
            p[0].Do(new ReleaseCall(id)).ShouldFailWith(Errno.EINVAL);
            p[0].Do(new AttachCall(id, 0, Page, null)).ShouldFailWith(Errno.EINVAL);
        }
    }

    [Fact]
    public void ReferenceModel_must_refuse_an_id_of_a_partition_beyond_the_machine_with_EINVAL()
    {
        var (_, p) = Machine(2, raw: false, 1);
        var beyond = Id(2, p[0].Pid, 1);

        p[0].Do(new RemoveCall(beyond)).ShouldFailWith(Errno.EINVAL);
        p[0].Do(new GetCall(beyond, RdWr, 1)).ShouldFailWith(Errno.EINVAL);
        p[0].Do(new ReleaseCall(beyond)).ShouldFailWith(Errno.EINVAL);
        p[0].Do(new AttachCall(beyond, 0, Page, null)).ShouldFailWith(Errno.EINVAL);
    }

    [Fact]
    public void ReferenceModel_must_answer_ENOENT_for_a_random_positive_id()
    {
        var (_, p) = Machine(1, raw: false, 1);

        p[0].Do(new RemoveCall(12345)).ShouldFailWith(Errno.ENOENT);
        p[0].Do(new GetCall(12345, RdWr, 1)).ShouldFailWith(Errno.ENOENT);
        p[0].Do(new ReleaseCall(12345)).ShouldFailWith(Errno.ENOENT);
        p[0].Do(new AttachCall(12345, 0, Page, null)).ShouldFailWith(Errno.ENOENT);
    }

    [Fact]
    public void ReferenceModel_must_answer_EBUSY_past_the_last_segment_uniq_and_roll_back()
    {
        var (_, p) = Machine(1, raw: false, 1);
        for (var i = 1; i <= XpmemId.MaxUniq; i++)
        {
            p[0].Make(0, Page);
        }

        p[0].Do(new MakeCall(0, Page, 1, Mode(600))).ShouldFailWith(Errno.EBUSY);
        p[0].Do(new MakeCall(0, Page, 1, Mode(600))).ShouldFailWith(Errno.EBUSY);
        Assert.Equal(Id(0, p[0].Pid, 1), p[0].Get(Id(0, p[0].Pid, XpmemId.MaxUniq)));
    }

    [Fact]
    public void ReferenceModel_must_answer_EBUSY_past_the_last_permit_uniq()
    {
        var (_, p) = Machine(1, raw: false, 1);
        var segId = p[0].Make(0, Page);
        for (var i = 1; i <= XpmemId.MaxUniq; i++)
        {
            p[0].Get(segId);
        }

        p[0].Do(new GetCall(segId, RdWr, 1)).ShouldFailWith(Errno.EBUSY);
        Assert.Equal(Id(0, p[0].Pid, 2), p[0].Make(0, Page));
    }

    [Fact]
    public void ReferenceModel_must_answer_version_without_a_thread_group()
    {
        var (_, p) = Machine(1, raw: true, 1);
        var child = p[0].Fork();

        Assert.Equal(0x26005UL, child.Do(new VersionCall()).ShouldBeOk());
    }

    // ---- the kit ----

    /// <summary>Octal as written in C: Mode(600) is 0600.</summary>
    private static ulong Mode(int octalDigits) => Convert.ToUInt64(octalDigits.ToString(), 8);

    private static long Id(int partition, int pid, int uniq) =>
        XpmemId.Compose(new PartitionId(partition), pid, uniq);

    /// <summary>
    /// A started model with <paramref name="processes"/> processes on partition 0, uid and gid
    /// 1000.
    /// </summary>
    private static (ReferenceModel Model, Proc[] Processes) Machine(
        int partitions, bool raw, int processes) =>
        MachineOn(partitions, raw, new int[processes]);

    /// <summary>
    /// A started model with one process per entry of <paramref name="partitionOf"/>, uid and gid
    /// 1000.
    /// </summary>
    private static (ReferenceModel Model, Proc[] Processes) MachineOn(
        int partitions, bool raw, params int[] partitionOf) =>
        Machine(partitions, raw,
            partitionOf.Select(partition => new ProcessSpec(partition, 1000, 1000)).ToArray());

    private static (ReferenceModel Model, Proc[] Processes) Machine(
        int partitions, bool raw, ProcessSpec[] specs)
    {
        var model = new ReferenceModel();
        var pids = model.Start(partitions, raw, specs);
        var processes = specs.Select((spec, i) => new Proc(model, spec.Partition, pids[i]));
        return (model, processes.ToArray());
    }

    /// <summary>One process of the machine under test, with the calls tests make most.</summary>
    private sealed class Proc(ReferenceModel model, int partition, int pid)
    {
        public int Partition { get; } = partition;
        public int Pid { get; } = pid;

        public Outcome Do(Call call) => model.Apply(Partition, Pid, call);

        public ulong Mmap(ulong size, ulong? at = null) => Do(new MmapCall(at, size)).ShouldBeOk();

        public long Make(ulong address, ulong size, ulong mode = 0x180) =>
            (long)Do(new MakeCall(address, size, Xpmem.PermitMode, mode)).ShouldBeOk();

        public long Get(long segId, ulong flags = RdWr) =>
            (long)Do(new GetCall(segId, flags, Xpmem.PermitMode)).ShouldBeOk();

        public ulong Attach(long apId, ulong offset, ulong size, ulong? at = null) =>
            Do(new AttachCall(apId, offset, size, at)).ShouldBeOk();

        public Proc Fork() => new(model, Partition, (int)Do(new ForkCall()).ShouldBeOk());

        public uint Read32(ulong address) => (uint)Do(new ReadCall(address, 4)).ShouldBeOk();

        public void Write32(ulong address, uint value) => Do(new WriteCall(address, 4, value)).ShouldBeOk();

        public IReadOnlyList<ModelMapping> Mappings() => model.Mappings(Partition, Pid);

        public bool Alive => model.IsAlive(Partition, Pid);
    }
}

/// <summary>Assertions on one outcome that say what was expected and what came.</summary>
internal static class OutcomeShould
{
    public static ulong ShouldBeOk(this Outcome outcome)
    {
        Assert.True(outcome.Kind == OutcomeKind.Ok, $"expected ok, got {outcome}");
        return outcome.Value;
    }

    public static void ShouldFailWith(this Outcome outcome, Errno errno) =>
        Assert.True(outcome.Kind == OutcomeKind.Failed && outcome.Errno == errno,
            $"expected {errno}, got {outcome}");

    public static void ShouldBeSignalled(this Outcome outcome, Signal signal) =>
        Assert.True(outcome.Kind == OutcomeKind.Signalled && outcome.Signal == signal,
            $"expected {signal}, got {outcome}");
}
