// Prints the explorer's speed on a small two-partition scenario (schedules per second with 1 and
// 2 workers, and what a schedule allocates), after a warm-up; asserts only that every schedule
// ran and held. Figures, not a timed test: the machine is shared.
using System.Diagnostics;
using Emulator.Host.Explore;
using Emulator.Partitions.Sim;
using Xunit;
using Xunit.Abstractions;

namespace Emulator.Tests.Explore;

public sealed class ExploreFiguresSpec(ITestOutputHelper output)
{
    private const int Seed = 1;
    private const long Schedules = 3000;

    [Fact]
    public void Explore_figures_on_a_two_partition_round_trip()
    {
        var scenario = PreparedScenario.Of(ExploreFiles.RoundTrip, [], [], out var error)
            ?? throw new InvalidOperationException(error);
        var plan = new ExplorePlan(scenario.Scenario, scenario.AkkaConfig, StrategyPlan.Random,
            SimTimers.Idle, Seed, Schedules, Workers: 1, TimeLimit: null);
        Explorer.Run(plan with { Schedules = 1500 });
        foreach (var workers in new[] { 1, 2 })
        {
            var allocated = GC.GetTotalAllocatedBytes(precise: false);
            var collections = GC.CollectionCount(0);
            var result = Explorer.Run(plan with { Workers = workers });
            allocated = GC.GetTotalAllocatedBytes(precise: false) - allocated;
            output.WriteLine($"{workers} worker(s): {result.Ran} schedules in "
                + $"{result.Elapsed.TotalSeconds:0.00} s, {result.PerSecond:0} schedules/s, "
                + $"{allocated / result.Ran / 1024.0:0.0} KiB allocated per schedule, "
                + $"{GC.CollectionCount(0) - collections} gen0 collections, "
                + $"{result.Distinct} distinct");
            Assert.True(result.Failure is null, $"seeds from {Seed}: schedule "
                + $"{result.Failure?.Index} failed: {result.Failure?.Result.Failure}");
            Assert.Equal(Schedules, result.Ran);
        }
    }
}
