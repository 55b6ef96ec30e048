// Proves the lock ids' own equality and hash, which the deadlock and lock order checkers key
// their tables by: two ids are equal exactly when every field is, equal ids hash alike, and ids
// that differ in one field at its limits (the largest partition, the lowest and highest pids and
// objects, every kind) stay apart, so no two locks or tasks share a table entry.
using Emulator.Partitions.Locks;
using Emulator.Protocol.Ids;
using Xunit;

namespace Emulator.Tests.Locks;

public sealed class LockIdSpec
{
    private static readonly PartitionId[] Partitions =
        [new(0), new(1), new(PartitionId.MaxValue)];

    private static readonly int[] Pids = [int.MinValue, -1, 0, 1, int.MaxValue];

    private static readonly long[] Numbers = [long.MinValue, -1, 0, 1, long.MaxValue];

    [Fact]
    public void LockId_must_be_equal_exactly_when_every_field_is()
    {
        List<LockId> ids = [];
        foreach (var kind in Enum.GetValues<LockKind>())
        {
            foreach (var partition in Partitions)
            {
                foreach (var pid in Pids)
                {
                    foreach (var number in Numbers)
                        ids.Add(new LockId(kind, new TgId(partition, pid), number));
                }
            }
        }
        AssertApartAndAlike(ids);
    }

    [Fact]
    public void LockTask_must_be_equal_exactly_when_every_field_is()
    {
        List<LockTask> tasks = [];
        foreach (var partition in Partitions)
        {
            foreach (var pid in Pids)
            {
                foreach (var origin in Partitions)
                {
                    foreach (var number in Numbers)
                    {
                        tasks.Add(new LockTask(new TgId(partition, pid),
                            new RequestId(origin, number)));
                    }
                }
            }
        }
        AssertApartAndAlike(tasks);
    }

    private static void AssertApartAndAlike<T>(List<T> items) where T : struct, IEquatable<T>
    {
        Assert.Equal(items.Count, new HashSet<T>(items).Count);
        foreach (var item in items)
        {
            // A copy made field by field (a record's with) is the same key.
            var copy = item with { };
            Assert.True(item.Equals(copy));
            Assert.Equal(item.GetHashCode(), copy.GetHashCode());
            Assert.Equal(1, items.Count(other => other.Equals(item)));
        }
    }
}
