using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;

namespace Emulator.Partitions.Sim;

/// <summary>
/// The one loop that runs a sim ActorSystem, on the thread that calls it. Each step drains the
/// work running elsewhere (see below), lets its <see cref="Strategy"/> pick one ready simulated
/// mailbox (seeded <see cref="RandomStrategy"/> unless told otherwise) and runs it: its pending
/// system messages, then at most one user message. When nothing is ready, <see cref="RunUntil"/>
/// and <see cref="Advance"/> fire the next virtual-time timer of <see cref="SimScheduler"/>; with
/// <see cref="Timers"/> set, <see cref="RunUntil"/> also offers the strategy the earliest timer
/// beside the ready mailboxes. Same seed + same strategy + same actors + same inputs give the
/// same deliveries in the same order, in any process. Every step with more than one option is a
/// decision: counted (<see cref="Decisions"/>), folded into <see cref="ScheduleDigest"/>, and
/// recorded when a <see cref="Recorder"/> is set, so <see cref="ReplayStrategy"/> can run it
/// again.
///
/// Virtual time moves two ways: a timer fires (the clock jumps to its due time), and each user
/// message delivered costs <see cref="DeliveryTime"/> (zero unless the owner sets one): the
/// delivery happens at <see cref="Now"/>, everything its handler does happens at that instant,
/// and the clock moves on by the cost once the handler returns.
///
/// What is simulated: every actor whose path is /user or under it, the /user guardian included.
/// Everything else (the root and /system guardians, loggers, dead letters) runs "elsewhere", on
/// the thread pool; the loop waits, bounded by <see cref="ElsewhereDrainTimeout"/>, until none of
/// that work is running before each choice, so messages it sends to /user land at a fixed point.
///
/// Rules for callers:
/// - Top-level actors: create them with <c>system.ActorOf</c> and plain <c>Props</c>, either
///   between Run calls on the thread that drives the loop, or from inside a handler. Akka starts
///   a top-level actor when the /user guardian handles its Supervise message; the guardian is
///   simulated, so that start is one step of the schedule like any other, and messages told to
///   the actor before it starts wait in Akka's UnstartedCell, in order. Children
///   (<c>Context.ActorOf</c>) start synchronously inside their parent's step.
/// - Inputs (Tell from outside, new actors) count as part of the schedule only if they come at
///   the same point: between the same Run calls, on the loop's thread.
/// - Timers fire only when no mailbox is ready (unless <see cref="Timers"/> says otherwise), so a
///   timeout never overtakes a message already sent; races between them need a fault (drop,
///   delay) from the sender's side, or <see cref="SimTimers.Race"/>. With a delivery cost the
///   clock may pass a timer's due time while the machine is busy: the timer then fires as soon
///   as it goes idle (or, with <see cref="SimTimers.Due"/>, when the strategy picks it), still in
///   due order, and the clock never moves backwards.
/// - A Tell from another thread while the loop runs lands at a point the seed does not decide.
/// - Use paths, not <c>IActorRef.ToString()</c>, in traces: refs print a random uid.
/// - Order matters wherever one actor sends several messages to one receiver: do not derive that
///   order from <c>Context.GetChildren()</c> or a hash set, whose order varies per process.
/// </summary>
public sealed class SimLoop
{
    /// <summary>
    /// Longest wait for non-simulated work before a choice; past it the step throws.
    /// </summary>
    public static readonly TimeSpan ElsewhereDrainTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan WakeupInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>FNV-1a's offset basis and prime, for <see cref="ScheduleDigest"/>.</summary>
    private const ulong DigestBasis = 14695981039346656037;
    private const ulong DigestPrime = 1099511628211;

    private readonly SimScheduler _scheduler;
    private SpinGate _gate;

    /// <summary>
    /// Set, under the gate, when work comes for a loop that waits for it (another thread handed
    /// a mailbox work, or work elsewhere ended); the loop waits on it out of the gate.
    /// </summary>
    private readonly ManualResetEventSlim _workCame = new();
    private readonly SimReadySet _ready = new();
    private readonly SimOffer _offer;
    private SimStrategy _strategy = new RandomStrategy();
    private int _elsewhereRunning;
    private bool _stepping;
    private bool _awaitingWork;
    private TimeSpan _stepCost;
    private TimeSpan _deliveryTime;

    internal SimLoop(SimScheduler scheduler)
    {
        _scheduler = scheduler;
        _offer = new SimOffer(_ready);
    }

