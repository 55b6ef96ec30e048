// What this proves: strands that touch disjoint objects still get, call by call, the outcomes the
// sequential model gives, however the seeded scheduler interleaves them with each other, and
// every checker (coherence, no access through the dead, pins, refcounts, nothing in flight)
// holds over the whole machine. How: a generated run is given to three tenants on one machine,
// each with its own copy of the run's processes (declared one tenant after another, so each
// tenant's pids are known); a tenant's ids are the run's ids with its own pids put in, and stray
// ids (whose pid no tenant declares) are moved far past every pid, so no tenant can reach
// another. The tenants run at the same time, one strand each (a tenant's calls stay in order);
// the model runs each tenant alone, on a machine with the same processes declared. Calls of
// fork children are left out (a child's pid depends on the interleaving); a fork's outcome is
// compared by kind only, for the same reason.
using Emulator.Host;
using Emulator.Host.Sim;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Processes;
using Xunit;

namespace Emulator.Tests.Model;

public sealed class DisjointStrandsSpec
{
    private const int Tenants = 3;

    /// <summary>Stray pids move this far up, past any pid a run can give.</summary>
    private const int StrayPidOffset = 1_000_000;

    /// <summary>Runs in CI; raise it locally with XPMEM_DISJOINT_RUNS.</summary>
    private static readonly int Runs =
        int.TryParse(Environment.GetEnvironmentVariable("XPMEM_DISJOINT_RUNS"), out var n) ? n : 1000;

    [Fact]
    public void Disjoint_strands_must_agree_with_the_model_call_by_call_under_every_interleaving()
    {
        for (ulong seed = 1; seed <= (ulong)Runs; seed++)
        {
            var problem = Check(CallGenerator.ForSeed(seed), (int)seed);
            Assert.True(problem is null, $"seed {seed}: {problem}");
        }
    }

    private static string? Check(ModelRun run, int seed)
    {
        var processes = Enumerable.Range(0, Tenants).SelectMany(_ => run.Processes).ToList();
        var steps = run.Steps.Where(s => !s.Actor.IsChild).ToList();
        using var machine = new SimMachine(run.Partitions, seed, Settings.Defaults);
        var library = run.Raw ? LibraryMode.Raw : LibraryMode.Libxpmem;
        var tgs = processes.Select(p => machine.Spawn(p.Partition, new Credentials(p.Uid, p.Gid),
            library) ?? throw new InvalidOperationException($"no start (seed {seed})")).ToList();
        var count = run.Processes.Count;
        var tenants = Enumerable.Range(0, Tenants)
            .Select(t => Tenant.Of(t, steps, tgs, count))
            .ToList();
        var expected = tenants.Select(t => ModelOutcomes(run, processes, t)).ToList();

        var running = new Dictionary<RequestId, (int Tenant, int Step)>();
        var children = new List<TgId>();
        var next = new int[Tenants];
        void Start(int tenant)
        {
            if (next[tenant] >= tenants[tenant].Steps.Count) return;
            var (actor, call) = tenants[tenant].Steps[next[tenant]];
            running[machine.Start(tgs[tenant * count + actor], call)] = (tenant, next[tenant]++);
        }
        for (var t = 0; t < Tenants; t++) Start(t);
        while (running.Count > 0)
        {
            if (machine.Inbox.Count == 0
                && !machine.Loop.RunUntil(() => machine.Inbox.Count > 0, SimMachine.CallTimeLimit))
            {
                return $"stuck; failures: {string.Join("; ", machine.Monitor.Failures)}";
            }
            var (id, outcome) = SimMachine.OutcomeOf(machine.Inbox.Dequeue());
            if (!running.Remove(id, out var done)) continue;
            var want = expected[done.Tenant][done.Step];
            var call = tenants[done.Tenant].Steps[done.Step].Call;
            var same = call is ForkCall ? want.Kind == outcome.Kind
                : ModelHarness.Agree(want, outcome);
            if (!same)
            {
                return $"tenant {done.Tenant}, step {done.Step} ({call}): the model says {want}, "
                    + $"the emulator {outcome}";
            }
            if (call is ForkCall && outcome.Kind == OutcomeKind.Ok)
            {
                var parent = tgs[done.Tenant * count + tenants[done.Tenant].Steps[done.Step].Actor];
                children.Add(new TgId(parent.Partition, (int)outcome.Value));
            }
            Start(done.Tenant);
        }
        var reports = machine.Finish(tgs.Concat(children));
        if (machine.Monitor.Failures.Count > 0)
            return $"an actor failed: {string.Join("; ", machine.Monitor.Failures)}";
        if (machine.Monitor.Violation is { } violation)
            return $"checker '{violation.Checker}': {violation.What}";
        var failed = reports.Where(r => !r.Held).Select(r => $"{r.Name}: {r.Saw}").ToList();
        return failed.Count > 0 ? string.Join("; ", failed) : null;
    }

    /// <summary>What the sequential model answers to each of one tenant's calls, run alone.</summary>
    private static List<Outcome> ModelOutcomes(ModelRun run, IReadOnlyList<ProcessSpec> processes,
        Tenant tenant)
    {
        using var model = new ReferenceModel();
        var pids = model.Start(run.Partitions, run.Raw, processes);
        var outcomes = new List<Outcome>();
        foreach (var (actor, call) in tenant.Steps)
        {
            var index = tenant.Number * run.Processes.Count + actor;
            outcomes.Add(model.Apply(processes[index].Partition, pids[index], call));
        }
        return outcomes;
    }

    /// <summary>One tenant's calls: which of its processes makes each, with its own ids.</summary>
    private sealed record Tenant(int Number, IReadOnlyList<(int Actor, Call Call)> Steps)
    {
        public static Tenant Of(int number, IReadOnlyList<ModelStep> steps, IReadOnlyList<TgId> tgs,
            int processCount)
        {
            var own = new Dictionary<TgId, TgId>();
            for (var i = 0; i < processCount; i++) own[tgs[i]] = tgs[number * processCount + i];
            long Id(long id)
            {
                if (id <= 0) return id;
                var owner = XpmemId.OwnerOf(id);
                var pid = own.TryGetValue(owner, out var mine) ? mine.Pid
                    : owner.Pid + StrayPidOffset;
                return XpmemId.Compose(owner.Partition, pid, XpmemId.UniqOf(id));
            }
            Call Translate(Call call) => call switch
            {
                GetCall get => get with { SegId = Id(get.SegId) },
                RemoveCall remove => remove with { SegId = Id(remove.SegId) },
                ReleaseCall release => release with { ApId = Id(release.ApId) },
                AttachCall attach => attach with { ApId = Id(attach.ApId) },
                _ => call,
            };
            return new Tenant(number, steps.Select(s => (s.Actor.Number, Translate(s.Call)))
                .ToList());
        }
    }
}
