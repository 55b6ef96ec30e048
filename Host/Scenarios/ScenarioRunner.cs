using Stopwatch = System.Diagnostics.Stopwatch;
using Akka.Actor;
using Akka.Configuration;
using Emulator.Host.Reports;
using Emulator.Partitions;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Sim;
using Emulator.Partitions.Tracing;
using Emulator.Partitions.Xpc;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Partitions;
using Emulator.Protocol.Processes;

namespace Emulator.Host.Scenarios;

/// <summary>
/// Runs a scenario in <c>sim</c> mode: one seeded loop delivers every message and fires every
/// timer on this thread, so the same seed and file give the same run. Steps run in order and each
/// ends (its reply, then every message it set going) before the next; the branches of a parallel
/// block interleave as the seed decides. A run never hangs: a step whose reply cannot come any more
/// fails the run.
/// </summary>
public sealed class ScenarioRunner
{
    /// <summary>How much virtual time a step may take before the run counts as stuck.</summary>
    private static readonly TimeSpan StepTimeLimit = TimeSpan.FromMinutes(10);

    private readonly Scenario _scenario;
    private readonly RunOptions _options;
    private readonly ActorSystem _system;
    private readonly SimLoop _loop;
    private readonly MachineMonitor _monitor = new();
    private readonly MachineWiring _wiring = new();
    private readonly JsonlTrace? _trace;
    private readonly Queue<object> _inbox = new();
    private readonly IActorRef _inboxActor;
    private readonly Dictionary<string, ulong> _names = [];
    private readonly Dictionary<string, ProcessSlot> _processes = [];
    private readonly Dictionary<RequestId, (Strand Strand, CommandStep Step)> _waiting = [];
    private long _nextRequest;
    private int _steps;
    private string? _failure;

    private ScenarioRunner(Scenario scenario, RunOptions options, Config akkaConfig)
    {
        _scenario = scenario;
        _options = options;
        (_system, _loop) = SimSystem.Create("emulator", options.Seed, akkaConfig);
        _trace = options.Trace || options.OutDirectory is not null ? new JsonlTrace(() => _loop.Now) : null;
        var settings = EmulatorSettings.Create(akkaConfig);
        var machine = new MachineContext(settings, _monitor, (ITrace?)_trace ?? NoTrace.Instance);
        _system.ActorOf(MachineActor.Props(machine, scenario.Partitions, _wiring), "machine");
        _inboxActor = _system.ActorOf(Props.Create(() => new InboxActor(_inbox)), "runner");
        _loop.RunUntilIdle();
    }

    /// <summary>Runs <paramref name="scenario"/> to its end and reports; never throws for a scenario's failure.</summary>
    public static RunResult Run(Scenario scenario, RunOptions options, Config? akkaConfig = null)
    {
        var runner = new ScenarioRunner(scenario, options, akkaConfig ?? Settings.Load());
        try
        {
            return runner.Execute();
        }
        finally
        {
            SimSystem.Shutdown(runner._system);
        }
    }

    private RunResult Execute()
    {
        var clock = Stopwatch.StartNew();
        foreach (var process in _scenario.Processes) Spawn(process);
        if (_failure is null) RunStrand(new Strand(_scenario.Steps, parent: null));
        var checks = _failure is null ? EndOfRunChecks() : [];
        var summary = new RunSummary(_steps, _monitor.Calls, _monitor.Faults, _loop.Deliveries, _monitor.XpcMessages,
            _monitor.Pins, _loop.Now, clock.Elapsed);
        var trace = _trace?.ToString();
        if (_options.OutDirectory is { } directory)
        {
            Directory.CreateDirectory(directory);
            _trace!.WriteTo(Path.Combine(directory, "trace.jsonl"));
        }
        return new RunResult(_scenario, _options.Seed, _failure, summary, checks, trace);
    }

    private void Spawn(ProcessDeclaration declaration)
    {
        var id = NextRequestId();
        var partition = _wiring.Partitions[declaration.Partition];
        var library = _scenario.RawLibrary ? LibraryMode.Raw : LibraryMode.Libxpmem;
        partition.Tell(new Partition.Spawn(id, new Credentials(declaration.Uid, declaration.Gid), library,
            new Endpoint(new PartitionId(declaration.Partition), _inboxActor)));
        if (!_loop.RunUntil(() => _inbox.Count > 0, StepTimeLimit))
        {
            _failure = $"{declaration.Location}: process '{declaration.Name}' did not start (seed {_options.Seed})";
            return;
        }
        var spawned = (Partition.Spawned)_inbox.Dequeue();
        _processes[declaration.Name] = new ProcessSlot(new TgId(new PartitionId(declaration.Partition), spawned.Pid));
    }

