using Akka.Actor;

namespace Emulator.Partitions.Sim;

/// <summary>
/// One pending timer of <see cref="SimScheduler"/>. Timers fire in (due time, registration
/// number) order, so two timers due at the same virtual instant fire in the order they were set.
/// A timer that tells a message keeps the tell's three parts instead of a closure over them:
/// actors set and cancel a timer on most deliveries (reply deadlines, XPC's acks and
/// retransmissions), and the closure and its delegate were two allocations more each time.
/// A single timer may be moved later while it waits (<see cref="SimScheduler.TryMove"/>): it then
/// takes the due time and number a timer set at that moment would have.
/// </summary>
internal sealed class SimTimer
{
    private readonly Action? _action;
    private readonly ICanTell? _receiver;
    private readonly object? _message;
    private readonly IActorRef? _sender;

    public SimTimer(
        TimeSpan due, long number, TimeSpan? interval, Action action, ICancelable? cancelable)
        : this(due, number, interval, cancelable, action, null, null, null)
    {
    }

    public SimTimer(TimeSpan due, long number, TimeSpan? interval, ICanTell receiver,
        object message, IActorRef sender, ICancelable? cancelable)
        : this(due, number, interval, cancelable, null, receiver, message, sender)
    {
    }

    private SimTimer(TimeSpan due, long number, TimeSpan? interval, ICancelable? cancelable,
        Action? action, ICanTell? receiver, object? message, IActorRef? sender)
    {
        Due = due;
        Number = number;
        Interval = interval;
        Cancelable = cancelable;
        _action = action;
        _receiver = receiver;
        _message = message;
        _sender = sender;
    }

    public TimeSpan Due { get; private set; }

    /// <summary>Registration number: unique per scheduler, only grows.</summary>
    public long Number { get; private set; }

    /// <summary>Where it fires among the others: by due time, then by number.</summary>
    public SimTimerOrder Order => new(Due, Number);

    /// <summary>In the scheduler's queue: neither fired nor dropped (cancelled) yet.</summary>
    public bool Queued { get; set; } = true;

    /// <summary>Set for a repeating timer: the next one is due this long after this one.</summary>
    public TimeSpan? Interval { get; }

    public ICancelable? Cancelable { get; }

    public bool IsCancelled => Cancelable is { IsCancellationRequested: true };

    /// <summary>The next round of a repeating timer: the same work, due later.</summary>
    public SimTimer Next(TimeSpan due, long number) =>
        new(due, number, Interval, Cancelable, _action, _receiver, _message, _sender);

    /// <summary>Due at <paramref name="due"/> as the timer numbered <paramref name="number"/>;
    /// the queue finds it there once its old place comes up.</summary>
    public void MoveTo(TimeSpan due, long number)
    {
        Due = due;
        Number = number;
    }

    public void Fire()
    {
        if (_action is not null) _action();
        else _receiver!.Tell(_message!, _sender!);
    }
}

/// <summary>A timer's place in the queue: by due time, then by registration number.</summary>
internal readonly record struct SimTimerOrder(TimeSpan Due, long Number)
    : IComparable<SimTimerOrder>
{
    public int CompareTo(SimTimerOrder other)
    {
        var byDue = Due.CompareTo(other.Due);
        return byDue != 0 ? byDue : Number.CompareTo(other.Number);
    }
}