    /// <summary>
    /// Raised on the loop thread for each user message, just before the actor sees it.
    /// </summary>
    public event Action<IActorRef, object>? Delivered;

    /// <summary>The seed the strategy began with (0 until <see cref="Reseed"/>).</summary>
    public int Seed { get; private set; }

    /// <summary>
    /// Chooses at every step (<see cref="RandomStrategy"/> unless set). Set it between runs: it
    /// begins with the next <see cref="Reseed"/> or <see cref="Reset"/>.
    /// </summary>
    public SimStrategy Strategy
    {
        get => _strategy;
        set => _strategy = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>When the earliest timer is offered beside ready mailboxes (Idle: never).</summary>
    public SimTimers Timers { get; set; } = SimTimers.Idle;

    /// <summary>Records the schedule of each run when set (cleared by <see cref="Reset"/>).
    /// </summary>
    public SimRecorder? Recorder { get; set; }

    /// <summary>Steps with more than one option since the run began.</summary>
    public long Decisions { get; private set; }

    /// <summary>
    /// A 64-bit digest of every decision since the run began (how many options, which one): two
    /// runs with the same digest took the same schedule, and a replay that ends with another
    /// digest left its schedule.
    /// </summary>
    public ulong ScheduleDigest { get; private set; } = DigestBasis;

    public TimeSpan Now => _scheduler.Now;

    /// <summary>User messages delivered to simulated actors so far.</summary>
    public long Deliveries { get; private set; }

    /// <summary>
    /// Virtual time one delivery takes: the clock moves on by it after each user message's handler
    /// returns. Zero (the default) keeps the clock still between timers. Set it between Run calls.
    /// </summary>
    public TimeSpan DeliveryTime
    {
        get => _deliveryTime;
        set => _deliveryTime = value >= TimeSpan.Zero ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "a cost is never < 0");
    }

    /// <summary>
    /// When set, gives the cost of each delivered message instead of <see cref="DeliveryTime"/>
    /// (e.g. more for a message that crosses partitions). Called on the loop's thread.
    /// </summary>
    public Func<object, TimeSpan>? DeliveryTimeOf { get; set; }

    /// <summary>Mailbox runs so far (a run may hold only system messages).</summary>
    public long Steps { get; private set; }

    /// <summary>
    /// Most steps one Run call may take; a livelock ends there instead of hanging.
    /// </summary>
    public long StepsPerRunMax { get; set; } = 50_000_000;

    /// <summary>
    /// True when no simulated mailbox has work (after waiting for work elsewhere).
    /// </summary>
    public bool IsIdle
    {
        get
        {
            WaitForElsewhere();
            using (_gate.Enter()) return _ready.Count == 0;
        }
    }

    public SimScheduler Scheduler => _scheduler;

    /// <summary>The loop of a system created with <see cref="SimSystem.Config"/>.</summary>
    public static SimLoop Of(ActorSystem system) => Of(system.Scheduler);

    internal static SimLoop Of(IScheduler scheduler) =>
        scheduler is SimScheduler sim
            ? sim.Loop
            : throw new ConfigurationException(
                $"The sim run mode needs akka.scheduler.implementation = {typeof(SimScheduler)}; "
                + $"this system has {scheduler.GetType()}.");

    /// <summary>Begins the strategy again from <paramref name="seed"/>.</summary>
    public void Reseed(int seed)
    {
        Seed = seed;
        _strategy.Begin(seed);
    }

    /// <summary>
    /// The draws the link of a run seeded with <paramref name="runSeed"/> makes for its faults:
    /// the strategy's, recorded when a <see cref="Recorder"/> is set. Call it once per run, after
    /// <see cref="Reset"/>.
    /// </summary>
    public Xpc.LinkDraws LinkDraws(int runSeed)
    {
        var draws = _strategy.LinkDraws(runSeed);
        return Recorder?.Wrap(draws) ?? draws;
    }

    /// <summary>
    /// Starts the loop over for another run on the same system, as a fresh system created with
    /// <paramref name="seed"/> would: every timer dropped, virtual time back to zero, the counts
    /// at zero (decisions and digest too, and the recorder cleared), the strategy begun again
    /// from the seed. Call it between runs, once the last run's actors were told to stop: it
    /// first runs what is still ready (their stopping, or a new system's guardian start) until
    /// idle, with the strategy as it is, fires no timer.
    /// Mailboxes keep their registration numbers: only their relative order is part of the
    /// schedule, and actors created after the reset come after the ones that stay, as on a fresh
    /// system.
    /// </summary>
    public void Reset(int seed)
    {
        RunUntilIdle();
        _scheduler.Reset();
        Deliveries = 0;
        Steps = 0;
        Decisions = 0;
        ScheduleDigest = DigestBasis;
        Recorder?.Clear();
        Reseed(seed);
    }

