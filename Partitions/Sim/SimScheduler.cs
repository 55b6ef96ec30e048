using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Event;

namespace Emulator.Partitions.Sim;

/// <summary>
/// The sim run mode's clock: virtual time that moves only when the <see cref="SimLoop"/> fires a
/// timer, advances it, or charges a delivery its cost (<see cref="SimLoop.DeliveryTime"/>). Named
/// in <c>akka.scheduler.implementation</c>, so it serves every user of the ActorSystem
/// scheduler: actor timers (<c>IWithTimers</c>), <c>ScheduleTellOnce</c>,
/// <c>ScheduleTellRepeatedly</c>, receive timeouts, scheduled actions and their cancellation.
/// It owns the system's loop, because Akka creates the scheduler before the dispatchers and
/// hands it to them, which is how a dispatcher finds its loop.
/// Timers may be set from any thread; they fire only on the loop's thread, never by themselves.
/// </summary>
public sealed class SimScheduler : SchedulerBase, ITimerMover
{
    /// <summary>
    /// The wall-clock date that virtual time zero stands for (fixed: no wall clock).
    /// </summary>
    public static readonly DateTimeOffset Epoch = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly Lock _gate = new();
    // A binary heap: setting a timer allocates no node (a sorted set did, and searched for
    // the one to take out); cancelled timers stay until they reach the head or a sweep, and a
    // moved timer stays at its old place until that reaches the head (see TryMove).
    private readonly PriorityQueue<SimTimer, SimTimerOrder> _timers = new();
    private long _timerNumberNext;
    private long _nowTicks;

    /// <summary>The queue's size at which cancelled timers are swept out of it.</summary>
    private int _sweepAt = SweepMin;

    /// <summary>Below this many timers the queue is never swept.</summary>
    private const int SweepMin = 1024;

    /// <summary>
    /// Akka creates it from <c>akka.scheduler.implementation</c> with this signature.
    /// </summary>
    public SimScheduler(Config config, ILoggingAdapter log)
        : base(config, log)
    {
        Loop = new SimLoop(this);
    }

    public SimLoop Loop { get; }

    /// <summary>Virtual time since the system started.</summary>
    public TimeSpan Now => new(Volatile.Read(ref _nowTicks));

    /// <summary>Timers set and neither fired nor cancelled.</summary>
    public int PendingTimers
    {
        get
        {
            lock (_gate) return _timers.UnorderedItems.Count(item => !item.Element.IsCancelled);
        }
    }

    /// <summary>Timers in the queue, cancelled ones not yet swept out included.</summary>
    internal int QueuedTimers
    {
        get { lock (_gate) return _timers.Count; }
    }

    protected override DateTimeOffset TimeNow => Epoch + Now;

    public override TimeSpan MonotonicClock => Now;

    public override TimeSpan HighResMonotonicClock => Now;

    protected override void InternalScheduleTellOnce(
        TimeSpan delay, ICanTell receiver, object message, IActorRef sender, ICancelable cancelable)
    {
        lock (_gate)
        {
            var timer = new SimTimer(Due(delay), _timerNumberNext++, null, receiver, message,
                sender, cancelable);
            if (cancelable is ActorTimers.Armed armed) armed.Entry = timer;
            Add(timer);
        }
    }

    protected override void InternalScheduleTellRepeatedly(
        TimeSpan initialDelay,
        TimeSpan interval,
        ICanTell receiver,
        object message,
        IActorRef sender,
        ICancelable cancelable)
    {
        CheckInterval(interval);
        lock (_gate)
        {
            Add(new SimTimer(Due(initialDelay), _timerNumberNext++, interval, receiver, message,
                sender, cancelable));
        }
    }

    protected override void InternalScheduleOnce(
        TimeSpan delay, Action action, ICancelable cancelable)
    {
        Add(delay, null, action, cancelable);
    }

    protected override void InternalScheduleOnce(
        TimeSpan delay, IRunnable action, ICancelable cancelable)
    {
        Add(delay, null, action.Run, cancelable);
    }

    protected override void InternalScheduleRepeatedly(
        TimeSpan initialDelay, TimeSpan interval, Action action, ICancelable cancelable)
    {
        Add(initialDelay, interval, action, cancelable);
    }

    protected override void InternalScheduleRepeatedly(
        TimeSpan initialDelay, TimeSpan interval, IRunnable action, ICancelable cancelable)
    {
        Add(initialDelay, interval, action.Run, cancelable);
    }

    /// <summary>
    /// Fires the earliest live timer if it is due at or before <paramref name="limit"/>, moving
    /// virtual time to its due time (never backwards). Returns false when no timer fits.
    /// </summary>
    internal bool FireNext(TimeSpan limit)
    {
        SimTimer timer;
        lock (_gate)
        {
            if (Head() is not { } head || head.Due > limit) return false;
            timer = _timers.Dequeue();
            timer.Queued = false;
            if (timer.Due > Now) Volatile.Write(ref _nowTicks, timer.Due.Ticks);
            // The next round of a repeating timer takes its number now, before the action runs,
            // so timers the action sets come after it at an equal due time.
            if (timer.Interval is { } interval)
            {
                var next = interval >= TimeSpan.MaxValue - timer.Due
                    ? TimeSpan.MaxValue
                    : timer.Due + interval;
                var round = timer.Next(next, _timerNumberNext++);
                _timers.Enqueue(round, round.Order);
            }
        }
        timer.Fire();
        return true;
    }

