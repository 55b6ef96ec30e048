// Proves the lock order checker against the plain form it replaced (one dictionary of every
// hold, scanned on each wait): on random lock events of a few calls over a few mms, semas and
// att->mutexes, with crashes and peers going down and up, both find the same breaches with the
// same words, so the per-call holds changed what it costs, not what it says; and hold slots are
// taken as that dictionary took its entries (the slot freed last first).
using Emulator.Partitions;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Locks;
using Emulator.Protocol.Ids;
using Xunit;

namespace Emulator.Tests.Locks;

public sealed class LockOrderDifferentialSpec
{
    /// <summary>The checker as it was: every hold in one dictionary, scanned per wait.</summary>
    private sealed class Reference
    {
        private readonly Dictionary<(LockTask Task, LockId Lock), int> _held = [];
        private readonly PeerSessions _sessions = new();

        public string? Observe(MachineEvent e)
        {
            switch (e)
            {
                case LockWaiting waiting when _sessions.Owns(waiting.Task, waiting.Lock):
                    return Judge(waiting.Task, waiting.Lock, "waits for");
                case LockAcquired acquired when _sessions.Owns(acquired.Task, acquired.Lock):
                    var breach = acquired.Lock.Kind == LockKind.AttMutex
                        ? Judge(acquired.Task, acquired.Lock, "takes") : null;
                    var key = (acquired.Task, acquired.Lock);
                    _held[key] = _held.GetValueOrDefault(key) + 1;
                    return breach;
                case LockReleased released:
                    var hold = (released.Task, released.Lock);
                    if (!_held.TryGetValue(hold, out var count)) break;
                    if (count > 1) _held[hold] = count - 1;
                    else _held.Remove(hold);
                    break;
                case PartitionCrashed crashed:
                    foreach (var gone in _held.Keys
                        .Where(k => k.Lock.Process.Partition == crashed.Partition).ToList())
                        _held.Remove(gone);
                    break;
                case PeerStateChanged changed:
                    if (_sessions.Observe(changed) is not { } ended) break;
                    foreach (var gone in _held.Keys
                        .Where(k => PeerSessions.Severs(ended, k.Task, k.Lock)).ToList())
                        _held.Remove(gone);
                    break;
            }
            return null;
        }

        private string? Judge(LockTask task, LockId wanted, string verb)
        {
            foreach (var ((holder, held), _) in _held)
            {
                if (holder != task || KernelLockOrder.Breach(held, wanted) is not { } why)
                    continue;
                return $"lock order: {task} {verb} {wanted} while holding {held}, " + why;
            }
            return null;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void LockOrderChecker_must_say_what_the_one_dictionary_of_holds_said(int seed)
    {
        var random = new Random(seed);
        var processes = Enumerable.Range(0, 4)
            .Select(i => new TgId(new PartitionId(i % 2), 100 + i)).ToArray();
        var locks = processes.SelectMany(p => new[]
        {
            LockId.Mm(p), LockId.Sema(new SegId(XpmemId.Compose(p.Partition, p.Pid, 1))),
            LockId.Att(p, 1), LockId.Att(p, 2),
        }).ToArray();
        var tasks = Enumerable.Range(0, 6).Select(i =>
            new LockTask(processes[i % processes.Length],
                new RequestId(new PartitionId(0), i))).ToArray();
        var checker = new LockOrderChecker();
        var reference = new Reference();
        var breaches = 0;
        for (var step = 0; step < 5000; step++)
        {
            var task = tasks[random.Next(tasks.Length)];
            var lockId = locks[random.Next(locks.Length)];
            var mode = random.Next(2) == 0 ? LockMode.Read : LockMode.Write;
            MachineEvent e = random.Next(100) switch
            {
                < 35 => new LockAcquired(lockId, task, mode),
                < 75 => new LockReleased(lockId, task),
                < 97 => new LockWaiting(lockId, task, mode),
                < 98 => new PartitionCrashed(new PartitionId(random.Next(2))),
                _ => new PeerStateChanged(new PartitionId(random.Next(2)),
                    new PartitionId(random.Next(2)),
                    random.Next(2) == 0 ? PeerState.Up : PeerState.GoingDown),
            };
            var expected = reference.Observe(e);
            var actual = checker.Observe(e)?.What;
            Assert.True(expected == actual,
                $"seed {seed}, step {step}, {e}: expected {expected ?? "none"}, "
                + $"got {actual ?? "none"}");
            if (expected is not null) breaches++;
        }
        Assert.True(breaches > 10, $"seed {seed}: only {breaches} breaches compared");
    }

    [Fact]
    public void HoldSlots_must_take_the_slot_freed_last_first()
    {
        var slots = new HoldSlots();
        Assert.Equal([0, 1, 2], new[] { slots.Take(), slots.Take(), slots.Take() });
        slots.Free(0);
        slots.Free(2);
        Assert.Equal([2, 0, 3], new[] { slots.Take(), slots.Take(), slots.Take() });
    }
}