    /// <summary>Runs one ready mailbox the strategy picks; false if none is ready.</summary>
    public bool Step() => Step(timerLimit: null);

    /// <summary>
    /// Runs one ready mailbox, or fires the earliest timer when <see cref="Timers"/> offers it and
    /// it is due by <paramref name="timerLimit"/> (null: no timer); false if none is ready.
    /// </summary>
    private bool Step(TimeSpan? timerLimit)
    {
        if (_stepping)
        {
            throw new InvalidOperationException(
                "The sim loop was entered again from inside a step.");
        }
        WaitForElsewhere();
        var timerDue = TimeSpan.MaxValue;
        var timer = timerLimit is { } limit && Timers != SimTimers.Idle
            && _scheduler.TryPeekDue(out timerDue)
            && (timerDue <= Now || (Timers == SimTimers.Race && timerDue <= limit));
        Mailbox? next;
        using (_gate.Enter())
        {
            if (_ready.Count == 0) return false;
            _offer.Set(timer, timerDue <= Now);
            var chosen = _strategy.Choose(_offer);
            if ((uint)chosen >= (uint)_offer.Count)
            {
                throw new InvalidOperationException($"The {_strategy.Name} strategy chose option "
                    + $"{chosen} of {_offer.Count}.");
            }
            if (_offer.Count > 1) Decide(chosen);
            _ready.NextStep();
            // The timer's option is the one past the mailboxes: it fires out of the gate.
            next = chosen < _ready.Count ? _ready.TakeAt(chosen) : null;
        }
        if (next is null) return _scheduler.FireNext(timerDue);
        (next.MessageQueue as SimMessageQueue)?.BeginRun();
        _stepping = true;
        try
        {
            next.Run();
        }
        finally
        {
            _stepping = false;
            ChargeStep();
        }
        Steps++;
        return true;
    }

    /// <summary>
    /// Delivers until <paramref name="done"/> holds (checked before the first and after every
    /// step or timer). When nothing is ready it fires the next timer due within
    /// <paramref name="virtualLimit"/> of the current time; with <see cref="Timers"/> set, such a
    /// timer may be chosen while mailboxes are ready, too. Returns false on a stuck run: nothing
    /// ready and no timer within the limit, or <see cref="StepsPerRunMax"/> steps taken.
    /// </summary>
    public bool RunUntil(Func<bool> done, TimeSpan virtualLimit)
    {
        var deadline = Now + virtualLimit;
        for (long steps = 0; steps < StepsPerRunMax; steps++)
        {
            if (done()) return true;
            if (!Step(deadline) && !_scheduler.FireNext(deadline)) return false;
        }
        return done();
    }

    /// <summary>
    /// Delivers until nothing is ready; fires no timer, so virtual time moves only by the
    /// deliveries' cost (<see cref="DeliveryTime"/>).
    /// </summary>
    public void RunUntilIdle()
    {
        for (long steps = 0; steps < StepsPerRunMax; steps++)
        {
            if (!Step()) return;
        }
        throw new InvalidOperationException(
            $"The sim loop took {StepsPerRunMax} steps without going idle (seed {Seed}).");
    }

    /// <summary>
    /// Runs until idle, then fires each timer due within <paramref name="duration"/> in due order,
    /// running until idle after each; ends with <see cref="Now"/> moved by the duration (exactly,
    /// unless the deliveries' cost took the clock past it: it never moves backwards).
    /// </summary>
    public void Advance(TimeSpan duration)
    {
        var end = Now + duration;
        RunUntilIdle();
        while (_scheduler.FireNext(end))
        {
            RunUntilIdle();
        }
        _scheduler.MoveTo(end);
    }

    /// <summary>
    /// Keeps delivering until <paramref name="task"/> completes, waiting for work that other
    /// threads hand to the loop; fires no timer. Throws past <paramref name="wallLimit"/>.
    /// </summary>
    internal void RunUntilCompleted(Task task, TimeSpan wallLimit)
    {
        task.ContinueWith(_ => Wake(), TaskContinuationOptions.ExecuteSynchronously);
        var watch = Stopwatch.StartNew();
        while (!task.IsCompleted)
        {
            if (Step()) continue;
            if (watch.Elapsed > wallLimit)
            {
                throw new TimeoutException(
                    $"The sim loop waited {wallLimit} for a task to complete.");
            }
            using (_gate.Enter())
            {
                if (_ready.Count > 0 || task.IsCompleted) continue;
                AwaitWorkLocked();
            }
            AwaitWork(WakeupInterval);
        }
    }

