using System.Diagnostics;
using System.Runtime;
using Akka.Configuration;
using Emulator.Host.Injection;
using Emulator.Host.Reports.Coverage;
using Emulator.Host.Runner;
using Emulator.Host.Scenarios;
using Emulator.Partitions.Sim;

namespace Emulator.Host.Explore;

/// <summary>What an explore searches: one scenario, its schedules, and how many at once.
/// </summary>
/// <param name="Seed">Schedule i runs under seed <c>Seed + i</c>.</param>
/// <param name="TimeLimit">No schedule starts after it (null: none).</param>
public sealed record ExplorePlan(Scenario Scenario, Config AkkaConfig, StrategyPlan Strategy,
    SimTimers Timers, int Seed, long Schedules, int Workers, TimeSpan? TimeLimit)
{
    /// <summary>The seed of schedule <paramref name="index"/>.</summary>
    public int SeedOf(long index) => unchecked((int)(Seed + index));

    /// <summary><c>--inject</c>: the faults each schedule injects (none by default).</summary>
    public InjectSpec Inject { get; init; } = InjectSpec.None;

    /// <summary>Schedule <paramref name="seed"/>'s injections; null without <c>--inject</c>.
    /// </summary>
    public InjectionPlan? Injecting(int seed) => Inject.For(seed);

    /// <summary>
    /// Collections block while the search runs (see <see cref="Explorer.Run"/>). For a process
    /// that owns its collector (the CLI's explore, bench); off by default, since the mode is the
    /// process's: a host running live machines beside (a test run) keeps its background
    /// collections, as a blocking full one could outlast a live partition's heartbeats (0.5 s of
    /// silence declares it down).
    /// </summary>
    public bool BlockingCollections { get; init; }
}

/// <summary>The first failing schedule an explore found: the lowest-numbered one.</summary>
public sealed record FoundFailure(long Index, int Seed, RunResult Result);

/// <summary>What an explore did: schedules run, how many distinct, how long, what it found, and
/// the protocol states and steps its schedules reached, summed.</summary>
public sealed record ExploreResult(long Ran, long Distinct, TimeSpan Elapsed,
    StrategyPlan Strategy, FoundFailure? Failure, bool TimedOut, ProtocolCoverage Coverage)
{
    public double PerSecond => Elapsed.TotalSeconds > 0 ? Ran / Elapsed.TotalSeconds : 0;

    /// <summary>What the schedules injected, with the deliveries measured for the draws: a
    /// failing schedule is run again with it.</summary>
    public InjectSpec Inject { get; init; } = InjectSpec.None;

    /// <summary>Schedules into which at least one fault was injected, and the faults.</summary>
    public (long Schedules, long Faults) Injected { get; init; }
}

/// <summary>How far an explore got, for its progress line.</summary>
public readonly record struct ExploreProgress(long Ran, long Schedules, long Violations,
    TimeSpan Elapsed);

/// <summary>
/// Runs many schedules of one scenario in sim mode: schedule i under seed <c>Seed + i</c> with
/// the plan's strategy, on <c>Workers</c> threads, each with its own reused ActorSystem
/// (<see cref="ScheduleRunner"/>). Workers take schedule numbers in order; once one fails, no
/// schedule after it starts, and those before it finish, so the failure reported is the
/// lowest-numbered failing schedule whatever the number of workers, and the same schedule is
/// found again with the same seed. For pct the estimated number of decisions is measured first,
/// on the random schedule of <c>Seed</c>. Schedules whose decisions were all the same count once
/// among the distinct (by the loop's digest of the decisions). Every schedule's deliveries and
/// events are counted into one <see cref="ProtocolCoverage"/> as it runs.
/// </summary>
public static class Explorer
{
    private static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>Explores searching now, and the collector's latency mode before the first.
    /// </summary>
    private static readonly Lock LatencyGate = new();
    private static int _searching;
    private static GCLatencyMode _latencyBefore;

    /// <summary>
    /// Runs the plan's schedules on its workers. With <see cref="ExplorePlan.BlockingCollections"/>
    /// collections block while they run: the program collects its oldest generation in the
    /// background (a long run keeps one core busy, and the collector marks on the other), and
    /// thousands of short schedules on every core gain nothing from it and pay for it: 10,000
    /// schedules of a two-partition round trip on 2 workers took 12-15% more CPU. The mode is the
    /// process's: the first such explore to start sets it, the last to end gives it back.
    /// </summary>
    public static ExploreResult Run(ExplorePlan plan, Action<ExploreProgress>? progress = null)
    {
        if (!plan.BlockingCollections) return RunWorkers(plan, progress);
        BlockCollections();
        try
        {
            return RunWorkers(plan, progress);
        }
        finally
        {
            UnblockCollections();
        }
    }

    private static void BlockCollections()
    {
        lock (LatencyGate)
        {
            if (_searching++ > 0) return;
            _latencyBefore = GCSettings.LatencyMode;
            GCSettings.LatencyMode = GCLatencyMode.Batch;
        }
    }

    private static void UnblockCollections()
    {
        lock (LatencyGate)
        {
            if (--_searching == 0) GCSettings.LatencyMode = _latencyBefore;
        }
    }

