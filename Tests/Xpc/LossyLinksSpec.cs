// Proves loss, duplication and delay on the links change no outcome, only virtual time: every
// example, and hundreds of generated call sequences (the model test's), end the same with and
// without 30% loss, 30% duplication and delays that reorder on every link, step by step (each
// call's outcome, and for the sequences the pin counts after each call too); and that a run with
// faults is as reproducible as one without: the same seed gives the same trace bytes, and a
// duplicate packet shows in it the bytes it was sent with. And
// concurrent calls on lossy links (the interleaving test's strands) keep every invariant: no run
// gets stuck, no actor throws, every checker holds; and every race scenario of Tests/Suites
// still holds (its expectations list every outcome its race allows).
// How: examples run through the scenario runner with the fault commands put in front of their
// steps, on one reused sim system, traced in memory; each call's outcome is read from its
// call_ended line and matched to its step by the call_started line. Generated runs go through
// ModelHarness with the plain emulator on one side and a lossy one on the other; concurrent
// strands as InterleavingSpec drives them, faults set once the processes run.
// Examples that race a step against a `wait` are left out of the comparison: which side of the
// wait a step lands on is decided by the link's speed, on hardware as here. So are the steps
// whose outcome is the order of a race (atomics racing each other: the old value a fetch-add32
// returns; a step that lists alternatives, `=> 3 | 2 | 1`, after add32s that raced).
// Seeds: XPMEM_LOSSY_SEEDS examples seeds (default 25), XPMEM_LOSSY_RUNS generated runs (default
// 300), XPMEM_LOSSY_INTERLEAVINGS concurrent runs (default 200); raise them for a longer local
// run. Each failure names the file or run and the seed.
using System.Text.Json;
using Akka.Configuration;
using Emulator.Host.Cli;
using Emulator.Host.Runner;
using Emulator.Host.Scenarios;
using Emulator.Host.Sim;
using Emulator.Partitions.Sim;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Processes;
using Emulator.Tests.Examples;
using Emulator.Tests.Model;
using Xunit;

namespace Emulator.Tests.Xpc;

public sealed class LossyLinksSpec
{
    private static readonly int ExampleSeeds = FromEnvironment("XPMEM_LOSSY_SEEDS", 25);
    private static readonly int ModelRuns = FromEnvironment("XPMEM_LOSSY_RUNS", 300);
    private static readonly int Interleavings = FromEnvironment("XPMEM_LOSSY_INTERLEAVINGS", 200);

    /// <summary>30% loss, 30% duplication and delays that reorder, on every link.</summary>
    private static readonly (Command Command, string Text)[] Faults =
    [
        (new DropCommand(30, null), "drop 30%"),
        (new DuplicateCommand(30, null), "duplicate 30%"),
        (new DelayCommand(TimeSpan.FromMicroseconds(10), TimeSpan.FromMilliseconds(2), null),
            "delay 10us..2ms"),
    ];

