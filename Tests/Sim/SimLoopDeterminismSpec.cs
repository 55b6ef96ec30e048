using Emulator.Partitions.Sim;
using Xunit;
using Xunit.Abstractions;

namespace Emulator.Tests.Sim;

// Proves that the seed alone decides the delivery order: the toy protocol (top-level actors,
// children, Stash, timers, Watch, Stop) run on fresh ActorSystems gives the same trace for the
// same seed, and different traces for most different seeds.
public sealed class SimLoopDeterminismSpec
{
    private static readonly TimeSpan VirtualLimit = TimeSpan.FromSeconds(10);

    private readonly ITestOutputHelper _output;

    public SimLoopDeterminismSpec(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public void SimLoop_must_give_the_same_trace_for_the_same_seed_on_fresh_systems()
    {
        const int seed = 42;
        var (first, stashes) = RunToy(seed);
        Assert.True(stashes > 0, $"seed {seed}: the lock never stashed; pick a seed that does");
        for (var system = 1; system < 3; system++)
        {
            var again = RunToy(seed).Lines;
            Assert.True(
                first.SequenceEqual(again),
                $"seed {seed}: system {system} differs ({again.Count} vs {first.Count} lines)");
        }
    }

    [Fact]
    public void SimLoop_must_give_different_traces_for_most_different_seeds()
    {
        var seeds = Enumerable.Range(1, 20).ToList();
        var traces = seeds.Select(seed => string.Join("\n", RunToy(seed).Lines)).ToList();
        var distinct = traces.Distinct().Count();
        _output.WriteLine($"seeds 1..20: {distinct} distinct traces");
        Assert.True(distinct >= 15, $"seeds 1..20 gave only {distinct} distinct traces");
    }

    /// <summary>
    /// Prints the trace digest of seed 7; run twice in separate processes to compare.
    /// </summary>
    [Fact]
    public void SimLoop_must_print_the_trace_digest_of_a_fixed_seed()
    {
        const int seed = 7;
        var (system, loop) = SimSpecs.Create("toy", seed);
        try
        {
            var trace = new SimTrace(loop);
            var run = ToyProtocol.Start(system);
            Assert.True(loop.RunUntil(() => run.Finished, VirtualLimit), $"seed {seed}: stuck");
            _output.WriteLine(
                $"seed {seed}: {trace.Lines.Count} deliveries, sha256 {trace.Sha256()}");
        }
        finally
        {
            SimSystem.Shutdown(system);
        }
    }

    private static (IReadOnlyList<string> Lines, int Stashes) RunToy(int seed)
    {
        var (system, loop) = SimSpecs.Create("toy", seed);
        try
        {
            var trace = new SimTrace(loop);
            var run = ToyProtocol.Start(system);
            Assert.True(
                loop.RunUntil(() => run.Finished, VirtualLimit), $"seed {seed}: the toy got stuck");
            return (trace.Lines, run.Stashes);
        }
        finally
        {
            SimSystem.Shutdown(system);
        }
    }
}
