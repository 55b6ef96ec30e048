using Stopwatch = System.Diagnostics.Stopwatch;
using Akka.Configuration;
using Emulator.Host.Cluster;
using Emulator.Host.Machines;
using Emulator.Host.Reports;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Tracing;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Partitions;
using Emulator.Protocol.Processes;
using Emulator.Host.Scenarios;

namespace Emulator.Host.Runner;

/// <summary>
/// Runs a scenario on a machine of the options' mode, through its <see cref="IMachineDriver"/>:
/// in <c>sim</c> one seeded loop delivers every message and fires every timer on this thread, so
/// the same seed and file give the same run; in <c>live</c> Akka's dispatchers run the actors on
/// the thread pool and real time passes. Steps run in order and each ends (its reply, then every
/// message it set going) before the next; the branches of a parallel block interleave as the seed
/// (sim) or the threads (live) decide. A run never hangs: a step whose reply cannot come any more,
/// or does not come within the driver's bound, fails the run.
/// </summary>
public sealed partial class ScenarioRunner
{
    /// <summary>How a step's failure for a name without a value ends (a shrink tells it apart).
    /// </summary>
    public const string NoValue = "has no value (the step that binds it did not succeed)";

    /// <summary>How a step's failure for a forked process that is not there ends.</summary>
    public const string NoProcess = "does not exist (it is bound by a fork that did not run)";

    private readonly Scenario _scenario;
    private readonly RunOptions _options;
    private readonly IMachineDriver _machine;
    private readonly JsonlTrace? _trace;
    private readonly Dictionary<string, ulong> _names = [];
    private readonly Dictionary<string, ProcessSlot> _processes = [];
    private readonly List<TgId> _everyProcess = [];
    private readonly Dictionary<RequestId, (Strand Strand, CommandStep Step)> _waiting = [];
    /// <summary>
    /// Replies the machine will never send, for calls of processes a crash killed: the runner
    /// answers them itself (the process is dead), in the order the calls were lost.
    /// </summary>
    private readonly Queue<object> _lost = new();
    /// <summary><c>start</c> steps waiting for their process to run.</summary>
    private readonly Dictionary<RequestId, Starting> _starting = [];
    /// <summary>Per partition: the crashes so far and the step of the last one.</summary>
    private readonly Dictionary<int, (int Count, SourceLocation? At)> _crashes = [];
    private int _steps;
    private int _calls;
    private long _lostCalls;
    private RunFailure? _failure;
    private TimeSpan _waitsUntil;
    /// <summary>
    /// A step crashed, restarted or cut a partition, or set a link fault (a <c>--faults</c>
    /// option comes as such steps): a partition may give up on a peer for a reason of the run's.
    /// </summary>
    private bool _disturbsXpc;
    /// <summary>Since the run's first step: what <see cref="RunOptions.TopLevelStepEnded"/>
    /// is told.</summary>
    private readonly Stopwatch _clock = new();

    private ScenarioRunner(Scenario scenario, RunOptions options, Config akkaConfig)
    {
        _scenario = scenario;
        _options = options;
        IMachineDriver? machine = null;
        _trace = OpenTrace(options, () => machine!.Now);
        _machine = machine = MachineDrivers.Create(options.Mode, options.System,
            scenario.Partitions, options.Seed, akkaConfig, TraceTee.Of(_trace, options.Observer),
            (options.Cluster ?? ClusterPlan.Default) with { Explicit = scenario.Placement });
    }

    private MachineMonitor Monitor => _machine.Monitor;

