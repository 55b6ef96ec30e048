using Akka.Actor;
using Emulator.Host.Injection;
using Emulator.Host.Reports;
using Emulator.Host.Scenarios;
using Emulator.Host.Sim;
using Emulator.Protocol.Faults;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Processes;

namespace Emulator.Host.Runner;

/// <summary>
/// Injected faults (<c>explore --inject</c>, and their replay): the run's
/// <see cref="RunOptions.Inject"/> plan is asked at every delivery while the steps run, and the
/// runner applies what it names right there, inside the delivery, so a replay that applies the
/// same injections at the same deliveries makes the same run. Sim only.
///
/// A crash changes what the steps see (dead processes, ENOLINK, SIGBUS), which the file's
/// expectations did not foresee: once an injected fault was applied, a step whose outcome is not
/// the expected one, or that cannot run (its process died, a name it needs was never bound), is
/// excused (traced as <c>step_excused</c>) instead of failing the run. What still fails it: a
/// checker's breach, a stuck run, an emulator bug.
/// </summary>
public sealed partial class ScenarioRunner
{
    /// <summary>
    /// Partitions an injected crash took down and no restart brought up since. The crash is a
    /// message its partition handles when the schedule gets to it; until then the machine does
    /// not call the partition crashed, but the runner must (<see cref="IsDown"/>).
    /// </summary>
    private readonly HashSet<int> _injectedDown = [];

    /// <summary>The <c>get</c> and <c>release</c> calls in flight, for the permits below.</summary>
    private readonly Dictionary<RequestId, Call> _permitCalls = [];

    /// <summary>Permits the steps got and did not release, oldest first: what an injected
    /// release takes.</summary>
    private readonly List<(TgId Process, long SegId, long ApId)> _permits = [];

    private SimMachine? _injectingOn;
    private long _deliveriesBefore;

    /// <summary>True once an injected fault was applied: steps' failures are excused since.
    /// </summary>
    private bool _injected;

    /// <summary>Starts asking the plan at each delivery, until disposed; null without a plan.
    /// </summary>
    private IDisposable? StartInjecting()
    {
        if (_options.Inject is null) return null;
        if (_machine is not SimMachine sim)
            throw new InvalidOperationException("faults are injected in sim mode only");
        _injectingOn = sim;
        _deliveriesBefore = sim.Loop.Deliveries;
        sim.Loop.Delivered += OnDelivered;
        return new Stop(() =>
        {
            sim.Loop.Delivered -= OnDelivered;
            _injectingOn = null;
        });
    }

    private void OnDelivered(IActorRef receiver, object message)
    {
        if (_failure is not null || _injectingOn is not { } sim) return;
        var plan = _options.Inject!;
        var delivery = sim.Loop.Deliveries - _deliveriesBefore;
        // Only a pin needs the receiver's path (built per call): most deliveries are not one.
        var pin = message is Fault.Pin ? PinArrival.Of([.. receiver.Path.Elements], message)
            : null;
        var applied = false;
        foreach (var injection in plan.At(delivery, pin).ToList())
        {
            if (!Apply(sim, injection, pin)) continue;
            applied = true;
            plan.Applied(injection);
            _injected = true;
            _trace?.Event("runner", new FaultInjected(delivery, Injections.Name(injection.Kind),
                injection.Partition, pin?.Request));
        }
        // A call the crash ended is answered by the runner: wake it if it waits for the machine.
        // Only then: a run in which nothing was injected must be the run without a plan.
        if (applied && _lost.Count > 0) sim.Inbox.Enqueue(Wake.Instance);
    }

    /// <summary>True while partition <paramref name="partition"/> is crashed, or an injected
    /// crash of it is on its way.</summary>
    private bool IsDown(int partition) =>
        _injectedDown.Contains(partition) || _machine.IsCrashed(partition);