    public static TheoryData<string> Examples()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(ExamplesSpec.RepositoryFolder("examples"), "*.hocon")
            .Order(StringComparer.Ordinal))
        {
            var steps = ScenarioParser.ParseFile(file).Steps;
            if (!RacesAWait(steps)) data.Add(Path.GetFileName(file));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_must_end_alike_with_and_without_lossy_links(string file)
    {
        var scenario = ScenarioParser.ParseFile(Path.Combine(ExamplesSpec.RepositoryFolder("examples"), file));
        var lossy = WithFaultsFirst(scenario);
        var raced = RacedOutcomes(scenario.Steps, racing: false).ToHashSet();
        var (system, _) = SimSystem.Create("lossy", 0, Emulator.Host.Settings.Defaults);
        try
        {
            for (var seed = 1; seed <= ExampleSeeds; seed++)
            {
                var plain = Outcomes(ScenarioRunner.Run(scenario, new RunOptions(seed, Trace: true, System: system)), file, seed);
                var faulty = Outcomes(ScenarioRunner.Run(lossy, new RunOptions(seed, Trace: true, System: system)), file, seed);
                Assert.True(plain.Keys.Order().SequenceEqual(faulty.Keys.Order()),
                    $"{file} seed {seed}: the steps that ran differ with lossy links");
                foreach (var (step, outcomes) in plain)
                {
                    if (raced.Contains(step)) continue;
                    Assert.True(outcomes.SequenceEqual(faulty[step]),
                        $"{file} seed {seed}: {step} ended {string.Join(", ", outcomes)} on perfect links, "
                        + $"{string.Join(", ", faulty[step])} on lossy ones");
                }
            }
        }
        finally
        {
            SimSystem.Shutdown(system);
        }
    }

    public static TheoryData<string> Suites()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(ExamplesSpec.RepositoryFolder(Path.Combine("Tests", "Suites")), "*.hocon")
            .Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void Suite_must_hold_on_lossy_links(string file)
    {
        var scenario = WithFaultsFirst(ScenarioParser.ParseFile(
            Path.Combine(ExamplesSpec.RepositoryFolder(Path.Combine("Tests", "Suites")), file)));
        using var sweep = new SweepRunner(Emulator.Host.Settings.Defaults);
        for (var seed = 1; seed <= ExampleSeeds; seed++)
        {
            var result = sweep.Run(scenario, seed);
            Assert.True(result.Passed, $"{file} on lossy links, seed {seed}: {result.Failure ?? string.Join("; ", result.Checks.Where(c => !c.Held).Select(c => $"{c.Name}: {c.Detail}"))}");
        }
    }

    [Fact]
    public void Generated_runs_must_end_alike_with_and_without_lossy_links()
    {
        var faults = Faults.Select(f => f.Command).ToList();
        var slower = 0;
        for (ulong seed = 1; seed <= (ulong)ModelRuns; seed++)
        {
            var run = CallGenerator.ForSeed(seed);
            using var plain = new EmulatorSystem((int)seed);
            using var lossy = new LossyEmulatorSystem((int)seed, faults);
            var disagreement = ModelHarness.Compare(plain, lossy, run);
            Assert.True(disagreement is null, $"seed {seed}: perfect (a) and lossy (b) links disagree: {disagreement}\n{run}");
            if (run.Partitions > 1 && lossy.Now > TimeSpan.FromMilliseconds(1)) slower++;
        }
        // The faults did something: runs across partitions took longer.
        Assert.True(slower > ModelRuns / 10, $"seeds 1..{ModelRuns}: only {slower} runs slowed down");
    }

    [Fact]
    public void Concurrent_calls_must_keep_every_invariant_on_lossy_links()
    {
        for (var seed = 1; seed <= Interleavings; seed++)
        {
            var problem = RunConcurrently(CallGenerator.ForSeed((ulong)seed), seed);
            Assert.True(problem is null, $"seed {seed}: {problem}");
        }
    }

    [Theory]
    [InlineData("lossy-links.hocon", 1)]
    [InlineData("lossy-links.hocon", 17)]
    [InlineData("parallel-cross-faults.hocon", 7)]
    public void Run_with_lossy_links_must_give_the_same_trace_for_the_same_seed(string file, int seed)
    {
        var scenario = WithFaultsFirst(ScenarioParser.ParseFile(Path.Combine(ExamplesSpec.RepositoryFolder("examples"), file)));
        var first = ScenarioRunner.Run(scenario, new RunOptions(seed, Trace: true));
        var second = ScenarioRunner.Run(scenario, new RunOptions(seed, Trace: true));
        var other = ScenarioRunner.Run(scenario, new RunOptions(seed + 1, Trace: true));

        Assert.True(first.Passed, $"{file} seed {seed}: {first.Failure}");
        Assert.True(first.Trace!.Contains("\"kind\":\"packet_dropped\""), $"{file} seed {seed}: nothing was lost");
        Assert.True(first.Trace == second.Trace, $"{file} seed {seed}: two runs gave different traces");
        Assert.True(first.Trace != other.Trace, $"{file} seeds {seed} and {seed + 1}: the same trace");
    }

    /// <summary>Remote read-modify-writes both ways over a link that duplicates and delays.
    /// </summary>
    private const string DuplicatedStores = """
        name = "remote read-modify-writes on a duplicating link"
        partitions = 2
        processes {
          a { partition = 0 }
          b { partition = 1 }
        }
        steps = [
          "duplicate 40%"
          "delay 10us..2ms"
          "a: mmap 0x10000 8p"
          "a: sa = make 0x10000 8p mode=0666"
          "b: mmap 0x20000 8p"
          "b: sb = make 0x20000 8p mode=0666"
          "a: pb = get sb rdwr"
          "a: atb = attach pb 0 8p"
          "b: pa = get sa rdwr"
          "b: ata = attach pa 0 8p"
          { parallel = [
              [ "a: add32 atb 8p 1", "a: add32 atb 8p 1", "a: add32 atb 8p 1" ]
              [ "b: add32 ata 8p 1", "b: add32 ata 8p 1", "b: add32 ata 8p 1" ]
          ] }
          "a: sum32 0x10000 8p => 24576"
          "b: sum32 0x20000 8p => 24576"
        ]
        """;

    [Theory]
    [InlineData(1, "line")]
    [InlineData(1, "page")]
    [InlineData(4, "page")]
    public void Trace_must_show_a_duplicate_packet_with_the_bytes_it_was_sent_with(int seed,
        string grain)
    {
        // A walk that changed a loaded array in place (to send it back as its store) showed the
        // changed bytes in the trace line of a duplicate XPC delivered after it, and so would a
        // store's array its owner gave back for a later load (at page grain, a page's worth).
        var settings = ConfigurationFactory.ParseString($"xpmem-emulator.access-grain = {grain}")
            .WithFallback(Emulator.Host.Settings.Load());
        var scenario = ScenarioParser.Parse(DuplicatedStores, "duplicated-stores.hocon");
        var result = ScenarioRunner.Run(scenario, new RunOptions(seed, Trace: true), settings);
        Assert.True(result.Passed, $"seed {seed}, {grain} grain: {result.Failure}");
        var sent = new Dictionary<string, string>();
        var duplicates = 0;
        foreach (var line in result.Trace!.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            if (!root.TryGetProperty("message", out var message)
                || !message.TryGetProperty("bytes", out var bytes)
                || root.GetProperty("kind").GetString() != "deliver"
                || root.GetProperty("type").GetString() != "Sequenced")
            {
                continue;
            }
            var packet = $"{root.GetProperty("from")}>{root.GetProperty("to")}"
                + $" {root.GetProperty("epoch")}.{root.GetProperty("sequence")}";
            var shown = bytes.GetRawText();
            if (!sent.TryAdd(packet, shown))
            {
                duplicates++;
                Assert.True(sent[packet] == shown, $"seed {seed}, {grain} grain: "
                    + $"packet {packet} delivered again with other bytes");
            }
        }
        Assert.True(duplicates > 0,
            $"seed {seed}, {grain} grain: no packet with bytes came twice");
    }

    /// <summary>
    /// InterleavingSpec's drive on lossy links: one strand per declared process, each making its
    /// own calls in order while the others run; fork children's calls are left out.
    /// </summary>
    private static string? RunConcurrently(ModelRun run, int seed)
    {
        using var machine = new SimMachine(run.Partitions, seed, Emulator.Host.Settings.Defaults);
        var library = run.Raw ? LibraryMode.Raw : LibraryMode.Libxpmem;
        var processes = run.Processes
            .Select(p => machine.Spawn(p.Partition, new Credentials(p.Uid, p.Gid), library) ?? throw new InvalidOperationException("no start"))
            .ToList();
        foreach (var (fault, _) in Faults) machine.Inject(fault);
        var strands = processes.Select((_, index) => new Queue<Call>(run.Steps
            .Where(s => !s.Actor.IsChild && s.Actor.Number == index).Select(s => s.Call))).ToList();
        var running = new Dictionary<RequestId, (int Strand, Call Call)>();
        var children = new List<TgId>();
        void Next(int strand)
        {
            if (strands[strand].TryDequeue(out var call)) running[machine.Start(processes[strand], call)] = (strand, call);
        }
        for (var i = 0; i < strands.Count; i++) Next(i);
        while (running.Count > 0)
        {
            if (machine.Inbox.Count == 0 && !machine.Loop.RunUntil(() => machine.Inbox.Count > 0, SimMachine.CallTimeLimit))
            {
                return $"stuck with {running.Count} calls waiting; {machine.Monitor.InFlight.Describe()}\n{run}";
            }
            var (id, outcome) = SimMachine.OutcomeOf(machine.Inbox.Dequeue());
            if (!running.Remove(id, out var done)) continue;
            if (done.Call is ForkCall && outcome.Kind == OutcomeKind.Ok)
            {
                children.Add(new TgId(processes[done.Strand].Partition, (int)outcome.Value));
            }
            Next(done.Strand);
        }
        var reports = machine.Finish(processes.Concat(children));
        var monitor = machine.Monitor;
        if (monitor.Failures.Count > 0) return $"an actor failed: {string.Join("; ", monitor.Failures)}";
        if (monitor.Violation is { } violation)
        {
            return $"checker '{violation.Checker}': {violation.What}; events: {string.Join(" | ", violation.Events)}";
        }
        var failed = reports.Where(r => !r.Held).Select(r => $"{r.Name}: {r.Saw}").ToList();
        return failed.Count > 0 ? string.Join("; ", failed) : null;
    }

    /// <summary>The scenario with the fault commands as its first steps.</summary>
    private static Scenario WithFaultsFirst(Scenario scenario)
    {
        var at = new SourceLocation(scenario.File, 1, 1);
        var faults = Faults.Select(f => (Step)new CommandStep(at, null, null, f.Command, Expectation.DefaultOk, f.Text));
        return scenario with { Steps = [.. faults, .. scenario.Steps] };
    }

    /// <summary>Each step's outcomes in the order it ran (a step in a repeat runs several times).</summary>
    private static Dictionary<string, List<string>> Outcomes(RunResult result, string file, int seed)
    {
        Assert.True(result.Passed, $"{file} seed {seed}: {result.Failure}");
        var stepOf = new Dictionary<string, string>();
        var outcomes = new Dictionary<string, List<string>>();
        foreach (var line in result.Trace!.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            switch (root.GetProperty("kind").GetString())
            {
                case "call_started":
                    stepOf[root.GetProperty("request_id").GetString()!] = root.GetProperty("location").GetString()!;
                    break;
                case "call_ended" when stepOf.TryGetValue(root.GetProperty("request_id").GetString()!, out var step):
                    if (!outcomes.TryGetValue(step, out var list)) outcomes[step] = list = [];
                    list.Add(root.GetProperty("outcome").GetRawText());
                    break;
            }
        }
        return outcomes;
    }

    /// <summary>A parallel block one of whose branches waits: its steps race the clock.</summary>
    /// <summary>
    /// The steps (as <c>Outcomes</c> keys them: location) of atomics inside a parallel block.
    /// </summary>
    private static IEnumerable<string> RacedOutcomes(IEnumerable<Step> steps, bool racing) =>
        steps.SelectMany(step => step switch
        {
            CommandStep { Command: FetchAdd32Command or Cas32Command or Swap32Command } atomic
                when racing => [atomic.Location.ToString()],
            CommandStep { Expect: ExpectAny } alternatives => [alternatives.Location.ToString()],
            ParallelStep parallel => parallel.Branches.SelectMany(b => RacedOutcomes(b, true)),
            RepeatStep repeat => RacedOutcomes(repeat.Steps, racing),
            _ => [],
        });

    private static bool RacesAWait(IEnumerable<Step> steps) => steps.Any(step => step switch
    {
        ParallelStep parallel => parallel.Branches.Any(Waits),
        RepeatStep repeat => RacesAWait(repeat.Steps),
        _ => false,
    });

    private static bool Waits(IEnumerable<Step> steps) => steps.Any(step => step switch
    {
        CommandStep { Command: WaitCommand } => true,
        ParallelStep parallel => parallel.Branches.Any(Waits),
        RepeatStep repeat => Waits(repeat.Steps),
        _ => false,
    });

    private static int FromEnvironment(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var value) ? value : fallback;
}