    /// <summary>
    /// Runs <paramref name="scenario"/> to its end and reports; never throws for a scenario's
    /// failure.
    /// </summary>
    public static RunResult Run(Scenario scenario, RunOptions options, Config? akkaConfig = null)
    {
        var runner = new ScenarioRunner(scenario, options, akkaConfig ?? Settings.Load());
        using (runner._machine)
        using (runner._trace)
        {
            try
            {
                return runner.Execute();
            }
            catch (Exception exception)
            {
                // A bug in the runner or the machine, never the user's: report it as a failed run.
                var failure = new RunFailure(FailureCause.EmulatorBug,
                    $"emulator bug: {exception.GetType().Name}: {exception.Message} "
                    + $"(seed {options.Seed})", null);
                var result = new RunResult(scenario, options.Seed, failure.Message,
                    runner.Summary(TimeSpan.Zero), [], null) { Cause = failure.Cause };
                try
                {
                    return runner.EndTrace(result);
                }
                catch (Exception)
                {
                    // The trace itself broke: it stays .partial, and the failure says enough.
                    return result;
                }
            }
        }
    }

    private RunResult Execute()
    {
        _clock.Start();
        foreach (var process in _scenario.Processes) Spawn(process);
        _trace?.Begin(Header());
        if (_failure is null)
        {
            using var injecting = StartInjecting();
            RunStrand(new Strand(_scenario.Steps, parent: null));
        }
        var checks = _failure is null ? EndOfRunChecks() : [];
        if (Monitor.Failures.Count > 0) Failed(FailureCause.EmulatorBug, BugReport());
        if (Monitor.Violation is { } violation) Failed(FailureCause.Checker, Report(violation));
        var summary = Summary(_clock.Elapsed);
        var result = new RunResult(_scenario, _options.Seed, _failure?.Message, summary, checks,
            null) { Cause = _failure?.Cause, FailedStep = _failure?.Step };
        return EndTrace(result.Passed ? result : result with { Remark = HostStallRemark() });
    }

    /// <summary>The remark on a failed run whose partitions gave up on a peer by themselves.
    /// </summary>
    private string? HostStallRemark()
    {
        if (_options.Mode == RunMode.Sim || _disturbsXpc) return null;
        var (givenUp, count) = Monitor.Read(m => (m.Peers.GivenUp.ToList(), m.Peers.GivenUpCount));
        return HostStall.Remark(givenUp, count, _machine.Settings.Xpc);
    }

    private static JsonlTrace? OpenTrace(RunOptions options, Func<TimeSpan> clock) =>
        options.OutDirectory is { } directory ? JsonlTrace.ToFolder(directory, clock)
        : options.Trace ? JsonlTrace.InMemory(clock) : null;

    private TraceHeader Header() => TraceHeader.Of(_scenario, _options.Seed, _options.Mode,
        _machine.Settings, _processes.ToDictionary(p => p.Key, p => p.Value.Id));

    /// <summary>
    /// Ends the trace with the verdict line (the file gets its final name); the result carries
    /// the trace's text when the options ask for it.
    /// </summary>
    private RunResult EndTrace(RunResult result)
    {
        if (_trace is null) return result;
        if (!_trace.HasBegun) _trace.Begin(Header());
        var text = _trace.End(TraceVerdict.Of(result, _trace.Lines));
        if (_trace.FinalPath is { } path) RunReports.WriteBeside(path, result.Summary.Elapsed);
        return _options.Trace
            ? result with { Trace = text ?? File.ReadAllText(_trace.FinalPath!) }
            : result;
    }

    private RunSummary Summary(TimeSpan elapsed) => new(_steps, _calls, Monitor.Faults,
        _machine.Deliveries, Monitor.XpcMessages, Monitor.Read(m => m.Pins.Totals), _machine.Now,
        elapsed);

    private string BugReport()
        => $"emulator bug: {string.Join("; ", Monitor.Failures)} (seed {_options.Seed})";

    /// <summary>
    /// A checker's breach: which checker, what, during which step (the step the process concerned
    /// was running, if any), the seed, and the events that led to it.
    /// </summary>
    private string Report(Violation violation, CommandStep? ending = null)
    {
        var steps = _waiting.Values.Select(w => w.Step).Append(ending).OfType<CommandStep>();
        var during = steps
            .Where(step => violation.Process is { } process && step.Process is { } name
                && _processes.GetValueOrDefault(name)?.Id == process)
            .Select(step => $" during {step.Location} \"{step.Text}\"")
            .FirstOrDefault() ?? "";
        var events = string.Join("\n    ", violation.Events);
        return $"checker '{violation.Checker}' failed{during}: {violation.What} "
            + $"(seed {_options.Seed}); the events that led to it, oldest first:\n    {events}";
    }

