// What this proves: a partition that crashes at any point of a concurrent run (and, on every other
// seed, restarts), under any schedule the seeded scheduler picks, leaves the survivors' machine
// sound: no run gets stuck (every call of a survivor ends: success, errno or signal), no actor
// throws, every access the checkers watch is coherent and none goes through the dead, no store
// crosses XPC twice, and after every surviving process exits their pins balance, every segment
// and thread group is freed and nothing is left in flight. How: generated runs with two or three
// partitions, split by process into concurrent strands as InterleavingSpec does; after a number
// of answered calls drawn from the seed, a partition drawn from the seed crashes (its strands stop,
// their calls in flight are dead), and on odd seeds restarts a few calls later; a third of the
// runs have 30% loss, 30% duplication and reordering delays on every link. Outcomes are not
// compared with the model: they depend on the interleaving and the crash.
using Emulator.Host;
using Emulator.Host.Scenarios;
using Emulator.Host.Sim;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Processes;
using Xunit;

namespace Emulator.Tests.Model;

public sealed class CrashInterleavingSpec
{
    private static readonly int Runs =
        int.TryParse(Environment.GetEnvironmentVariable("XPMEM_CRASH_RUNS"), out var n) ? n : 600;

    /// <summary>XPMEM_CRASH_FIRST: the first seed (to replay one: with RUNS = 1).</summary>
    private static readonly ulong First =
        ulong.TryParse(Environment.GetEnvironmentVariable("XPMEM_CRASH_FIRST"), out var f) ? f : 1;

    [Fact]
    public void Machine_must_keep_its_invariants_when_a_partition_crashes_mid_run()
    {
        var crashed = 0;
        for (var seed = First; crashed < Runs; seed++)
        {
            var run = CallGenerator.ForSeed(seed);
            if (run.Partitions < 2) continue;
            crashed++;
            var problem = RunWithCrash(run, (int)seed);
            Assert.True(problem is null, $"seed {seed}: {problem}");
        }
    }

    private static string? RunWithCrash(ModelRun run, int seed)
    {
        using var machine = new SimMachine(run.Partitions, seed, Settings.Defaults);
        var library = run.Raw ? LibraryMode.Raw : LibraryMode.Libxpmem;
        var processes = run.Processes
            .Select(p => machine.Spawn(p.Partition, new Credentials(p.Uid, p.Gid), library)
                ?? throw new InvalidOperationException("no start"))
            .ToList();
        var strands = processes.Select((_, index) => new Queue<Call>(run.Steps
            .Where(s => !s.Actor.IsChild && s.Actor.Number == index).Select(s => s.Call)))
            .ToList();
        if (seed % 3 == 0)
        {
            // A third of the runs crash on lossy, duplicating, reordering links.
            machine.Inject(new DropCommand(30, null));
            machine.Inject(new DuplicateCommand(30, null));
            machine.Inject(new DelayCommand(TimeSpan.FromMicroseconds(10),
                TimeSpan.FromMilliseconds(2), null));
        }
        var victim = seed % run.Partitions;
        var crashAfter = seed / 3 % Math.Max(1, run.Steps.Count / 2);
        var restartAfter = seed % 2 == 1 ? crashAfter + 1 + seed / 5 % 4 : -1;
        var running = new Dictionary<RequestId, (int Strand, Call Call)>();
        var children = new List<TgId>();
        var answered = 0;
        var down = false;
        void Next(int strand)
        {
            if (down && processes[strand].Partition.Value == victim) return;
            if (strands[strand].TryDequeue(out var call))
                running[machine.Start(processes[strand], call)] = (strand, call);
        }
        void Inject()
        {
            if (answered == crashAfter && !down)
            {
                machine.Inject(new CrashCommand(victim));
                down = true;
                foreach (var id in running.Where(r => processes[r.Value.Strand].Partition.Value
                    == victim).Select(r => r.Key).ToList()) running.Remove(id);
            }
            if (answered == restartAfter) machine.Inject(new RestartCommand(victim));
        }
        Inject();
        for (var i = 0; i < strands.Count; i++) Next(i);
        while (running.Count > 0)
        {
            if (machine.Inbox.Count == 0
                && !machine.Loop.RunUntil(() => machine.Inbox.Count > 0, SimMachine.CallTimeLimit))
            {
                return $"stuck with {running.Count} calls waiting ("
                    + string.Join(", ", running.Values.Select(r => $"strand {r.Strand}: {r.Call}"))
                    + $"); {machine.Monitor.InFlight.Describe()}; crash of p{victim} after "
                    + $"{crashAfter} answers\n{run}";
            }
            var (id, outcome) = SimMachine.OutcomeOf(machine.Inbox.Dequeue());
            if (!running.Remove(id, out var done)) continue;
            answered++;
            if (done.Call is ForkCall && outcome.Kind == OutcomeKind.Ok)
                children.Add(new TgId(processes[done.Strand].Partition, (int)outcome.Value));
            Inject();
            Next(done.Strand);
        }
        var reports = machine.Finish(processes.Concat(children));
        var monitor = machine.Monitor;
        if (monitor.Failures.Count > 0) return $"an actor failed: {string.Join("; ", monitor.Failures)}";
        if (monitor.Violation is { } violation)
        {
            return $"checker '{violation.Checker}': {violation.What}; events: "
                + string.Join(" | ", violation.Events);
        }
        var failed = reports.Where(r => !r.Held).Select(r => $"{r.Name}: {r.Saw}").ToList();
        return failed.Count > 0
            ? $"{string.Join("; ", failed)} (crash of p{victim} after {crashAfter} answers)\n{run}"
            : null;
    }
}
