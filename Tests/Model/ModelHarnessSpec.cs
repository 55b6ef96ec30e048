using CsCheck;
using Emulator.Protocol;
using Emulator.Protocol.Processes;
using Xunit;

namespace Emulator.Tests.Model;

// What this proves: that the generator makes runs worth comparing (deterministic per seed,
// every call kind, mostly calls that reach live ids and mappings) and that the harness finds
// the first disagreement. How: two reference models must agree on 2000 seeded runs (a check
// that the model is deterministic: no hidden ordering of hash sets, no shared state), and a
// model with one planted difference must be caught at that step. Failures name the seed.
public sealed class ModelHarnessSpec
{
    private const int Seeds = 2000;

    [Fact]
    public void ModelHarness_must_find_two_reference_models_agreeing_on_2000_seeded_runs()
    {
        for (ulong seed = 1; seed <= Seeds; seed++)
        {
            var run = CallGenerator.ForSeed(seed);
            using var a = new ReferenceModel();
            using var b = new ReferenceModel();

            var disagreement = ModelHarness.Compare(a, b, run);

            Assert.True(disagreement is null, $"seed {seed}: {disagreement}\n{run}");
        }
    }

    [Fact]
    public void ModelHarness_must_agree_on_runs_drawn_by_CsCheck()
    {
        CallGenerator.Runs.Sample(run =>
        {
            using var a = new ReferenceModel();
            using var b = new ReferenceModel();
            Assert.Null(ModelHarness.Compare(a, b, run));
        }, iter: 100, threads: 1);
    }

    [Fact]
    public void ModelHarness_must_report_the_first_step_where_the_systems_disagree()
    {
        var run = new ModelRun(1, false, [new ProcessSpec(0, 1000, 1000)],
        [
            new ModelStep(ModelActor.Declared(0), new VersionCall()),
            new ModelStep(ModelActor.Declared(0), new MmapCall(null, 4096)),
            new ModelStep(ModelActor.Declared(0), new VersionCall()),
            new ModelStep(ModelActor.Declared(0), new VersionCall()),
        ]);
        using var a = new ReferenceModel();
        using var b = new PlantedDifference(new ReferenceModel(), wrongAt: 2);

        var disagreement = ModelHarness.Compare(a, b, run);

        Assert.NotNull(disagreement);
        Assert.Equal(2, disagreement.Index);
        Assert.Equal(Errno.EINVAL, disagreement.B.Errno);
    }

    [Fact]
    public void ModelHarness_must_follow_fork_children_and_skip_those_never_born()
    {
        var run = new ModelRun(1, false, [new ProcessSpec(0, 1000, 1000)],
        [
            new ModelStep(ModelActor.Declared(0), new ForkCall()),
            new ModelStep(ModelActor.ChildOf(0), new ExitCall(0)),
            new ModelStep(ModelActor.ChildOf(0), new VersionCall()),
            new ModelStep(ModelActor.Declared(0), new ExitCall(0)),
            new ModelStep(ModelActor.Declared(0), new ForkCall()),
            new ModelStep(ModelActor.ChildOf(4), new VersionCall()),
        ]);
        using var a = new ReferenceModel();
        using var b = new PlantedDifference(new ReferenceModel(), wrongAt: 5);

        Assert.Null(ModelHarness.Compare(a, b, run));
        Assert.False(a.IsAlive(0, 101));
    }

    /// <summary>
    /// Mistakes an emulator could make, as rewrites of the reference model's outcomes.
    /// </summary>
    public enum Mistake
    {
        SigbusAsSigsegv,
        GetFlagsZeroRefused,
        RemoveOfOthersAsEnoent,
        ReadOnlyAttachAsEinval,
        ForeignIdAsEnoent,
        CheckAlwaysPasses,
    }

    [Theory]
    [InlineData(Mistake.SigbusAsSigsegv)]
    [InlineData(Mistake.GetFlagsZeroRefused)]
    [InlineData(Mistake.RemoveOfOthersAsEnoent)]
    [InlineData(Mistake.ReadOnlyAttachAsEinval)]
    [InlineData(Mistake.ForeignIdAsEnoent)]
    [InlineData(Mistake.CheckAlwaysPasses)]
    public void CallGenerator_must_reach_a_planted_mistake_within_300_seeds(Mistake mistake)
    {
        for (ulong seed = 1; seed <= 300; seed++)
        {
            using var a = new ReferenceModel();
            using var b = new Mistaken(new ReferenceModel(), mistake);
            if (ModelHarness.Compare(a, b, CallGenerator.ForSeed(seed)) is not null)
            {
                return;
            }
        }
        Assert.Fail($"no run of the first 300 seeds reached {mistake}");
    }

    [Fact]
    public void CallGenerator_must_give_the_same_run_for_the_same_seed()
    {
        Assert.Equal(CallGenerator.ForSeed(7).ToString(), CallGenerator.ForSeed(7).ToString());
        Assert.NotEqual(CallGenerator.ForSeed(7).ToString(), CallGenerator.ForSeed(8).ToString());
    }