    private void Spawn(ProcessDeclaration declaration)
    {
        var library = _scenario.RawLibrary ? LibraryMode.Raw : LibraryMode.Libxpmem;
        var id = _machine.Spawn(declaration.Partition,
            new Credentials(declaration.Uid, declaration.Gid), library);
        if (id is null)
        {
            Failed(FailureCause.Start, $"{declaration.Location}: process '{declaration.Name}' "
                + $"did not start (seed {_options.Seed})");
            return;
        }
        _processes[declaration.Name] = new ProcessSlot(id.Value);
        _everyProcess.Add(id.Value);
    }

    /// <summary>
    /// Runs a top-level strand and every strand it starts until all end or one step fails.
    /// </summary>
    private void RunStrand(Strand root)
    {
        Advance(root);
        while (_failure is null && !root.Ended)
        {
            if (Monitor.Violation is { } violation)
            {
                Failed(FailureCause.Checker, Report(violation));
                return;
            }
            if (_lost.TryDequeue(out var lost))
            {
                Receive(lost);
                continue;
            }
            // A wait step's timer may lie far ahead (virtual time costs nothing; in live the wait
            // takes its real time anyway), so the limit on how long a reply may take starts once
            // the last wait is over.
            var now = _machine.Now;
            var limit = _machine.ReplyTimeLimit
                + (_waitsUntil > now ? _waitsUntil - now : TimeSpan.Zero);
            if (!_machine.TryNextReply(limit, out var reply))
            {
                var stuck = string.Join("; ",
                    _waiting.Values.Select(w => $"{w.Step.Location} \"{w.Step.Text}\""));
                // Sim knows no reply can come (nothing ready, no timer due); live only knows
                // that none came in time.
                var why = _options.Mode == RunMode.Live ? $"no reply came within {limit}"
                    : "no reply can come any more";
                if (Monitor.Failures.Count > 0) Failed(FailureCause.EmulatorBug, BugReport());
                else Failed(FailureCause.Stuck, $"liveness: the run is stuck, {why} for "
                    + $"{stuck}; {InFlight()} (seed {_options.Seed})",
                    _waiting.Values.Select(w => w.Step).FirstOrDefault());
                return;
            }
            Receive(reply);
        }
    }

    private void Receive(object message)
    {
        switch (message)
        {
            case Process.Completed or Refused:
                var (id, outcome) = MachineReplies.OutcomeOf(message);
                NoteGrant(id, outcome);
                if (_waiting.Remove(id, out var waiting)) Finish(waiting.Strand, waiting.Step,
                    outcome);
                break;
            case WaitEnded ended:
                Advance(ended.Strand);
                break;
            case Partition.Spawned spawned:
                if (_starting.Remove(spawned.RequestId, out var start)) Started(start, spawned);
                break;
            case Starting lostStart:
                Started(lostStart, spawned: null);
                break;
        }
    }

    /// <summary>
    /// Starts the strand's next steps until one has to wait for a reply, or the strand ends.
    /// </summary>
    private void Advance(Strand strand)
    {
        while (_failure is null)
        {
            if (strand.Parent is null && strand.StepsDone > 0)
            {
                if (!Settle()) return;
                _options.TopLevelStepEnded?.Invoke(_clock.Elapsed);
            }
            if (strand.Next() is not { } step)
            {
                strand.Ended = true;
                if (strand.Parent is { } parent && --parent.Running == 0)
                {
                    // The parallel step is one step of its strand: a top-level one settles too.
                    parent.StepsDone++;
                    Advance(parent);
                }
                return;
            }
            switch (step)
            {
                case ParallelStep parallel:
                    strand.Running = parallel.Branches.Count;
                    if (strand.Running == 0) continue;
                    for (var index = 0; index < parallel.Branches.Count; index++)
                    {
                        Advance(new Strand(parallel.Branches[index], strand,
                            Strand.BranchId(strand.Branch, index)));
                    }
                    return;
                case RepeatStep repeat:
                    strand.Enter(repeat);
                    continue;
                case CommandStep { Process: null } machine:
                    if (!RunMachineCommand(strand, machine)) return;
                    continue;
                case CommandStep command:
                    if (StartCall(strand, command)) continue;
                    return;
            }
        }
    }

