// Proves the id layout: (uniq << 32) | tgid as the modern driver packs it, with the partition in
// bits 48-62 as SGI 2.0 carried it; partition 0 ids are the kernel's own.
using Emulator.Protocol.Ids;
using Xunit;

namespace Emulator.Tests.Rules;

public sealed class XpmemIdSpec
{
    [Fact]
    public void XpmemId_must_pack_as_the_kernel_does_on_partition_0()
    {
        var id = XpmemId.Compose(new PartitionId(0), 4242, 1);
        Assert.Equal((1L << 32) | 4242, id);
    }

    [Fact]
    public void XpmemId_must_round_trip_partition_pid_and_uniq()
    {
        var id = XpmemId.Compose(new PartitionId(17), 123456, 0xFFFF);
        Assert.Equal(new PartitionId(17), XpmemId.PartitionOf(id));
        Assert.Equal(123456, XpmemId.PidOf(id));
        Assert.Equal(0xFFFF, XpmemId.UniqOf(id));
        Assert.True(XpmemId.IsValid(id));
    }

    [Fact]
    public void XpmemId_must_keep_every_id_positive()
    {
        var id = XpmemId.Compose(new PartitionId(PartitionId.MaxValue), int.MaxValue, XpmemId.MaxUniq);
        Assert.True(id > 0);
    }

    [Fact]
    public void XpmemId_must_decode_a_random_number_as_tgid_with_uniq_0()
    {
        Assert.Equal(new TgId(new PartitionId(0), 12345), XpmemId.OwnerOf(12345));
        Assert.Equal(0, XpmemId.UniqOf(12345));
    }
}
