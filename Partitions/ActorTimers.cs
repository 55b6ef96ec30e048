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
/// </summary>
public sealed class ActorTimers(IScheduler scheduler, IActorRef self)
{
    /// <summary>
    /// The live timer while there is at most one: a fault's actor (one per fault) only ever has
    /// its pin timeout, and a dictionary of one cost it about 200 bytes.
    /// </summary>
    private Armed? _one;

    /// <summary>Every live timer, once two were live at once (then for good).</summary>
    private Dictionary<object, Armed>? _many;

    /// <summary>Tells <paramref name="message"/> to the actor after <paramref name="delay"/>,
    /// unless cancelled or replaced under <paramref name="key"/> first.</summary>
    public void StartSingleTimer(object key, object message, TimeSpan delay)
    {
        Take(key)?.Cancel();
        var armed = new Armed(key, message);
        Put(armed);
        scheduler.ScheduleTellOnce(delay, self, armed, ActorRefs.NoSender, armed);
    }

    public bool IsTimerActive(object key) => Find(key) is not null;

    public void Cancel(object key) => Take(key)?.Cancel();

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
        // one of an earlier instance of the actor, whose timers were others) is not.
        if (!ReferenceEquals(Find(armed.Key), armed)) return null;
        Take(armed.Key);
        return armed.Message;
    }

    // Keys compare as the dictionary compares them: the stored key's Equals.
    private Armed? Find(object key) => _many is not null
        ? _many.GetValueOrDefault(key)
        : _one is { } one && one.Key.Equals(key) ? one : null;

    /// <summary>Removes and returns the live timer under <paramref name="key"/>, if any.</summary>
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
    }
}
