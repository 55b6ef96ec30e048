using Akka.Actor;

namespace Emulator.Partitions;

/// <summary>
/// An actor's keyed timers, with Akka's <c>IWithTimers</c> guarantees: a timer started under a
/// key replaces the one before it, and the message of a cancelled or replaced timer never
/// arrives, even if it is already in the mailbox. Actors here set and cancel a timer on most
/// deliveries (a reply deadline per remote request, a pin timeout per fault, XPC's ack and
/// retransmission ticks per packet), and Akka's timers paid for each start a timer record, a
/// wrapper message, a cancelable with its own CancellationTokenSource and a debug-log call:
/// here the one <see cref="Armed"/> object is the timer, its cancelable and the message the
/// scheduler tells. Used on the actor's own thread only (the scheduler reads the flag).
///
/// XPC starts its ack and retransmission ticks again on most packets (a tick is a timer whose
/// message is its key, the same object every time), so a tick is moved, not replaced: started
/// again with its message it is the same timer, due later, and a cancelled tick stays under its
/// key to be moved back to life. The sim's scheduler moves it in its queue
/// (<see cref="ITimerMover"/>), exactly as a new timer would fire. Akka's (live) cannot move a
/// registration: there the tick's registration runs out as it is and, if the tick was moved past
/// it, registers again for the rest; a registration of a cancelled tick shows nothing. So a live
/// tick fires at or after its due time as before, at most a scheduler tick later, and XPC
/// registers one timer per tick period instead of one per packet.
/// </summary>
public sealed class ActorTimers(IScheduler scheduler, IActorRef self)
{
    private readonly ITimerMover? _mover = scheduler as ITimerMover;

    /// <summary>
    /// Akka's schedulers (<see cref="SchedulerBase"/>) count delays on their high-resolution
    /// monotonic clock (the other has whole milliseconds); the TestKit's virtual one on its
    /// <see cref="ITimeProvider.Now"/>, which its tests advance.
    /// </summary>
    private readonly bool _monotonic = scheduler is SchedulerBase;

    /// <summary>
    /// The live timer while there is at most one: a fault's actor (one per fault) only ever has
    /// its pin timeout, and a dictionary of one cost it about 200 bytes.
    /// </summary>
    private Armed? _one;

    /// <summary>Every live timer, once two were live at once (then for good). Both also hold
    /// cancelled ticks kept to be moved (see the class).</summary>
    private Dictionary<object, Armed>? _many;

    /// <summary>Tells <paramref name="message"/> to the actor after <paramref name="delay"/>,
    /// unless cancelled or replaced under <paramref name="key"/> first.</summary>
    public void StartSingleTimer(object key, object message, TimeSpan delay)
    {
        if (Find(key) is { } before)
        {
            if (ReferenceEquals(before.Message, message) && TryMove(before, delay)) return;
            Take(key);
            before.Cancel();
        }
        var armed = new Armed(key, message);
        Put(armed);
        Register(armed, delay);
    }

    public bool IsTimerActive(object key) => Find(key) is { Live: true };

    public void Cancel(object key)
    {
        if (Find(key) is not { } armed) return;
        if (!ReferenceEquals(armed.Message, key))
        {
            Take(key);
            armed.Cancel();
        }
        // A tick stays to be moved: the sim's queue drops it unless it is moved first; a live
        // registration runs out and shows nothing.
        else if (_mover is not null) armed.Cancel();
        else armed.Stopped = true;
    }

    public void CancelAll()
    {
        _one?.Cancel();
        _one = null;
        if (_many is null) return;
        foreach (var armed in _many.Values) armed.Cancel();
        _many.Clear();
    }

    /// <summary>
    /// What a timer that reached the mailbox stands for: its message if it is still the live
    /// timer under its key (it is then spent), or null if it was cancelled or replaced meanwhile.
    /// </summary>
    public object? Fired(Armed armed)
    {
        // Only the live timer under its key is this very object: a replaced or cancelled one (or
        // one of an earlier instance of the actor, whose timers were others) is not. A tick
        // cancelled after it fired is still under its key: its flag says it shows nothing.
        if (!ReferenceEquals(Find(armed.Key), armed) || armed.IsCancellationRequested)
            return null;
        if (_mover is null)
        {
            // Live: this registration is over; a stopped tick ends, a moved one waits on.
            armed.FiresAt = null;
            if (armed.Stopped)
            {
                Take(armed.Key);
                return null;
            }
            var early = armed.Due - Clock;
            if (early > TimeSpan.Zero)
            {
                Register(armed, early);
                return null;
            }
        }
        Take(armed.Key);
        return armed.Message;
    }

