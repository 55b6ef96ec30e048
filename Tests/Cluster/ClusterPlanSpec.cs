// Where a cluster run puts its partitions: round-robin over --nodes with no node left empty, or
// the scenario's own placement; and which plans can carry out a crash (a kill of the node, so the
// partition must be alone on a node the run started).
using Akka.Actor;
using Emulator.Host.Cluster;
using Xunit;

namespace Emulator.Tests.Cluster;

public sealed class ClusterPlanSpec
{
    [Fact]
    public void Placement_must_be_round_robin_over_the_nodes()
    {
        var plan = new ClusterPlan(3, []);

        Assert.Equal([[0, 3], [1, 4], [2]], plan.Placement(5));
        Assert.Equal([[0], [1]], plan.Placement(2));
    }

    [Fact]
    public void Placement_must_be_the_scenario_s_own_when_it_has_one()
    {
        var plan = new ClusterPlan(3, []) { Explicit = [[0, 2], [1]] };

        Assert.Equal([[0, 2], [1]], plan.Placement(3));
    }

    [Fact]
    public void A_crash_must_need_its_partition_alone_on_a_node_the_run_started()
    {
        var alone = new ClusterPlan(3, []);
        var shared = new ClusterPlan(2, []);
        var placed = new ClusterPlan(3, []) { Explicit = [[0, 2], [1]] };
        var running = new ClusterPlan(3, [new Address("akka.tcp", "xpmem", "h", 4053)]);

        Assert.Null(ClusterMachine.CannotCrash(alone, 3, 2));
        Assert.Contains("also hosts partition 2", ClusterMachine.CannotCrash(shared, 3, 0));
        Assert.Null(ClusterMachine.CannotCrash(placed, 3, 1));
        Assert.Contains("also hosts partition 0", ClusterMachine.CannotCrash(placed, 3, 2));
        Assert.Contains("--seed-nodes", ClusterMachine.CannotCrash(running, 3, 0));
    }
}
