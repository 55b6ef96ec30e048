// Proves what a cluster node is before any emulator traffic: it binds a free port of 127.0.0.1
// and tells it, its cluster roles name the partitions it hosts (so every member reads the
// placement from membership), nothing crosses nodes as JSON, and leaving (Dispose) is not dying
// (Abort): the others see the member leave, then removed. The placement's role names are
// checked without a cluster. Its remoting writes each message at once and its sockets complete
// inline (no thread between a read and DotNetty's event loop).
using System.Runtime.Serialization;
using Akka.Actor;
using Emulator.Host.Cluster;
using Emulator.Partitions.Cluster;
using Emulator.Partitions.Serialization;
using Xunit;
using Settings = Emulator.Host.Settings;

namespace Emulator.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class ClusterNodeSpec
{
    [Fact]
    public async Task ClusterNode_must_bind_a_free_port_and_name_its_partitions_in_its_roles()
    {
        using var seed = ClusterNode.Start(new(3, [0, 2], []), Settings.Defaults);
        using var other = ClusterNode.Start(new(3, [1], [seed.Address]), Settings.Defaults);

        Assert.Equal("127.0.0.1", seed.Address.Host);
        Assert.True(seed.Address.Port > 0, $"bound to {seed.Address}");
        Assert.NotEqual(seed.Address.Port, other.Address.Port);
        Assert.True(await other.WaitForPartitionsAsync(TestCluster.FormTimeout));
        var members = Akka.Cluster.Cluster.Get(other.System).State.Members;
        Assert.Equal([0, 2], PartitionPlacement.HostedBy(
            members.Single(member => member.Address == seed.Address)));
        Assert.Empty(await other.WireAsync(TestCluster.FormTimeout));
        Assert.Equal(PartitionPlacement.XpcPath(seed.Address, 2),
            other.Wiring.XpcOf(new(2)).Path);
    }

    [Fact]
    public void ClusterNode_must_send_nothing_across_nodes_as_json()
    {
        using var node = ClusterNode.Start(new(1, [0], []), Settings.Defaults);
        var serialization = node.System.Serialization;

        // A type nobody bound meets our serializer, which refuses it by name.
        var stray = serialization.FindSerializerForType(typeof(StrayMessage));
        Assert.Equal(XpmemSerializer.Id, stray.Identifier);
        var refusal = Assert.Throws<SerializationException>(
            () => stray.ToBinary(new StrayMessage(1)));
        Assert.Contains(nameof(StrayMessage), refusal.Message);
        // Akka's own messages keep their serializers (Identify crosses when a node wires).
        Assert.NotEqual(XpmemSerializer.Id,
            serialization.FindSerializerForType(typeof(Identify)).Identifier);
    }

    private sealed record StrayMessage(int Value);

    // Each message between nodes goes out and comes in without waiting for one more thread: a
    // fault's chain of messages pays every such wait, hop after hop (BENCHMARKS.md).
    [Fact]
    public void ClusterNode_must_flush_each_message_at_once_and_set_remotings_switches()
    {
        using var node = ClusterNode.Start(new(1, [0], []), Settings.Defaults);

        Assert.False(node.System.Settings.Config.GetBoolean(
            "akka.remote.dot-netty.tcp.batching.enabled"), "remoting batches its writes");
        Assert.NotNull(Environment.GetEnvironmentVariable(RemotingSwitches.InlineCompletions));
        Assert.NotNull(Environment.GetEnvironmentVariable(RemotingSwitches.LeakDetection));
    }

    [Theory]
    [InlineData(null, "1")]
    [InlineData("0", null)]
    [InlineData("1", null)]
    public void RemotingSwitches_must_set_each_unless_the_user_chose(string? current,
        string? chosen) =>
        Assert.Equal(chosen, RemotingSwitches.Chosen(current, "1"));

    [Fact]
    public async Task ClusterNode_must_leave_on_dispose_rather_than_die()
    {
        using var seed = ClusterNode.Start(new(2, [0], []), Settings.Defaults);
        var leaving = ClusterNode.Start(new(2, [1], [seed.Address]), Settings.Defaults);
        // Both must see it Up: one that has not heard its welcome yet is no member to leave.
        Assert.True(await seed.WaitForPartitionsAsync(TestCluster.FormTimeout));
        Assert.True(await leaving.WaitForPartitionsAsync(TestCluster.FormTimeout));
        var watch = UnreachableWatch.On(seed.System);

        leaving.Dispose();

        Assert.True(leaving.System.WhenTerminated.IsCompleted, "the system still runs");
        var deadline = DateTime.UtcNow + TestCluster.FormTimeout;
        while (watch.Removed is null && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.NotNull(watch.Removed);
        // Seen leaving before removed: it left. (A loaded machine may still flag it unreachable
        // between its exit and its removal, so unreachable alone proves nothing here.)
        Assert.True(watch.Left is { } left && left <= watch.Removed,
            $"left {watch.Left}, unreachable {watch.Unreachable}, removed {watch.Removed}");
    }

    [Fact]
    public void PartitionPlacement_must_read_back_only_its_own_roles()
    {
        Assert.Equal("partition-12", PartitionPlacement.RoleOf(12));
        Assert.Equal(12, PartitionPlacement.PartitionOf("partition-12"));
        Assert.Null(PartitionPlacement.PartitionOf("partition-"));
        Assert.Null(PartitionPlacement.PartitionOf("partition--1"));
        Assert.Null(PartitionPlacement.PartitionOf("driver"));
        var node = new Address("akka.tcp", ClusterNode.SystemName, "127.0.0.1", 4000);
        Assert.Equal("akka.tcp://xpmem@127.0.0.1:4000/user/machine/p3",
            PartitionPlacement.PartitionPath(node, 3).ToString());
    }
}