    /// <summary>
    /// The due time of the earliest live timer; false when there is none. What the loop offers
    /// its strategy beside the ready mailboxes (<see cref="SimTimers"/>).
    /// </summary>
    internal bool TryPeekDue(out TimeSpan due)
    {
        lock (_gate)
        {
            var head = Head();
            due = head?.Due ?? TimeSpan.MaxValue;
            return head is not null;
        }
    }

    /// <summary>
    /// Moves a single timer set through <see cref="ActorTimers"/> to <paramref name="delay"/> from
    /// now while it still waits, cancelled or not (it is live again after): it takes the due time
    /// and the number a timer set now would, so what fires and when is as if the old one were
    /// cancelled and a new one set, without a new timer. XPC re-arms its retransmission tick on
    /// most acks and its ack tick on most packets: a new timer each time was ~2.5 M timers in the
    /// Altix run. False (the caller sets a new one) when the timer fired or was dropped, or when
    /// it would move earlier than it is due (its place in the queue must not be behind it).
    /// </summary>
    public bool TryMove(ActorTimers.Armed armed, TimeSpan delay)
    {
        lock (_gate)
        {
            if (armed.Entry is not SimTimer { Queued: true, Interval: null } timer) return false;
            var due = Due(delay);
            if (due < timer.Due) return false;
            timer.MoveTo(due, _timerNumberNext++);
            armed.Restart();
            return true;
        }
    }

    /// <summary>
    /// Moves virtual time forward to <paramref name="time"/>; firing nothing. Called after every
    /// step, so without the gate: only the loop's thread moves the clock (here, in
    /// <see cref="FireNext"/> and <see cref="Reset"/>), and a timer another thread sets meanwhile
    /// counts from the time before or after, as it would had it come a moment sooner or later.
    /// </summary>
    internal void MoveTo(TimeSpan time)
    {
        if (time > Now) Volatile.Write(ref _nowTicks, time.Ticks);
    }

    /// <summary>
    /// Drops every timer and moves virtual time back to zero, as on a fresh system (see
    /// <see cref="SimLoop.Reset"/>). Dropped timers never fire; their cancelables stay as they are.
    /// </summary>
    internal void Reset()
    {
        lock (_gate)
        {
            // A moved timer must not find its dropped entry still waiting.
            foreach (var (timer, _) in _timers.UnorderedItems) timer.Queued = false;
            _timers.Clear();
            _timerNumberNext = 0;
            Volatile.Write(ref _nowTicks, 0);
        }
    }

    private void Add(TimeSpan delay, TimeSpan? interval, Action fire, ICancelable? cancelable)
    {
        CheckInterval(interval);
        lock (_gate) Add(new SimTimer(Due(delay), _timerNumberNext++, interval, fire, cancelable));
    }

    /// <summary>Queues <paramref name="timer"/>; the caller holds the gate (and numbered the
    /// timer under it).</summary>
    private void Add(SimTimer timer)
    {
        _timers.Enqueue(timer, timer.Order);
        if (_timers.Count >= _sweepAt) Sweep();
    }

    // "Never" is sometimes spelled as a huge delay: saturate instead of overflowing.
    private TimeSpan Due(TimeSpan delay) =>
        delay >= TimeSpan.MaxValue - Now ? TimeSpan.MaxValue : Now + delay;

    // A zero interval would fire forever at one instant; the public API refuses it already,
    // the IRunnable overloads do not.
    private static void CheckInterval(TimeSpan? interval)
    {
        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(
                nameof(interval), $"Interval must be >0: {interval}");
        }
    }

    /// <summary>
    /// Takes cancelled timers out of the queue. Most timers are cancelled long before they are
    /// due (a request's reply deadline, disarmed when the reply comes; XPC's retransmission and
    /// ack ticks), and the head alone is dropped as it comes: the Altix scenario kept 600,000 of
    /// them, about 250 MB. Sweeping each time the queue has doubled since the last sweep costs
    /// O(1) per timer; a cancelled timer never fires, so what fires and when is unchanged.
    /// </summary>
    private void Sweep()
    {
        var live = new List<SimTimer>(_timers.Count);
        foreach (var (timer, _) in _timers.UnorderedItems)
        {
            if (timer.IsCancelled) timer.Queued = false;
            else live.Add(timer);
        }
        _timers.Clear();
        // A moved timer goes straight to its new place.
        foreach (var timer in live) _timers.Enqueue(timer, timer.Order);
        _sweepAt = Math.Max(SweepMin, 2 * _timers.Count);
    }

    /// <summary>
    /// The earliest live timer, or null: cancelled timers at the head are dropped and moved ones
    /// put at their new place on the way. Every timer waits at or before its own place, so once
    /// the head is where it belongs no other timer is due before it.
    /// </summary>
    private SimTimer? Head()
    {
        while (_timers.TryPeek(out var timer, out var place))
        {
            if (!timer.IsCancelled && place == timer.Order) return timer;
            _timers.Dequeue();
            if (timer.IsCancelled) timer.Queued = false;
            else _timers.Enqueue(timer, timer.Order);
        }
        return null;
    }
}