    /// <summary>
    /// Sends the step's call; true when the strand goes on at once instead (a step an injected
    /// fault left without its process or a name, excused: see <see cref="Excused"/>).
    /// </summary>
    private bool StartCall(Strand strand, CommandStep step)
    {
        _steps++;
        if (!_processes.TryGetValue(step.Process!, out var process))
        {
            return Skipped(strand, step, $"process '{step.Process}' {NoProcess}");
        }
        Call call;
        try
        {
            CallBuilder.Resolve resolve = name => _names.TryGetValue(name, out var value)
                ? value : throw new UnboundNameException(name);
            call = CallBuilder.Build(step.Command, resolve);
            // A value an expectation names is the one bound when the step starts.
            if (step.Expect is ExpectBound or ExpectAny)
                step = step with { Expect = CallBuilder.Resolved(step.Expect, resolve) };
        }
        catch (UnboundNameException unbound)
        {
            return Skipped(strand, step, $"name '{unbound.Name}' {NoValue}");
        }
        _calls++;
        if (process.Crashed)
        {
            // Its partition crashed: the call can never be answered, the process is dead.
            var lost = new RequestId(default, -++_lostCalls);
            _waiting[lost] = (strand, step);
            _lost.Enqueue(new Process.Completed(lost, Outcome.Dead()));
            return false;
        }
        var id = _machine.Start(process.Id, call);
        // An injected release takes a permit the steps got: only an injecting run keeps them.
        if (_options.Inject is not null && call is GetCall or ReleaseCall) _permitCalls[id] = call;
        _trace?.Event("runner", new CallStarted(step.Location.ToString(), step.Text,
            strand.Branch, process.Id, id, call), step.Process);
        _waiting[id] = (strand, step);
        return false;
    }

    private void Finish(Strand strand, CommandStep step, Outcome outcome)
    {
        var process = _processes[step.Process!];
        if (outcome.Kind == OutcomeKind.Dead
            && !Expectations.Met(step.Expect, outcome, step.Command)
            && FailUnlessExcused(step, $"process '{step.Process}' is dead"
                + $"{(process.DiedAt is { } at ? $" (it ended at {at})" : "")}"))
        {
            return;
        }
        if (outcome.Kind == OutcomeKind.Signalled || step.Command is ExitCommand or KillCommand)
        {
            process.DiedAt = step.Location;
        }
        if (outcome.Kind != OutcomeKind.Dead
            && !Expectations.Met(step.Expect, outcome, step.Command)
            && FailUnlessExcused(step, $"expected {Expectations.Describe(step.Expect)}, "
                + $"got {Expectations.Describe(outcome)}"))
        {
            return;
        }
        if (step.Bind is { } name && outcome.Kind == OutcomeKind.Ok)
        {
            if (step.Command is ForkCommand)
            {
                var child = new TgId(process.Id.Partition, (int)outcome.Value);
                _processes[name] = new ProcessSlot(child);
                _everyProcess.Add(child);
                _trace?.NameProcess(child, name);
            }
            _names[name] = outcome.Value;
        }
        strand.StepsDone++;
        Advance(strand);
    }