    [Fact]
    public void CallGenerator_must_make_every_call_kind_and_mostly_calls_that_succeed()
    {
        var calls = new Dictionary<Type, (int Made, int Ok)>();
        var shapes = new HashSet<(int Partitions, bool Raw)>();
        for (ulong seed = 1; seed <= 300; seed++)
        {
            var run = CallGenerator.ForSeed(seed);
            shapes.Add((run.Partitions, run.Raw));
            Assert.InRange(run.Processes.Count, 2, 4);
            foreach (var (call, outcome) in Replay(run))
            {
                var (made, ok) = calls.GetValueOrDefault(call.GetType());
                calls[call.GetType()] = (made + 1, ok + (outcome.Kind == OutcomeKind.Ok ? 1 : 0));
            }
        }

        var kinds = typeof(Call).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(Call)) && !t.IsAbstract);
        Assert.All(kinds, kind =>
            Assert.True(calls.ContainsKey(kind), $"no {kind.Name} generated"));
        Assert.Equal(6, shapes.Count);
        Type[] common = [typeof(GetCall), typeof(AttachCall), typeof(ReadCall), typeof(FillCall)];
        foreach (var kind in common)
        {
            var (made, ok) = calls[kind];
            Assert.True(ok * 2 > made, $"only {ok} of {made} {kind.Name}s succeeded");
        }
        Assert.True(calls[typeof(MakeCall)].Ok * 3 > calls[typeof(MakeCall)].Made);
    }

    /// <summary>Each call of the run with the outcome a fresh reference model gives it.</summary>
    private static List<(Call Call, Outcome Outcome)> Replay(ModelRun run)
    {
        using var model = new ReferenceModel();
        var pids = model.Start(run.Partitions, run.Raw, run.Processes);
        var where = Enumerable.Range(0, pids.Count)
            .ToDictionary(
                i => ModelActor.Declared(i), i => (run.Processes[i].Partition, Pid: pids[i]));
        var outcomes = new List<(Call, Outcome)>();
        for (var i = 0; i < run.Steps.Count; i++)
        {
            var (actor, call) = (run.Steps[i].Actor, run.Steps[i].Call);
            if (!where.TryGetValue(actor, out var place))
            {
                continue;
            }
            var (partition, pid) = place;
            var outcome = model.Apply(partition, pid, call);
            outcomes.Add((call, outcome));
            if (call is ForkCall && outcome.Kind == OutcomeKind.Ok)
            {
                where[ModelActor.ChildOf(i)] = (partition, (int)outcome.Value);
            }
        }
        return outcomes;
    }

    /// <summary>The reference model with one kind of wrong answer.</summary>
    private sealed class Mistaken(ReferenceModel inner, Mistake mistake) : IXpmemSystem
    {
        public PinCounts Pins => inner.Pins;

        public IReadOnlyList<int> Start(
            int partitions, bool rawLibrary, IReadOnlyList<ProcessSpec> processes) =>
            inner.Start(partitions, rawLibrary, processes);

        public Outcome Apply(int partition, int pid, Call call)
        {
            var outcome = inner.Apply(partition, pid, call);
            return (mistake, call, outcome) switch
            {
                (Mistake.SigbusAsSigsegv, _, { Signal: Signal.SIGBUS }) =>
                    Outcome.Signalled(Signal.SIGSEGV),
                (Mistake.GetFlagsZeroRefused, GetCall { Flags: 0 }, { Kind: OutcomeKind.Ok }) =>
                    Outcome.Fail(Errno.EINVAL),
                (Mistake.RemoveOfOthersAsEnoent, RemoveCall, { Errno: Errno.EACCES }) =>
                    Outcome.Fail(Errno.ENOENT),
                (Mistake.ReadOnlyAttachAsEinval, AttachCall, { Errno: Errno.EACCES }) =>
                    Outcome.Fail(Errno.EINVAL),
                (Mistake.ForeignIdAsEnoent, _, { Errno: Errno.EINVAL }) when IdOf(call) is { } id
                    && Protocol.Ids.XpmemId.PartitionOf(id).Value > 0 => Outcome.Fail(Errno.ENOENT),
                (Mistake.CheckAlwaysPasses, CheckCall, { Kind: OutcomeKind.Mismatch }) =>
                    Outcome.Ok(),
                _ => outcome,
            };
        }

        public void Dispose() => inner.Dispose();

        private static long? IdOf(Call call) => call switch
        {
            RemoveCall c => c.SegId,
            GetCall c => c.SegId,
            ReleaseCall c => c.ApId,
            AttachCall c => c.ApId,
            _ => null,
        };
    }

    /// <summary>
    /// A system that is the reference model except for one wrong answer at one call.
    /// </summary>
    private sealed class PlantedDifference(ReferenceModel inner, int wrongAt) : IXpmemSystem
    {
        private int _calls;

        public PinCounts Pins => inner.Pins;

        public IReadOnlyList<int> Start(
            int partitions, bool rawLibrary, IReadOnlyList<ProcessSpec> processes) =>
            inner.Start(partitions, rawLibrary, processes);

        public Outcome Apply(int partition, int pid, Call call)
        {
            var outcome = inner.Apply(partition, pid, call);
            return _calls++ == wrongAt ? Outcome.Fail(Errno.EINVAL) : outcome;
        }

        public void Dispose() => inner.Dispose();
    }
}