    /// <summary>A sim dispatcher attaches a simulated actor's mailbox.</summary>
    internal void Adopt(Mailbox mailbox)
    {
        using (_gate.Enter()) _ready.Adopt(mailbox);
    }

    /// <summary>True while <paramref name="mailbox"/> is simulated by this loop.</summary>
    internal bool IsAdopted(Mailbox mailbox)
    {
        using (_gate.Enter()) return _ready.IsAdopted(mailbox);
    }

    /// <summary>A sim dispatcher detaches a stopped actor's mailbox.</summary>
    internal void Release(Mailbox mailbox)
    {
        using (_gate.Enter()) _ready.Release(mailbox);
    }

    /// <summary>Marks a simulated mailbox ready; false if the mailbox is not simulated.</summary>
    internal bool TryMakeReady(Mailbox mailbox)
    {
        using (_gate.Enter())
        {
            if (!_ready.TryAdd(mailbox)) return false;
            if (_awaitingWork) _workCame.Set();
            return true;
        }
    }

    /// <summary>Runs non-simulated work on the thread pool, counted until it ends.</summary>
    internal void RunElsewhere(IRunnable runnable)
    {
        Interlocked.Increment(ref _elsewhereRunning);
        var work = new SimElsewhereWork(this, runnable);
        ThreadPool.UnsafeQueueUserWorkItem(work, preferLocal: false);
    }

    internal void ElsewhereEnded()
    {
        if (Interlocked.Decrement(ref _elsewhereRunning) == 0) Wake();
    }

    /// <summary>A simulated queue hands a user message to its actor (loop thread only).</summary>
    internal void RecordDelivery(IActorRef receiver, object message)
    {
        Deliveries++;
        var inner = message is IWrappedMessage wrapped ? wrapped.Message : message;
        _stepCost += DeliveryTimeOf?.Invoke(inner) ?? DeliveryTime;
        Delivered?.Invoke(receiver, inner);
    }

    /// <summary>
    /// Counts a decision, folds it into the digest and records it, counted from the default
    /// order's option (under the loop's gate).
    /// </summary>
    private void Decide(int chosen)
    {
        var count = _offer.Count;
        Decisions++;
        var digest = (ScheduleDigest ^ (uint)count) * DigestPrime;
        ScheduleDigest = (digest ^ (uint)chosen) * DigestPrime;
        Recorder?.Choice((chosen - _offer.Oldest + count) % count);
    }

    /// <summary>
    /// Moves the clock on by what the step's deliveries cost, after their handlers ran, so every
    /// line a handler traces carries the instant its delivery began.
    /// </summary>
    private void ChargeStep()
    {
        if (_stepCost <= TimeSpan.Zero) return;
        _scheduler.MoveTo(Now + _stepCost);
        _stepCost = TimeSpan.Zero;
    }

    private void WaitForElsewhere()
    {
        if (Volatile.Read(ref _elsewhereRunning) == 0) return;
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var left = ElsewhereDrainTimeout - watch.Elapsed;
            using (_gate.Enter())
            {
                if (Volatile.Read(ref _elsewhereRunning) == 0) return;
                if (left <= TimeSpan.Zero)
                {
                    throw new TimeoutException(
                        $"Non-simulated work ran longer than {ElsewhereDrainTimeout}; the schedule "
                        + $"of seed {Seed} can no longer be reproduced.");
                }
                AwaitWorkLocked();
            }
            AwaitWork(left < WakeupInterval ? left : WakeupInterval);
        }
    }

    /// <summary>
    /// The loop is about to wait: from here on, work that comes sets the signal. Under the gate,
    /// after the loop found none, so no work can come unseen between the look and the wait.
    /// </summary>
    private void AwaitWorkLocked()
    {
        _awaitingWork = true;
        _workCame.Reset();
    }

    /// <summary>Waits, out of the gate, for work: at most <paramref name="limit"/>.</summary>
    private void AwaitWork(TimeSpan limit)
    {
        _workCame.Wait(limit);
        using (_gate.Enter()) _awaitingWork = false;
    }

    private void Wake()
    {
        using (_gate.Enter()) _workCame.Set();
    }
}