    /// <summary>
    /// A machine or fault command. Returns false when the strand must wait (a wait step).
    /// </summary>
    private bool RunMachineCommand(Strand strand, CommandStep step)
    {
        _steps++;
        switch (step.Command)
        {
            case WaitCommand wait:
                var due = _machine.Now + wait.Duration;
                if (due > _waitsUntil) _waitsUntil = due;
                _machine.RemindAfter(wait.Duration, new WaitEnded(strand));
                strand.StepsDone++;
                return false;
            case ExpectPinsBalancedCommand:
                var (balanced, totals, holders) = Monitor.Read(m =>
                    (m.Pins.Balanced, m.Pins.Totals, m.Pins.Balanced ? "" : m.Pins.Holders()));
                if (!balanced) FailUnlessExcused(step, $"pins are not balanced: "
                    + $"{totals.Pinned} pinned, {totals.Unpinned} unpinned; {holders}");
                break;
            case ExpectQuietCommand:
                var (waiting, described) = Monitor.Read(m =>
                    (m.InFlight.Count, m.InFlight.Describe()));
                if (waiting != 0) FailUnlessExcused(step, described);
                break;
            case DropCommand or DelayCommand or DuplicateCommand or CutCommand or HealCommand:
                _disturbsXpc |= step.Command is not HealCommand;
                _machine.Inject(step.Command);
                break;
            case CrashCommand crash:
                _disturbsXpc = true;
                Crash(crash.Partition, step);
                break;
            case RestartCommand restart:
                _disturbsXpc = true;
                // A restart of a running partition is a reboot: it crashes first.
                Crash(restart.Partition, step);
                _machine.Inject(restart);
                _injectedDown.Remove(restart.Partition);
                break;
            case StartCommand start:
                return StartProcess(strand, step, start.Process);
        }
        strand.StepsDone++;
        return _failure is null;
    }

    /// <summary>
    /// Lets everything the steps so far set going end; when the machine cannot settle within the
    /// driver's bound, the run fails as stuck and false says so.
    /// </summary>
    private bool Settle()
    {
        if (_machine.Settle()) return true;
        if (Monitor.Failures.Count > 0) Failed(FailureCause.EmulatorBug, BugReport());
        else Failed(FailureCause.Stuck, "liveness: the machine did not settle within "
            + $"{_machine.ReplyTimeLimit} (XPC still owes messages, or the machine never went "
            + $"quiet); {InFlight()} (seed {_options.Seed})");
        return false;
    }

    /// <summary>What is still in flight, read under the monitor's lock.</summary>
    private string InFlight() => Monitor.Read(m => m.InFlight.Describe());

    /// <summary>
    /// <c>start PROCESS</c>: a declared process that ended runs again as a new process. Returns
    /// false: the strand waits until it runs.
    /// </summary>
    private bool StartProcess(Strand strand, CommandStep step, string name)
    {
        var declaration = _scenario.Processes.First(p => p.Name == name);
        var slot = _processes.GetValueOrDefault(name);
        if (slot is { DiedAt: null, Crashed: false })
        {
            return Skipped(strand, step, $"process '{name}' is running; start takes a process "
                + "that ended (exit, kill, a signal, or its partition's crash)");
        }
        if (IsDown(declaration.Partition))
        {
            return Skipped(strand, step,
                $"partition {declaration.Partition} is crashed; restart it first");
        }
        var library = _scenario.RawLibrary ? LibraryMode.Raw : LibraryMode.Libxpmem;
        var id = _machine.StartSpawn(declaration.Partition,
            new Credentials(declaration.Uid, declaration.Gid), library);
        _starting[id] = new Starting(strand, step, declaration.Partition,
            _crashes.GetValueOrDefault(declaration.Partition).Count);
        return false;
    }

    /// <summary>
    /// A <c>start</c> ended: the process runs, or its partition crashed before it could answer
    /// (<paramref name="spawned"/> null) or right after: then it is dead from that crash on.
    /// </summary>
    private void Started(Starting start, Partition.Spawned? spawned)
    {
        var name = ((StartCommand)start.Step.Command).Process;
        var crash = _crashes.GetValueOrDefault(start.Partition);
        var slot = spawned is null ? _processes[name]
            : new ProcessSlot(new TgId(new PartitionId(start.Partition), spawned.Pid));
        if (spawned is not null)
        {
            _processes[name] = slot;
            _everyProcess.Add(slot.Id);
            _trace?.NameProcess(slot.Id, name);
        }
        if (crash.Count != start.Crashes)
        {
            slot.Crashed = true;
            slot.DiedAt = crash.At;
        }
        start.Strand.StepsDone++;
        Advance(start.Strand);
    }