    private RequestId NextRequestId() => new(new PartitionId(0), ++_nextRequest);

    /// <summary>Runs a top-level strand and every strand it starts until all end or one step fails.</summary>
    private void RunStrand(Strand root)
    {
        Advance(root);
        while (_failure is null && !root.Ended)
        {
            if (_inbox.Count == 0 && !_loop.RunUntil(() => _inbox.Count > 0, StepTimeLimit))
            {
                var stuck = string.Join("; ", _waiting.Values.Select(w => $"{w.Step.Location} \"{w.Step.Text}\""));
                _failure = $"the run is stuck: no reply can come any more for {stuck} (seed {_options.Seed})";
                return;
            }
            Receive(_inbox.Dequeue());
        }
    }

    private void Receive(object message)
    {
        switch (message)
        {
            case Process.Completed completed when _waiting.Remove(completed.RequestId, out var waiting):
                Finish(waiting.Strand, waiting.Step, completed.Outcome);
                break;
            case WaitEnded ended:
                Advance(ended.Strand);
                break;
        }
    }

    /// <summary>Starts the strand's next steps until one has to wait for a reply, or the strand ends.</summary>
    private void Advance(Strand strand)
    {
        while (_failure is null)
        {
            if (strand.Parent is null && strand.StepsDone > 0) _loop.RunUntilIdle();
            if (strand.Next() is not { } step)
            {
                strand.Ended = true;
                if (strand.Parent is { } parent && --parent.Running == 0) Advance(parent);
                return;
            }
            switch (step)
            {
                case ParallelStep parallel:
                    strand.Running = parallel.Branches.Count;
                    if (strand.Running == 0) continue;
                    foreach (var branch in parallel.Branches) Advance(new Strand(branch, strand));
                    return;
                case RepeatStep repeat:
                    strand.Enter(repeat);
                    continue;
                case CommandStep { Process: null } machine:
                    if (!RunMachineCommand(strand, machine)) return;
                    continue;
                case CommandStep command:
                    StartCall(strand, command);
                    return;
            }
        }
    }

    private void StartCall(Strand strand, CommandStep step)
    {
        _steps++;
        if (!_processes.TryGetValue(step.Process!, out var process))
        {
            Fail(step, $"process '{step.Process}' does not exist (it is bound by a fork that did not run)");
            return;
        }
        Call call;
        try
        {
            call = CallBuilder.Build(step.Command, name => _names.TryGetValue(name, out var value)
                ? value : throw new UnboundNameException(name));
        }
        catch (UnboundNameException unbound)
        {
            Fail(step, $"name '{unbound.Name}' has no value (the step that binds it did not succeed)");
            return;
        }
        var id = NextRequestId();
        _waiting[id] = (strand, step);
        _trace?.Event("runner", "call", $"{step.Location} {step.Process}: {call}");
        var target = process.Id;
        _wiring.Partitions[target.Partition.Value].Tell(new Partition.Deliver(target,
            new Process.Run(id, call, new Endpoint(target.Partition, _inboxActor))));
    }

    private void Finish(Strand strand, CommandStep step, Outcome outcome)
    {
        var process = _processes[step.Process!];
        if (outcome.Kind == OutcomeKind.Dead)
        {
            Fail(step, $"process '{step.Process}' is dead{(process.DiedAt is { } at ? $" (it ended at {at})" : "")}");
            return;
        }
        if (outcome.Kind == OutcomeKind.Signalled || step.Command is ExitCommand or KillCommand)
        {
            process.DiedAt = step.Location;
        }
        if (!Expectations.Met(step.Expect, outcome, step.Command))
        {
            Fail(step, $"expected {Expectations.Describe(step.Expect)}, got {Expectations.Describe(outcome)}");
            return;
        }
        if (step.Bind is { } name && outcome.Kind == OutcomeKind.Ok)
        {
            if (step.Command is ForkCommand)
            {
                _processes[name] = new ProcessSlot(new TgId(process.Id.Partition, (int)outcome.Value));
            }
            _names[name] = outcome.Value;
        }
        strand.StepsDone++;
        Advance(strand);
    }

