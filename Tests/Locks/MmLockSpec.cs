// Proves the mmap_lock as state: a read runs at once or parks, a write holds until released,
// a waiting writer makes later readers wait (writer preference), a release drains parked work in
// arrival order until a parked writer takes the lock, and work that takes and releases the lock
// inside a drain is looped over, never recursed into (100,000 of them run on one small stack).
// Each test records the order work runs in and compares it with the order the doc promises.
using Emulator.Partitions;
using Emulator.Partitions.Locks;
using Emulator.Partitions.Checks;
using Emulator.Protocol.Ids;
using Xunit;

namespace Emulator.Tests.Locks;

public sealed class MmLockSpec
{
    private static readonly TgId Process = new(new PartitionId(0), 100);
    private static readonly LockId Mm = LockId.Mm(Process);
    private static readonly LockTask T = Task(1);

    [Fact]
    public void MmLock_must_run_a_read_at_once_when_nobody_holds_or_waits()
    {
        var mm = new MmLock(Mm);
        var ran = new List<string>();
        mm.Read(T, () => ran.Add("r1"));
        mm.Read(T, () => ran.Add("r2"));
        Assert.Equal(["r1", "r2"], ran);
        Assert.False(mm.WriteHeld);
        Assert.Equal(0, mm.Parked);
    }

    [Fact]
    public void MmLock_must_run_a_write_at_once_when_free_and_hold_it_until_released()
    {
        var mm = new MmLock(Mm);
        var ran = new List<string>();
        mm.Write(T, () => ran.Add("w1"));
        Assert.Equal(["w1"], ran);
        Assert.True(mm.WriteHeld);
        mm.ReleaseWrite();
        Assert.False(mm.WriteHeld);
    }

    [Fact]
    public void MmLock_must_park_reads_and_writes_while_a_writer_holds_and_run_them_on_release()
    {
        var mm = new MmLock(Mm);
        var ran = new List<string>();
        mm.Write(T, () => ran.Add("w1"));
        mm.Read(T, () => ran.Add("r1"));
        mm.Read(T, () => ran.Add("r2"));
        Assert.Equal(["w1"], ran);
        Assert.Equal(2, mm.Parked);
        mm.ReleaseWrite();
        Assert.Equal(["w1", "r1", "r2"], ran);
        Assert.Equal(0, mm.Parked);
        Assert.False(mm.WriteHeld);
    }

    [Fact]
    public void MmLock_must_drain_in_arrival_order_until_a_parked_writer_takes_the_lock()
    {
        var mm = new MmLock(Mm);
        var ran = new List<string>();
        mm.Write(T, () => ran.Add("w1"));
        mm.Read(T, () => ran.Add("r1"));
        mm.Write(T, () => ran.Add("w2"));
        mm.Read(T, () => ran.Add("r2"));
        mm.Write(T, () => ran.Add("w3"));
        mm.ReleaseWrite();
        Assert.Equal(["w1", "r1", "w2"], ran);
        Assert.True(mm.WriteHeld);
        Assert.Equal(2, mm.Parked);
        mm.ReleaseWrite();
        Assert.Equal(["w1", "r1", "w2", "r2", "w3"], ran);
        Assert.True(mm.WriteHeld);
        Assert.Equal(0, mm.Parked);
        mm.ReleaseWrite();
        Assert.False(mm.WriteHeld);
    }

    [Fact]
    public void MmLock_must_park_a_reader_that_comes_after_a_waiting_writer()
    {
        // r1 runs in the drain while w2 still waits: a read it starts then must queue behind w2
        // (writer preference), not run at once although nobody holds the lock at that moment.
        var mm = new MmLock(Mm);
        var ran = new List<string>();
        mm.Write(T, () => ran.Add("w1"));
        mm.Read(T, () =>
        {
            ran.Add("r1");
            Assert.False(mm.WriteHeld);
            mm.Read(T, () => ran.Add("late reader"));
            ran.Add("r1 done");
        });
        mm.Write(T, () => ran.Add("w2"));
        mm.ReleaseWrite();
        Assert.Equal(["w1", "r1", "r1 done", "w2"], ran);
        Assert.Equal(1, mm.Parked);
        mm.ReleaseWrite();
        Assert.Equal(["w1", "r1", "r1 done", "w2", "late reader"], ran);
        Assert.False(mm.WriteHeld);
    }

