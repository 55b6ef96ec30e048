using Akka.Configuration;
using Emulator.Host.Cluster;
using Emulator.Host.Explore;
using Emulator.Host.Machines;
using Emulator.Host.Runner;
using Emulator.Host.Scenarios;
using Emulator.Partitions.Sim;

namespace Emulator.Host.Bench;

/// <summary>
/// The emulator's own figures, each measured as a difference between two runs of one scenario
/// (with and without the work it counts), so that neither the machine's start nor the setup
/// steps weigh in. Times are the runs' own (<see cref="RunSummary.Elapsed"/>).
/// </summary>
internal sealed class EmulatorFigures(Config config, Action<string> progress)
{
    /// <summary>The local nodes of a cluster figure, as the figure asks.</summary>
    public const int ClusterNodes = 3;

    /// <summary>Owner-and-user pairs, each a fault chain in flight, of the cluster figure.
    /// </summary>
    public const int ClusterPairs = 48;

    /// <summary>
    /// First-touch faults per second in live (in this process, warmed up before); sim's:
    /// <see cref="SimFaults"/>.
    /// </summary>
    public double LiveFaultsPerSecond(int pages, bool cross) =>
        pages / Seconds(BenchScenarios.Faults(pages, 1, cross),
            BenchScenarios.Faults(pages, 0, cross), RunMode.Live);

    /// <summary>
    /// Cross-node faults per second in cluster mode (<see cref="ClusterNodes"/> local nodes, a
    /// partition each), <paramref name="pairs"/> fault chains in flight between them
    /// (<see cref="BenchScenarios.PairedFaults"/>), about <paramref name="pages"/> faults in all.
    /// The nodes are fresh processes, whose first faults run the JIT's first tier: the figure is
    /// the time of a second batch of as many pages, after a first batch warmed the nodes, timed
    /// inside the one run (from the end of the first batch to the end of the second, each over
    /// when all it set going is). The difference of two whole runs on fresh nodes it replaced
    /// varied more (BENCHMARKS.md, the twelfth round: 5 runs each, 1,846-2,853 against
    /// 2,701-3,574 faults a second; one in flight 277-750 against 513-894).
    /// </summary>
    public double ClusterFaultsPerSecond(int pages, int pairs)
    {
        var each = Math.Max(1, pages / pairs);
        var ends = new List<TimeSpan>();
        Run(BenchScenarios.PairedFaults(pairs, each, ClusterNodes), RunMode.Cluster, ends.Add);
        // Top-level steps: the setup, the warm-up batch, the measured batch.
        var seconds = (ends[2] - ends[1]).TotalSeconds;
        return (double)pairs * each / Math.Max(seconds, 1e-6);
    }

    /// <summary>
    /// A fault chain in sim. Messages per fault from three runs: one that touches every page
    /// once, one that does not touch, one that touches twice (the second touch is loads alone):
    /// once less none less the loads (twice less once). All: every delivery; XPC: only the
    /// messages that cross between partitions. Faults per second: once less none (in time).
    /// </summary>
    public (double PerSecond, double All, double Xpc) SimFaults(int pages, bool cross)
    {
        var once = Run(BenchScenarios.Faults(pages, 1, cross), RunMode.Sim);
        var none = Run(BenchScenarios.Faults(pages, 0, cross), RunMode.Sim);
        var twice = Run(BenchScenarios.Faults(pages, 2, cross), RunMode.Sim).Summary;
        double PerFault(Func<RunSummary, long> count) =>
            (double)(2 * count(once.Summary) - count(twice) - count(none.Summary)) / pages;
        var seconds = Seconds(BenchScenarios.Faults(pages, 1, cross),
            BenchScenarios.Faults(pages, 0, cross), RunMode.Sim);
        return (pages / seconds, PerFault(s => s.Messages), PerFault(s => s.XpcMessages));
    }

    public double AttachDetachPerSecond(int pairs, RunMode mode) =>
        pairs / Seconds(BenchScenarios.AttachDetach(pairs), BenchScenarios.AttachDetach(0), mode);

    /// <summary>make, get, release and remove calls per second (four per round).</summary>
    public double PermitCallsPerSecond(int rounds, RunMode mode) =>
        4.0 * rounds / Seconds(BenchScenarios.PermitCalls(rounds), BenchScenarios.PermitCalls(0),
            mode);

    /// <summary>Sim deliveries per second on the Altix-shaped scenario, whole run.</summary>
    public double AltixDeliveriesPerSecond(int processes)
    {
        var result = Run(AltixShape.Altix(processes).Scenario(), RunMode.Sim);
        return result.Summary.Messages / result.Summary.Elapsed.TotalSeconds;
    }

    /// <summary>Explore's schedules per second on the round trip, after a warm-up.</summary>
    public double ExploreSchedulesPerSecond(int workers, long schedules)
    {
        var scenario = ScenarioParser.Parse(BenchScenarios.RoundTrip, "round-trip.hocon");
        var plan = new ExplorePlan(scenario, config, StrategyPlan.Random, SimTimers.Idle, 1,
            schedules, workers, TimeLimit: null) { BlockingCollections = true };
        progress($"explore, {workers} worker(s)");
        Explorer.Run(plan with { Schedules = schedules / 2 });
        var result = Explorer.Run(plan);
        if (result.Failure is { } failure)
            throw new InvalidOperationException($"the round trip failed: {failure.Result.Failure}");
        return result.PerSecond;
    }

    private RunResult Run(string text, RunMode mode, Action<TimeSpan>? stepEnded = null)
    {
        var scenario = ScenarioParser.Parse(text, "bench.hocon");
        progress($"{scenario.Name} ({mode.ToString().ToLowerInvariant()})");
        var cluster = mode == RunMode.Cluster ? new ClusterPlan(ClusterNodes, [])
            { Overrides = ["access-grain=page"] } : null;
        var result = ScenarioRunner.Run(scenario,
            new RunOptions(1, Mode: mode, Cluster: cluster, TopLevelStepEnded: stepEnded), config);
        // A bench scenario that fails measures nothing: say so rather than print a figure.
        if (!result.Passed)
            throw new InvalidOperationException($"{scenario.Name} failed: {result.Failure}");
        return result;
    }

    /// <summary>
    /// The seconds the work of <paramref name="with"/> takes beyond <paramref name="without"/>:
    /// the difference of the medians of <paramref name="repeats"/> runs of each (on a shared
    /// machine one run's time varies by more than a quick figure's work). If the difference is
    /// lost in that noise, the with-run's whole time is taken, setup and all: the figure is then
    /// a lower bound, and the progress line says so (it once printed 128,000,000 faults a
    /// second from a difference of nothing).
    /// </summary>
    private double Seconds(string with, string without, RunMode mode, int repeats = 3)
    {
        var withSeconds = MedianSeconds(with, mode, repeats);
        var difference = withSeconds - MedianSeconds(without, mode, repeats);
        if (difference > 0) return difference;
        progress("the work took no time beyond its setup that this machine could measure: "
            + "the figure counts the setup too (a lower bound)");
        return Math.Max(withSeconds, 1e-6);
    }

    private double MedianSeconds(string text, RunMode mode, int repeats) =>
        Enumerable.Range(0, repeats)
            .Select(_ => Run(text, mode).Summary.Elapsed.TotalSeconds)
            .Order().ElementAt(repeats / 2);
}