    /// <summary>Applies <paramref name="injection"/>; false when it cannot apply here.</summary>
    private bool Apply(SimMachine sim, Injection.Injection injection, PinArrival? pin)
    {
        switch (injection.Kind)
        {
            case InjectKind.Crash or InjectKind.OwnerCrash:
                var down = injection.Partition!.Value;
                if (down >= _scenario.Partitions || IsDown(down)) return false;
                _injectedDown.Add(down);
                sim.Inject(new CrashCommand(down));
                Crashed(down, at: null);
                return true;
            case InjectKind.Restart:
                var up = injection.Partition!.Value;
                if (up >= _scenario.Partitions) return false;
                // A restart ends whatever runs there (a reboot, if it was running), a start
                // under way too: the runner counts it as a crash.
                Crashed(up, at: null);
                _injectedDown.Remove(up);
                sim.TellRestart(up);
                return true;
            case InjectKind.ReplyDrop:
                if (pin is not { Remote: true }) return false;
                sim.AimReplyDrop(pin.Request);
                return true;
            case InjectKind.ReleaseDuringFault:
                return pin is not null && ReleaseDuringFault(sim, pin);
            default:
                return false;
        }
    }

    /// <summary>
    /// The attacher releases the permit it got for a segment of the pin's owner (the oldest,
    /// if several) while its fault is in flight: an extra call, traced as a
    /// <c>call_started</c> at location <c>--inject</c>. False when it holds none.
    /// </summary>
    private bool ReleaseDuringFault(SimMachine sim, PinArrival pin)
    {
        var index = _permits.FindIndex(permit => permit.Process == pin.Attacher
            && XpmemId.OwnerOf(permit.SegId) == pin.Owner);
        if (index < 0) return false;
        if (_processes.Values.Any(slot => slot.Id == pin.Attacher && slot.Crashed)) return false;
        var apid = _permits[index].ApId;
        _permits.RemoveAt(index);
        var call = new ReleaseCall(apid);
        var id = sim.Start(pin.Attacher, call);
        var name = _processes.FirstOrDefault(p => p.Value.Id == pin.Attacher).Key;
        _trace?.Event("runner", new CallStarted("--inject", $"release 0x{apid:x} (injected)",
            null, pin.Attacher, id, call), name);
        return true;
    }

    /// <summary>A <c>get</c> or <c>release</c> of the steps ended: the permits follow it.
    /// </summary>
    private void NoteGrant(RequestId id, Outcome outcome)
    {
        if (!_permitCalls.Remove(id, out var call) || outcome.Kind != OutcomeKind.Ok) return;
        if (!_waiting.TryGetValue(id, out var waiting)) return;
        var process = _processes[waiting.Step.Process!].Id;
        if (call is GetCall get) _permits.Add((process, get.SegId, (long)outcome.Value));
        else if (call is ReleaseCall release)
            _permits.RemoveAll(permit => permit.ApId == release.ApId);
    }

    /// <summary>
    /// A step's failure, unless an injected fault came first: then it is excused (traced) and
    /// the run goes on. True when the run failed.
    /// </summary>
    private bool FailUnlessExcused(CommandStep step, string what)
    {
        if (_injected && Monitor.Violation is null)
        {
            _trace?.Event("runner", new StepExcused(step.Location.ToString(), step.Text, what),
                step.Process);
            return false;
        }
        Fail(step, what);
        return true;
    }

    /// <summary>
    /// A step that cannot run: the run fails, or (excused) the strand goes on past it. True
    /// when the strand goes on.
    /// </summary>
    private bool Skipped(Strand strand, CommandStep step, string what)
    {
        if (FailUnlessExcused(step, what)) return false;
        strand.StepsDone++;
        return true;
    }

    /// <summary>Wakes the runner from waiting for the machine; it handles nothing.</summary>
    private sealed class Wake
    {
        public static readonly Wake Instance = new();
    }

    private sealed class Stop(Action stop) : IDisposable
    {
        public void Dispose() => stop();
    }
}