    [Fact]
    public void MmLock_must_let_a_writer_that_releases_at_once_go_on_with_the_drain()
    {
        var mm = new MmLock(Mm);
        var ran = new List<string>();
        mm.Write(T, () => ran.Add("w1"));
        mm.Write(T, () =>
        {
            ran.Add("w2");
            Assert.True(mm.WriteHeld);
            mm.ReleaseWrite();
            // The drain must not have run r1 inside this release (no recursion).
            ran.Add("w2 released");
        });
        mm.Read(T, () => ran.Add("r1"));
        mm.ReleaseWrite();
        Assert.Equal(["w1", "w2", "w2 released", "r1"], ran);
        Assert.False(mm.WriteHeld);
        Assert.Equal(0, mm.Parked);
    }

    [Fact]
    public void MmLock_must_resume_the_drain_when_a_writer_taken_in_it_releases_later()
    {
        var mm = new MmLock(Mm);
        var ran = new List<string>();
        mm.Write(T, () => ran.Add("w1"));
        mm.Write(T, () => ran.Add("w2 (releases later)"));
        mm.Read(T, () => ran.Add("r1"));
        mm.Read(T, () => ran.Add("r2"));
        mm.ReleaseWrite();
        Assert.Equal(2, mm.Parked);
        mm.Read(T, () => ran.Add("r3"));
        Assert.Equal(["w1", "w2 (releases later)"], ran);
        mm.ReleaseWrite();
        Assert.Equal(["w1", "w2 (releases later)", "r1", "r2", "r3"], ran);
    }

