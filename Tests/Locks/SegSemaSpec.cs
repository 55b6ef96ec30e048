// Proves a segment's seg->sema as lock state: a fault's read is held from its pin to its end; a
// writer holds at once when no reader does (or when told not to wait), else waits and holds once
// granted; a request parked behind the writer waits once, however often it is parked again, and
// its wait ends when it is served (a fault going on to its lookup, a parked writer taking the
// sema); and the kernel's order between mm, seg->sema and att->mutex (KernelLockOrder) as a rule.
using Emulator.Partitions;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Locks;
using Emulator.Protocol.Ids;
using Xunit;

namespace Emulator.Tests.Locks;

public sealed class SegSemaSpec
{
    private static readonly TgId Owner = new(new PartitionId(0), 100);
    private static readonly TgId Attacher = new(new PartitionId(1), 100);
    private static readonly LockId Sema = SemaOf(100, 1);

    private static LockId SemaOf(int owner, int uniq) =>
        LockId.Sema(new SegId(XpmemId.Compose(new PartitionId(0), owner, uniq)));

    private readonly List<MachineEvent> _events = [];

    private SegSema NewSema() => new(Sema, _events.Add);

    private static LockTask Fault(int call) =>
        new(Attacher, new RequestId(new PartitionId(1), call));

    private static LockTask Munmap(int call) => new(Owner, new RequestId(new PartitionId(0), call));

    [Fact]
    public void SegSema_must_hold_a_read_per_pinned_fault_and_a_write_at_once_when_unread()
    {
        var sema = NewSema();
        sema.Read(Fault(1));
        sema.Read(Fault(2));
        Assert.Equal(2, sema.Readers);
        sema.EndRead(Fault(1));
        sema.EndRead(Fault(2));
        sema.Write(Munmap(3), now: true);
        Assert.True(sema.WriteHeld);
        sema.EndWrite();

        Assert.Equal(
        [
            new LockAcquired(Sema, Fault(1), LockMode.Read),
            new LockAcquired(Sema, Fault(2), LockMode.Read),
            new LockReleased(Sema, Fault(1)),
            new LockReleased(Sema, Fault(2)),
            new LockAcquired(Sema, Munmap(3), LockMode.Write),
            new LockReleased(Sema, Munmap(3)),
        ], _events);
        Assert.False(sema.WriteHeld);
    }

    [Fact]
    public void SegSema_must_make_a_writer_wait_for_its_readers_and_park_new_faults_once()
    {
        var sema = NewSema();
        sema.Read(Fault(1));
        sema.Write(Munmap(2), now: false);
        Assert.False(sema.WriteHeld);
        sema.Park(Fault(3), LockMode.Read);
        sema.EndRead(Fault(1));
        sema.Granted();
        Assert.True(sema.WriteHeld);
        sema.EndWrite();
        // Unstashed behind a second writer, the fault is parked again: still the one wait.
        sema.Write(Munmap(4), now: true);
        sema.Park(Fault(3), LockMode.Read);
        sema.EndWrite();
        sema.Unpark(Fault(3));
        sema.Unpark(Fault(3));

        Assert.Equal(
        [
            new LockAcquired(Sema, Fault(1), LockMode.Read),
            new LockWaiting(Sema, Munmap(2), LockMode.Write),
            new LockWaiting(Sema, Fault(3), LockMode.Read),
            new LockReleased(Sema, Fault(1)),
            new LockAcquired(Sema, Munmap(2), LockMode.Write),
            new LockReleased(Sema, Munmap(2)),
            new LockAcquired(Sema, Munmap(4), LockMode.Write),
            new LockReleased(Sema, Munmap(4)),
            new LockReleased(Sema, Fault(3)),
        ], _events);
        Assert.Equal(0, sema.Parked);
    }

    [Fact]
    public void SegSema_must_let_a_parked_writer_keep_its_one_wait_until_it_holds()
    {
        var sema = NewSema();
        sema.Write(Munmap(1), now: true);
        sema.Park(Munmap(2), LockMode.Write);
        sema.Read(Fault(3));                   // a lookup begun before the recall got its pin
        sema.EndWrite();
        sema.Write(Munmap(2), now: false);     // unstashed: waits for the reader, no new event
        sema.EndRead(Fault(3));
        sema.Granted();

        Assert.Equal(
        [
            new LockAcquired(Sema, Munmap(1), LockMode.Write),
            new LockWaiting(Sema, Munmap(2), LockMode.Write),
            new LockAcquired(Sema, Fault(3), LockMode.Read),
            new LockReleased(Sema, Munmap(1)),
            new LockReleased(Sema, Fault(3)),
            new LockAcquired(Sema, Munmap(2), LockMode.Write),
        ], _events);
    }

    [Fact]
    public void SegSema_must_refuse_a_read_ended_that_was_never_held_and_two_writers()
    {
        var sema = NewSema();
        Assert.Throws<InvariantException>(() => sema.EndRead(Fault(1)));
        sema.Write(Munmap(2), now: true);
        Assert.Throws<InvariantException>(() => sema.Write(Munmap(3), now: true));
    }

    [Fact]
    public void KernelLockOrder_must_allow_the_fault_path_and_name_each_inversion()
    {
        var mmA = LockId.Mm(Attacher);
        var mmOwner = LockId.Mm(Owner);
        var att = LockId.Att(Attacher, 1);
        var otherSema = SemaOf(101, 1);

        // Own mm, seg->sema, the owner's mm, att->mutex (xpmem-spec 3.1 rule 2).
        Assert.Null(KernelLockOrder.Breach(mmA, Sema));
        Assert.Null(KernelLockOrder.Breach(Sema, mmOwner));
        Assert.Null(KernelLockOrder.Breach(mmOwner, att));
        Assert.Null(KernelLockOrder.Breach(Sema, att));
        Assert.Null(KernelLockOrder.Breach(mmA, att));
        // A munmap holds its mm for write and recalls its segments (several at once).
        Assert.Null(KernelLockOrder.Breach(mmOwner, Sema));
        Assert.Null(KernelLockOrder.Breach(Sema, SemaOf(100, 2)));

        Assert.Contains("innermost", KernelLockOrder.Breach(att, mmA));
        Assert.Contains("innermost", KernelLockOrder.Breach(att, Sema));
        Assert.Contains("innermost", KernelLockOrder.Breach(att, LockId.Att(Attacher, 2)));
        Assert.Contains("only the segment owner's mm", KernelLockOrder.Breach(Sema, mmA));
        Assert.Contains("their owner's recall", KernelLockOrder.Breach(Sema, otherSema));
        Assert.Contains("lower-ranked mm first", KernelLockOrder.Breach(mmA, mmOwner));
        Assert.Null(KernelLockOrder.Breach(mmOwner, mmA));
    }
}
