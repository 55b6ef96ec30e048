// How a local cluster's node process is started: this program as `node`, with the runtime's own
// tiering delay (the program's 10 ms has every process of a local cluster compile at once).
using Akka.Actor;
using Emulator.Host.Cluster;
using Xunit;

namespace Emulator.Tests.Cluster;

public sealed class LocalNodeSpec
{
    private static readonly Address Seed = new("akka.tcp", "xpmem", "127.0.0.1", 4711);

    [Fact]
    public void Local_node_must_start_with_the_runtime_s_tiering_delay_unless_the_user_set_one()
    {
        var start = LocalNode.StartInfo([0, 2], 3, Seed, ["access-grain=page"]);

        // The user's own value is inherited as it is; otherwise the runtime's default is set.
        var expected = Environment.GetEnvironmentVariable(LocalNode.TieringDelayVariable)
            ?? LocalNode.RuntimeTieringDelayMs;
        Assert.Equal("100", LocalNode.RuntimeTieringDelayMs);
        Assert.Equal(expected, start.Environment[LocalNode.TieringDelayVariable]);
    }

    [Fact]
    public void Local_node_must_be_told_its_partitions_its_seed_and_the_run_s_settings()
    {
        var start = LocalNode.StartInfo([0, 2], 3, Seed, ["access-grain=page"], incarnation: 2,
            firstPid: 300);

        var words = string.Join(" ", start.ArgumentList);
        Assert.Contains("node --partitions 0,2 --of 3 --seed-nodes akka.tcp://xpmem@127.0.0.1:4711"
            + " --until-stdin-closes --incarnation 2 --first-pid 300 --set access-grain=page",
            words);
    }
}
