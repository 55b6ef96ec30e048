// What this proves: whatever order the seeded scheduler picks, the machine's invariants hold when
// processes run their calls at the same time (removes during faults, exits during attaches,
// munmaps during remote loads): no run gets stuck, no actor throws, every load and store through
// an attachment touches the frame its owner maps at that moment and none goes through the dead
// (the coherence and dead-access checkers watch every access), and after every process exits
// pins balance, every segment and thread group is freed and nothing is left in flight. How: each
// generated run's calls are split by process into concurrent strands (a process's own calls stay
// in order; fork children's calls are left out) and driven on a sim machine seeded with the run's
// seed; outcomes are not compared with the model, since they depend on the interleaving.
using Emulator.Host;
using Emulator.Host.Sim;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Processes;
using Xunit;

namespace Emulator.Tests.Model;

public sealed class InterleavingSpec
{
    private static readonly int Runs = int.TryParse(Environment.GetEnvironmentVariable("XPMEM_INTERLEAVING_RUNS"), out var n) ? n : 2000;

    /// <summary>XPMEM_INTERLEAVING_FIRST: the first seed (to replay one: with RUNS = 1).</summary>
    private static readonly ulong First =
        ulong.TryParse(Environment.GetEnvironmentVariable("XPMEM_INTERLEAVING_FIRST"), out var f) ? f : 1;

    [Fact]
    public void Machine_must_keep_its_invariants_under_concurrent_calls()
    {
        for (var seed = First; seed < First + (ulong)Runs; seed++)
        {
            var problem = RunConcurrently(CallGenerator.ForSeed(seed), (int)seed);
            Assert.True(problem is null, $"seed {seed}: {problem}");
        }
    }

    private static string? RunConcurrently(ModelRun run, int seed)
    {
        using var machine = new SimMachine(run.Partitions, seed, Settings.Defaults);
        var library = run.Raw ? LibraryMode.Raw : LibraryMode.Libxpmem;
        var processes = run.Processes
            .Select(p => machine.Spawn(p.Partition, new Credentials(p.Uid, p.Gid), library) ?? throw new InvalidOperationException("no start"))
            .ToList();
        // One strand per declared process: its own calls in order (a fork child's calls are left out:
        // which child a fork makes depends on the interleaving).
        var strands = processes.Select((id, index) => new Queue<Call>(run.Steps
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
                return $"stuck with {running.Count} calls waiting ({string.Join(", ", running.Values.Select(r => $"strand {r.Strand}: {r.Call}"))}); "
                    + $"{machine.Monitor.InFlight.Describe()}; failures: {string.Join("; ", machine.Monitor.Failures)}\n{run}";
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
}
