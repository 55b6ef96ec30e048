// Proves the deadlock checker's holder slots: a hold is set, updated in place and removed as in
// a dictionary, and the holders come out in the very order a dictionary gives them after any
// mix of sets and removals (a freed slot taken again first, the last freed first), since the
// cycle a deadlock breach names follows that order; a hold counts at least once.
using Emulator.Partitions.Checks;
using Emulator.Partitions.Locks;
using Emulator.Protocol.Ids;
using Xunit;

namespace Emulator.Tests.Checks;

public sealed class LockHoldersSpec
{
    private static LockTask Task(int n) =>
        new(new TgId(new PartitionId(n % 3), 100 + n), new RequestId(new PartitionId(0), n));

    [Fact]
    public void LockHolders_must_set_update_and_remove_holds()
    {
        var holders = new LockHolders();
        holders[Task(1)] = (LockMode.Read, 1);
        holders[Task(2)] = (LockMode.Write, 1);
        holders[Task(1)] = (LockMode.Read, 2);
        Assert.Equal(2, holders.Count);
        Assert.Equal((LockMode.Read, 2), holders.GetValueOrDefault(Task(1)));
        Assert.True(holders.Remove(Task(1)));
        Assert.False(holders.Remove(Task(1)));
        Assert.False(holders.ContainsKey(Task(1)));
        Assert.False(holders.TryGetValue(Task(1), out _));
        Assert.Equal(default, holders.GetValueOrDefault(Task(3)));
        Assert.Equal([Task(2)], holders.Select(h => h.Key));
        Assert.Throws<ArgumentOutOfRangeException>(() => holders[Task(4)] = (LockMode.Read, 0));
    }

    [Fact]
    public void LockHolders_must_take_and_release_a_hold_as_a_count()
    {
        var holders = new LockHolders();
        holders.Take(Task(1), LockMode.Read);
        holders.Take(Task(1), LockMode.Read);
        holders.Take(Task(2), LockMode.Write);
        Assert.Equal((LockMode.Read, 2), holders.GetValueOrDefault(Task(1)));
        Assert.True(holders.Release(Task(1)));
        Assert.Equal((LockMode.Read, 1), holders.GetValueOrDefault(Task(1)));
        Assert.True(holders.Release(Task(1)));
        Assert.False(holders.ContainsKey(Task(1)));
        Assert.False(holders.Release(Task(1)));
        // A take again in another mode holds in that mode, counted on.
        holders.Take(Task(2), LockMode.Read);
        Assert.Equal((LockMode.Read, 2), holders.GetValueOrDefault(Task(2)));
        Assert.Equal(1, holders.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void LockHolders_must_enumerate_in_a_dictionary_s_order(int seed)
    {
        var random = new Random(seed);
        var holders = new LockHolders();
        var dictionary = new Dictionary<LockTask, (LockMode Mode, int Count)>();
        for (var step = 0; step < 2000; step++)
        {
            var task = Task(random.Next(12));
            var mode = random.Next(2) == 0 ? LockMode.Read : LockMode.Write;
            var action = random.Next(5);
            if (action == 0)
            {
                Assert.Equal(dictionary.Remove(task), holders.Remove(task));
            }
            else if (action == 1)
            {
                holders.Take(task, mode);
                dictionary[task] = (mode, dictionary.GetValueOrDefault(task).Count + 1);
            }
            else if (action == 2)
            {
                var held = dictionary.TryGetValue(task, out var hold);
                if (held && hold.Count > 1) dictionary[task] = (hold.Mode, hold.Count - 1);
                else if (held) dictionary.Remove(task);
                Assert.Equal(held, holders.Release(task));
            }
            else
            {
                var hold = (random.Next(2) == 0 ? LockMode.Read : LockMode.Write,
                    random.Next(1, 4));
                dictionary[task] = hold;
                holders[task] = hold;
            }
            Assert.True(dictionary.SequenceEqual(holders),
                $"seed {seed}, step {step}: holders out of the dictionary's order");
            Assert.Equal(dictionary.Count, holders.Count);
        }
    }
}
