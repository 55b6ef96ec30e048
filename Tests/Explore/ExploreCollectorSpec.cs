// Proves an explore that asks for it (the CLI's, bench's) searches with blocking collections (the
// program's background collector cost its short schedules CPU for nothing), whatever the mode
// was before: the progress callback, on the caller's thread, sees Batch while the workers run.
using System.Runtime;
using Emulator.Host.Explore;
using Emulator.Partitions.Sim;
using Xunit;

namespace Emulator.Tests.Explore;

public sealed class ExploreCollectorSpec
{
    [Fact]
    public void Explore_must_search_with_blocking_collections()
    {
        var scenario = PreparedScenario.Of(ExploreFiles.RoundTrip, [], [], out var error)
            ?? throw new InvalidOperationException(error);
        var plan = new ExplorePlan(scenario.Scenario, scenario.AkkaConfig, StrategyPlan.Random,
            SimTimers.Idle, Seed: 1, Schedules: 200, Workers: 2, TimeLimit: null)
        {
            BlockingCollections = true,
        };
        var seen = new List<GCLatencyMode>();
        var result = Explorer.Run(plan, _ => seen.Add(GCSettings.LatencyMode));
        Assert.True(result.Failure is null, $"seeds from 1: schedule {result.Failure?.Index} "
            + $"failed: {result.Failure?.Result.Failure}");
        Assert.NotEmpty(seen);
        Assert.All(seen, mode => Assert.Equal(GCLatencyMode.Batch, mode));
    }
}
