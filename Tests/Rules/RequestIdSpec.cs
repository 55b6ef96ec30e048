// Proves a request id's hash spreads a process's requests: ids numbered (pid << 32) | n, as
// processes number them, get (nearly) a hash each, where the generated hash gave pid ^ n, so
// one origin's requests shared a few thousand; equal ids hash alike.
using Emulator.Protocol.Ids;
using Xunit;

namespace Emulator.Tests.Rules;

public sealed class RequestIdSpec
{
    [Fact]
    public void RequestId_must_give_a_process_s_requests_distinct_hashes()
    {
        var ids = (from origin in Enumerable.Range(0, 4)
                   from pid in Enumerable.Range(100, 512)
                   from n in Enumerable.Range(1, 32)
                   select new RequestId(new PartitionId(origin), ((long)pid << 32) | (uint)n))
            .ToList();
        var hashes = ids.Select(id => id.GetHashCode()).Distinct().Count();
        Assert.True(hashes > ids.Count * 99 / 100, $"{hashes} hashes for {ids.Count} ids");
    }

    [Fact]
    public void RequestId_must_hash_equal_ids_alike()
    {
        var id = new RequestId(new PartitionId(3), (7L << 32) | 9);
        Assert.Equal(id.GetHashCode(), new RequestId(new PartitionId(3), (7L << 32) | 9)
            .GetHashCode());
        Assert.NotEqual(id.GetHashCode(), (id with { Origin = new PartitionId(4) }).GetHashCode());
    }
}
