// Where a cluster run puts its partitions: round-robin over --nodes with no node left empty, or
// the scenario's own placement.
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
}
