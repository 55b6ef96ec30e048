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
    /// The digest of seed 7's trace, recorded in other processes. .NET randomizes string hashes
    /// per process, so a schedule that leaks hash order passes the in-process checks above and
    /// fails this one (measured: with an insertion-ordered ready set, 5 processes gave 5 digests).
    /// Change the toy protocol, Akka or .NET's Random, and this must be recorded again.
    /// </summary>
    [Fact]
    public void SimLoop_must_reproduce_the_recorded_trace_of_a_fixed_seed()
    {
        const int seed = 7;
        const string recorded = "2C16B7D18EFE193FF984A4DC3EDA3AD7EE8E7DAEF6E23790FD221B33643571E7";
        var (lines, _) = RunToy(seed);
        var digest = SimTrace.Sha256(lines);
        _output.WriteLine($"seed {seed}: {lines.Count} deliveries, sha256 {digest}");
        Assert.True(digest == recorded, $"seed {seed}: trace digest {digest}, recorded {recorded}");
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
            loop.RunUntilIdle();
            return (trace.Lines, run.Stashes);
        }
        finally
        {
            SimSystem.Shutdown(system);
        }
    }
}
