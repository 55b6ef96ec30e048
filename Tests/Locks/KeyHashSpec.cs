// Proves the checkers' key hash: a thread group packs into one number and back, the partition
// above the pid, at the limits of both (the largest partition, every sign of pid), so two
// thread groups never pack alike; and the hash of a pair is the same every time it is taken.
using Emulator.Partitions.Locks;
using Emulator.Protocol.Ids;
using Xunit;

namespace Emulator.Tests.Locks;

public sealed class KeyHashSpec
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, -1)]
    [InlineData(0, int.MinValue)]
    [InlineData(PartitionId.MaxValue, int.MaxValue)]
    [InlineData(PartitionId.MaxValue, -1)]
    [InlineData(1, 100)]
    public void KeyHash_must_pack_a_thread_group_into_one_number_and_back(int partition, int pid)
    {
        var packed = KeyHash.Of(new TgId(new PartitionId(partition), pid));
        Assert.Equal(partition, (int)(packed >> 32));
        Assert.Equal(pid, unchecked((int)(uint)packed));
    }

    [Fact]
    public void KeyHash_must_hash_a_pair_alike_every_time()
    {
        Assert.Equal(KeyHash.Of(1, 2), KeyHash.Of(1, 2));
        Assert.NotEqual(KeyHash.Of(1, 2), KeyHash.Of(2, 1));
        Assert.Equal(KeyHash.Of(ulong.MaxValue, 0), KeyHash.Of(ulong.MaxValue, 0));
    }
}