    [Fact]
    public void MmLock_must_drain_100000_parked_synchronous_writers_without_recursing()
    {
        // On a 256 KiB stack a drain that recursed once per writer would overflow long before
        // 100,000; a loop runs them all at constant depth.
        const int writers = 100_000;
        var mm = new MmLock(Mm);
        var order = new List<int>(writers + 1);
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                mm.Write(T, () => { });
                for (var i = 0; i < writers; i++)
                {
                    var n = i;
                    if (n % 3 == 0) mm.Read(T, () => order.Add(n));
                    else
                    {
                        mm.Write(T, () =>
                        {
                            order.Add(n);
                            mm.ReleaseWrite();
                        });
                    }
                }
                mm.ReleaseWrite();
            }
            catch (Exception e)
            {
                failure = e;
            }
        }, maxStackSize: 256 * 1024);
        thread.Start();
        thread.Join();
        Assert.Null(failure);
        Assert.Equal(Enumerable.Range(0, writers), order);
        Assert.False(mm.WriteHeld);
        Assert.Equal(0, mm.Parked);
    }

    [Fact]
    public void MmLock_must_refuse_a_release_when_no_write_is_held()
    {
        var mm = new MmLock(Mm);
        Assert.Throws<InvariantException>(mm.ReleaseWrite);
        mm.Write(T, () => { });
        mm.ReleaseWrite();
        Assert.Throws<InvariantException>(mm.ReleaseWrite);
    }

    [Fact]
    public void MmLock_must_refuse_a_release_by_a_reader_run_in_a_drain()
    {
        var mm = new MmLock(Mm);
        Exception? thrown = null;
        mm.Write(T, () => { });
        mm.Read(T, () => thrown = Record.Exception(mm.ReleaseWrite));
        mm.ReleaseWrite();
        Assert.IsType<InvariantException>(thrown);
    }

    [Fact]
    public void MmLock_must_keep_writers_exclusive_queue_fairly_and_never_strand_work()
    {
        // Random histories of reads, writes released at once, writes released later from outside,
        // and work that submits more work: a reader never runs under a writer, writers never
        // overlap, work submitted while the lock is held or anything waits is parked (no
        // barging), parked work starts in the order it was parked, and whenever no writer holds
        // the lock nothing is left parked.
        var random = new Random(3);
        for (var history = 0; history < 300; history++)
        {
            var mm = new MmLock(Mm);
            var started = new List<int>();
            var parked = new List<int>();
            int? holder = null;
            var holderReleasesLater = false;
            var next = 0;

            void Submit(int depth)
            {
                var id = next++;
                var kind = random.Next(3); // 0 read, 1 write released at once, 2 released later
                var nested = depth < 3 && random.Next(3) == 0;
                var mustPark = mm.WriteHeld || mm.Parked > 0;
                var ran = false;
                void Work()
                {
                    ran = true;
                    started.Add(id);
                    Assert.Null(holder);
                    Assert.Equal(kind != 0, mm.WriteHeld);
                    if (kind != 0)
                    {
                        holder = id;
                        holderReleasesLater = kind == 2;
                    }
                    if (nested) Submit(depth + 1);
                    if (kind != 1) return;
                    holder = null;
                    mm.ReleaseWrite();
                }
                if (kind == 0) mm.Read(T, Work);
                else mm.Write(T, Work);
                if (mustPark) Assert.False(ran, $"history {history}: work {id} barged in");
                if (!ran) parked.Add(id);
            }

            for (var step = 0; step < 60 || holder is not null; step++)
            {
                if (step < 60 && (holder is null || random.Next(5) < 3)) Submit(0);
                else if (holder is not null && holderReleasesLater)
                {
                    holder = null;
                    mm.ReleaseWrite();
                }
                if (!mm.WriteHeld) Assert.Equal(0, mm.Parked);
            }
            Assert.False(mm.WriteHeld);
            Assert.Equal(Enumerable.Range(0, next), started.Order());
            Assert.Equal(parked, started.Where(parked.Contains));
        }
    }

    private static LockTask Task(int call) => new(Process, new RequestId(new PartitionId(0), call));

    [Fact]
    public void MmLock_must_keep_a_held_read_across_calls_and_make_a_writer_wait_for_it()
    {
        var events = new List<MachineEvent>();
        var mm = new MmLock(Mm, events.Add);
        var ran = new List<string>();
        mm.AcquireRead(Task(1), () => ran.Add("fault"));
        mm.Write(Task(2), () => ran.Add("mmap"));
        mm.Read(Task(3), () => ran.Add("load"));
        Assert.Equal(["fault"], ran);
        Assert.Equal(1, mm.Readers);
        Assert.Equal(2, mm.Parked);
        mm.ReleaseRead(Task(1));
        Assert.Equal(["fault", "mmap"], ran);
        mm.ReleaseWrite();
        Assert.Equal(["fault", "mmap", "load"], ran);
        Assert.Equal(
        [
            new LockAcquired(Mm, Task(1), LockMode.Read),
            new LockWaiting(Mm, Task(2), LockMode.Write),
            new LockWaiting(Mm, Task(3), LockMode.Read),
            new LockReleased(Mm, Task(1)),
            new LockAcquired(Mm, Task(2), LockMode.Write),
            new LockReleased(Mm, Task(2)),
            new LockReleased(Mm, Task(3)),
        ], events);
    }

    [Fact]
    public void MmLock_must_refuse_a_trylock_while_a_writer_holds_or_waits()
    {
        var mm = new MmLock(Mm);
        Assert.True(mm.TryAcquireRead(Task(1)));
        mm.Write(Task(2), () => { });
        Assert.False(mm.TryAcquireRead(Task(3)));   // a writer waits: writer preference
        mm.ReleaseRead(Task(1));
        Assert.True(mm.WriteHeld);
        Assert.False(mm.TryAcquireRead(Task(3)));   // a writer holds
        mm.ReleaseWrite();
        Assert.True(mm.TryAcquireRead(Task(3)));
        Assert.Equal(1, mm.Readers);
    }

    [Fact]
    public void MmLock_must_queue_a_held_read_behind_a_waiting_writer_and_grant_it_after()
    {
        var mm = new MmLock(Mm);
        var ran = new List<string>();
        mm.AcquireRead(Task(1), () => ran.Add("r1"));
        mm.Write(Task(2), () => ran.Add("w2"));
        mm.AcquireRead(Task(3), () => ran.Add("r3"));
        mm.ReleaseRead(Task(1));
        Assert.Equal(["r1", "w2"], ran);
        mm.ReleaseWrite();
        Assert.Equal(["r1", "w2", "r3"], ran);
        Assert.Equal(1, mm.Readers);
        Assert.False(mm.WriteHeld);
    }

    [Fact]
    public void MmLock_must_let_passing_work_keep_its_read_so_a_writer_behind_it_waits()
    {
        var mm = new MmLock(Mm);
        var ran = new List<string>();
        mm.Write(Task(1), () => ran.Add("w1"));
        mm.Read(Task(2), () =>
        {
            ran.Add("r2");
            mm.HoldRead(Task(2));                   // a fault starts in this access
        });
        mm.Write(Task(3), () => ran.Add("w3"));
        mm.ReleaseWrite();
        Assert.Equal(["w1", "r2"], ran);
        Assert.Equal(1, mm.Readers);
        mm.ReleaseRead(Task(2));
        Assert.Equal(["w1", "r2", "w3"], ran);
    }

    [Fact]
    public void MmLock_must_refuse_a_release_of_a_read_the_task_does_not_hold()
    {
        var mm = new MmLock(Mm);
        mm.AcquireRead(Task(1), () => { });
        Assert.Throws<InvariantException>(() => mm.ReleaseRead(Task(2)));
    }
}