    /// <summary>
    /// Partition <paramref name="partition"/> crashes: every process on it dies at this step, and
    /// a call it was making never ends (the runner ends it: the process is dead).
    /// </summary>
    private void Crash(int partition, CommandStep step)
    {
        if (!IsDown(partition)) _machine.Inject(new CrashCommand(partition));
        Crashed(partition, step.Location);
    }

    /// <summary>
    /// What the runner knows once partition <paramref name="partition"/> crashed at
    /// <paramref name="at"/> (null: an injected crash, at no step of the file).
    /// </summary>
    private void Crashed(int partition, SourceLocation? at)
    {
        _crashes[partition] = (_crashes.GetValueOrDefault(partition).Count + 1, at);
        // A start on it that has not answered never will.
        foreach (var (id, start) in _starting.Where(s => s.Value.Partition == partition)
            .OrderBy(s => s.Key).ToList())
        {
            _starting.Remove(id);
            _lost.Enqueue(start);
        }
        foreach (var (_, process) in _processes)
        {
            if (process.Id.Partition.Value != partition || process.Crashed) continue;
            process.Crashed = true;
            process.DiedAt ??= at;
        }
        var lost = _waiting
            .Where(w => _processes[w.Value.Step.Process!].Crashed)
            .Select(w => w.Key).Order().ToList();
        foreach (var id in lost) _lost.Enqueue(new Process.Completed(id, Outcome.Dead()));
    }

    /// <summary>
    /// The run fails at <paramref name="step"/>; a checker's breach, if one came first, is the
    /// deeper cause and is reported instead.
    /// </summary>
    private void Fail(CommandStep step, string what)
    {
        if (Monitor.Violation is { } violation)
            Failed(FailureCause.Checker, Report(violation, step), step);
        else Failed(FailureCause.Step,
            $"{step.Location}: step \"{step.Text}\": {what} (seed {_options.Seed})", step);
    }

    /// <summary>The run's one failure: the first one set wins.</summary>
    private void Failed(FailureCause cause, string message, CommandStep? step = null) =>
        _failure ??= new RunFailure(cause, message, step);

    /// <summary>
    /// The checks every run ends with: nothing in flight once the machine is idle; then every
    /// process exits (the kernel's teardown) and every checker gives its verdict (pins balanced per
    /// process and per partition, refcounts back to zero, nothing in flight, and what the safety
    /// checkers saw).
    /// </summary>
    private List<CheckResult> EndOfRunChecks()
    {
        if (!Settle()) return [];
        var (waiting, described) = Monitor.Read(m => (m.InFlight.Count, m.InFlight.Describe()));
        var checks = new List<CheckResult>
        {
            new("nothing in flight before teardown", waiting == 0, described),
        };
        checks.AddRange(_machine.Finish(_everyProcess)
            .Select(r => new CheckResult(r.Name, r.Held, r.Saw)));
        return checks;
    }

    /// <summary>Why and where a run failed.</summary>
    private sealed record RunFailure(FailureCause Cause, string Message, CommandStep? Step);

    private sealed class ProcessSlot(TgId id)
    {
        public TgId Id { get; } = id;

        public SourceLocation? DiedAt { get; set; }

        /// <summary>Its partition crashed: it is dead, and stays so after a restart.</summary>
        public bool Crashed { get; set; }
    }

    private sealed record WaitEnded(Strand Strand);

    /// <summary>
    /// A <c>start</c> step waiting for its process, on a partition that had crashed
    /// <paramref name="Crashes"/> times when it was asked.
    /// </summary>
    private sealed record Starting(Strand Strand, CommandStep Step, int Partition, int Crashes);
}