    private static ExploreResult RunWorkers(ExplorePlan plan, Action<ExploreProgress>? progress)
    {
        var clock = Stopwatch.StartNew();
        var strategy = plan.Strategy.IsPct
            ? plan.Strategy with { EstimatedSteps = EstimateSteps(plan) }
            : plan.Strategy;
        if (plan.Inject.Any)
        {
            plan = plan with
            {
                Inject = plan.Inject with
                {
                    Partitions = plan.Scenario.Partitions,
                    Deliveries = EstimateDeliveries(plan),
                },
            };
        }
        var search = new Search(plan with { Strategy = strategy }, clock);
        var workers = Enumerable.Range(0, plan.Workers)
            .Select(n => new Thread(search.Work) { Name = $"explore-{n}", IsBackground = true })
            .ToList();
        foreach (var worker in workers) worker.Start();
        foreach (var worker in workers)
        {
            while (!worker.Join(TickInterval)) progress?.Invoke(search.Progress);
        }
        if (search.Bug is { } bug) throw new InvalidOperationException("an explore worker failed",
            bug);
        progress?.Invoke(search.Progress);
        return new ExploreResult(search.Ran, search.Distinct, clock.Elapsed, strategy,
            search.Failure, search.TimedOut, search.Coverage)
        {
            Injected = search.Injected,
            Inject = plan.Inject,
        };
    }

    /// <summary>
    /// How many deliveries a run of the scenario makes: those of its random schedule under the
    /// plan's seed, without injections (at least 1); injected crashes and restarts are drawn
    /// among them.
    /// </summary>
    public static long EstimateDeliveries(ExplorePlan plan)
    {
        using var runner = new ScheduleRunner(plan.Scenario, plan.AkkaConfig);
        var outcome = runner.Run(plan.Seed, new RandomStrategy(), plan.Timers);
        return Math.Max(1, outcome.Result.Summary.Messages);
    }

    /// <summary>
    /// How many decisions a run of the scenario makes: those of its random schedule under the
    /// plan's seed (at least 1), where pct draws its change points.
    /// </summary>
    public static long EstimateSteps(ExplorePlan plan)
    {
        using var runner = new ScheduleRunner(plan.Scenario, plan.AkkaConfig);
        var outcome = runner.Run(plan.Seed, new RandomStrategy(), plan.Timers);
        return Math.Max(1, outcome.Decisions);
    }

    /// <summary>The state the workers share; every field behind <c>_gate</c> or atomic.</summary>
    private sealed class Search(ExplorePlan plan, Stopwatch clock)
    {
        private readonly object _gate = new();
        private readonly HashSet<ulong> _digests = [];
        private long _next;
        private long _ran;
        private long _violations;
        private long _firstFailing = long.MaxValue;
        private long _injectedSchedules;
        private long _injectedFaults;

        public FoundFailure? Failure { get; private set; }

        public Exception? Bug { get; private set; }

        public bool TimedOut { get; private set; }

        public long Ran => Interlocked.Read(ref _ran);

        public (long Schedules, long Faults) Injected =>
            (Interlocked.Read(ref _injectedSchedules), Interlocked.Read(ref _injectedFaults));

        public long Distinct
        {
            get { lock (_gate) return _digests.Count; }
        }

        /// <summary>What every schedule reached (counting is thread safe).</summary>
        public ProtocolCoverage Coverage { get; } = new();

        public ExploreProgress Progress => new(Ran, plan.Schedules,
            Interlocked.Read(ref _violations), clock.Elapsed);

        public void Work()
        {
            try
            {
                using var runner = new ScheduleRunner(plan.Scenario, plan.AkkaConfig);
                var strategy = plan.Strategy.Create();
                while (Take() is { } index)
                {
                    var seed = plan.SeedOf(index);
                    var outcome = runner.Run(seed, strategy, plan.Timers,
                        observer: Coverage.ObserveRun(), inject: plan.Injecting(seed));
                    Done(index, seed, outcome);
                }
            }
            catch (Exception e)
            {
                lock (_gate)
                {
                    Bug ??= e;
                    _firstFailing = -1;
                }
            }
        }

        /// <summary>The next schedule to run, or null when the search is over.</summary>
        private long? Take()
        {
            if (plan.TimeLimit is { } limit && clock.Elapsed >= limit)
            {
                lock (_gate) TimedOut = true;
                return null;
            }
            var index = Interlocked.Increment(ref _next) - 1;
            lock (_gate)
            {
                return index < plan.Schedules && index < _firstFailing ? index : null;
            }
        }

        private void Done(long index, int seed, ScheduleOutcome outcome)
        {
            Interlocked.Increment(ref _ran);
            if (outcome.Injected.Count > 0)
            {
                Interlocked.Increment(ref _injectedSchedules);
                Interlocked.Add(ref _injectedFaults, outcome.Injected.Count);
            }
            lock (_gate)
            {
                _digests.Add(outcome.Digest);
                if (outcome.Result.Passed) return;
                Interlocked.Increment(ref _violations);
                if (index >= _firstFailing) return;
                _firstFailing = index;
                Failure = new FoundFailure(index, seed, outcome.Result);
            }
        }
    }
}