    /// <summary>
    /// A tick started again: moved to <paramref name="delay"/> from now instead of replaced, when
    /// its scheduler can (the sim's) or its live registration fires no later than that.
    /// </summary>
    private bool TryMove(Armed armed, TimeSpan delay)
    {
        if (_mover is not null) return _mover.TryMove(armed, delay);
        var due = Clock + delay;
        if (armed.FiresAt is not { } firesAt || due < firesAt) return false;
        armed.Due = due;
        armed.Stopped = false;
        return true;
    }

    /// <summary>Now, on the clock the scheduler counts delays on (live only).</summary>
    private TimeSpan Clock =>
        _monotonic ? scheduler.HighResMonotonicClock : scheduler.Now - DateTimeOffset.UnixEpoch;

    private void Register(Armed armed, TimeSpan delay)
    {
        if (_mover is null)
        {
            armed.Due = Clock + delay;
            armed.FiresAt = armed.Due;
        }
        scheduler.ScheduleTellOnce(delay, self, armed, ActorRefs.NoSender, armed);
    }

    // Keys compare as the dictionary compares them: the stored key's Equals.
    private Armed? Find(object key) => _many is not null
        ? _many.GetValueOrDefault(key)
        : _one is { } one && one.Key.Equals(key) ? one : null;

    /// <summary>
    /// Removes and returns the timer under <paramref name="key"/> (live, or a tick kept
    /// cancelled), if any.
    /// </summary>
    private Armed? Take(object key)
    {
        if (_many is not null) return _many.Remove(key, out var armed) ? armed : null;
        if (_one is not { } one || !one.Key.Equals(key)) return null;
        _one = null;
        return one;
    }

    private void Put(Armed armed)
    {
        if (_many is not null) _many.Add(armed.Key, armed);
        else if (_one is null) _one = armed;
        else
        {
            _many = new() { [_one.Key] = _one, [armed.Key] = armed };
            _one = null;
        }
    }

    /// <summary>
    /// One start of a timer: what the scheduler tells when it is due, and the cancelable it
    /// checks first. Only <see cref="IsCancellationRequested"/> and <see cref="Cancel()"/> are
    /// used by the schedulers (the sim's and Akka's); it has no token.
    /// </summary>
    public sealed class Armed(object key, object message) : ICancelable
    {
        private volatile bool _cancelled;

        internal object Key => key;

        internal object Message => message;

        public bool IsCancellationRequested => _cancelled;

        public CancellationToken Token =>
            throw new NotSupportedException("an actor timer has no cancellation token");

        public void Cancel() => _cancelled = true;

        public void Cancel(bool throwOnFirstException) => Cancel();

        public void CancelAfter(TimeSpan delay) =>
            throw new NotSupportedException("an actor timer is cancelled by its actor only");

        public void CancelAfter(int millisecondsDelay) =>
            CancelAfter(TimeSpan.FromMilliseconds(millisecondsDelay));

        public override string ToString() => $"timer {key}: {message}";

        /// <summary>Neither cancelled nor stopped: it will fire.</summary>
        internal bool Live => !_cancelled && !Stopped;

        // The sim's scheduler only (under its gate).

        /// <summary>What the scheduler that holds it keeps for it (the sim's: its timer).
        /// </summary>
        internal object? Entry { get; set; }

        /// <summary>Live again: its scheduler moved it while it still waited.</summary>
        internal void Restart() => _cancelled = false;

        // Live (Akka's scheduler) only, read and written on the actor's thread.

        /// <summary>A cancelled tick whose registration runs out (it shows nothing).</summary>
        internal bool Stopped { get; set; }

        /// <summary>When it is due: a moved tick is due after its registration fires.</summary>
        internal TimeSpan Due { get; set; }

        /// <summary>When its registration fires; null once that reached the actor.</summary>
        internal TimeSpan? FiresAt { get; set; }
    }
}

/// <summary>
/// A scheduler that can move a timer started through <see cref="ActorTimers"/> while it waits,
/// instead of one more being set (<see cref="Sim.SimScheduler.TryMove"/>).
/// </summary>
public interface ITimerMover
{
    /// <summary>
    /// Makes <paramref name="armed"/> (live or cancelled) fire <paramref name="delay"/> from now,
    /// as a timer set now would; false when it can no longer be moved.
    /// </summary>
    bool TryMove(ActorTimers.Armed armed, TimeSpan delay);
}