    /// <summary>A machine or fault command. Returns false when the strand must wait (a wait step).</summary>
    private bool RunMachineCommand(Strand strand, CommandStep step)
    {
        _steps++;
        switch (step.Command)
        {
            case WaitCommand wait:
                _system.Scheduler.ScheduleTellOnce(wait.Duration, _inboxActor, new WaitEnded(strand), ActorRefs.NoSender);
                strand.StepsDone++;
                return false;
            case ExpectPinsBalancedCommand:
                var pins = _monitor.Pins;
                if (!pins.Balanced) Fail(step, $"pins are not balanced: {pins.Pinned} pinned, {pins.Unpinned} unpinned");
                break;
            case ExpectQuietCommand:
                if (_monitor.InFlight != 0) Fail(step, $"{_monitor.InFlight} requests are still in flight");
                break;
            default:
                Fail(step, $"'{step.Text}' needs fault injection, which this build does not have yet");
                break;
        }
        strand.StepsDone++;
        return _failure is null;
    }

    private void Fail(CommandStep step, string what) =>
        _failure ??= $"{step.Location}: step \"{step.Text}\": {what} (seed {_options.Seed})";

    /// <summary>
    /// The checks every run ends with: nothing in flight; then every live process exits (the kernel's
    /// teardown) and pins must balance, per process and per partition, and every segment and
    /// thread group must be freed (refcounts back to zero).
    /// </summary>
    private List<CheckResult> EndOfRunChecks()
    {
        _loop.RunUntilIdle();
        var checks = new List<CheckResult>
        {
            new("no request in flight", _monitor.InFlight == 0, $"{_monitor.InFlight} in flight"),
        };
        foreach (var (_, process) in _processes.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (process.DiedAt is not null) continue;
            _wiring.Partitions[process.Id.Partition.Value].Tell(new Partition.Deliver(process.Id,
                new Process.Run(NextRequestId(), new ExitCall(0), new Endpoint(process.Id.Partition, _inboxActor))));
        }
        _loop.RunUntil(() => _monitor.ThreadGroupsAlive == 0, StepTimeLimit);
        _loop.RunUntilIdle();
        var pins = _monitor.Pins;
        var unbalanced = _monitor.PinsByOwner().Where(p => !p.Pins.Balanced)
            .Select(p => $"{p.Owner} holds {p.Pins.Held}").ToList();
        checks.Add(new("pins balanced", pins.Balanced && unbalanced.Count == 0,
            $"{pins.Pinned} pinned, {pins.Unpinned} unpinned{(unbalanced.Count > 0 ? "; " + string.Join(", ", unbalanced) : "")}"));
        checks.Add(new("refcounts back to zero", _monitor.SegmentsAlive == 0 && _monitor.ThreadGroupsAlive == 0,
            $"{_monitor.SegmentsAlive} segments, {_monitor.ThreadGroupsAlive} thread groups left"));
        checks.Add(new("quiet after teardown", _monitor.InFlight == 0, $"{_monitor.InFlight} in flight"));
        return checks;
    }

    private sealed class ProcessSlot(TgId id)
    {
        public TgId Id { get; } = id;

        public SourceLocation? DiedAt { get; set; }
    }

    private sealed record WaitEnded(Strand Strand);

    /// <summary>A sequence of steps that run one after another: the scenario, or one branch of a parallel block.</summary>
    private sealed class Strand(IReadOnlyList<Step> steps, Strand? parent)
    {
        private readonly Stack<(IReadOnlyList<Step> Steps, int Index, int RepeatsLeft)> _frames = new([(steps, 0, 1)]);

        public Strand? Parent { get; } = parent;

        public int Running { get; set; }

        public int StepsDone { get; set; }

        public bool Ended { get; set; }

        public Step? Next()
        {
            while (_frames.Count > 0)
            {
                var (list, index, repeats) = _frames.Pop();
                if (index < list.Count)
                {
                    _frames.Push((list, index + 1, repeats));
                    return list[index];
                }
                if (repeats > 1) _frames.Push((list, 0, repeats - 1));
            }
            return null;
        }

        public void Enter(RepeatStep repeat)
        {
            if (repeat.Count > 0) _frames.Push((repeat.Steps, 0, repeat.Count));
        }
    }

    /// <summary>Receives the machine's replies for the runner (one thread in sim, so a plain queue).</summary>
    private sealed class InboxActor : ReceiveActor
    {
        public InboxActor(Queue<object> inbox) => ReceiveAny(inbox.Enqueue);
    }
}
