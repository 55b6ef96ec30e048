namespace Emulator.Partitions.Sim;

/// <summary>
/// What the loop offers its <see cref="SimStrategy"/> at one step: the ready mailboxes (options 0
/// to <see cref="Ready"/> - 1, in the order of their actors' registration) and, when the loop's
/// <see cref="SimTimers"/> allows it, the earliest timer as option <see cref="TimerOption"/>.
/// One per loop, refilled for each step: read it only inside <see cref="SimStrategy.Choose"/>.
/// </summary>
public sealed class SimOffer
{
    private readonly SimReadySet _ready;

    internal SimOffer(SimReadySet ready) => _ready = ready;

    /// <summary>Mailboxes ready to run.</summary>
    public int Ready => _ready.Count;

    /// <summary>True when firing the earliest timer is one of the options.</summary>
    public bool TimerOffered { get; private set; }

    /// <summary>True when the offered timer's due time has come (firing it moves no clock).
    /// </summary>
    public bool TimerIsDue { get; private set; }

    /// <summary>The options: the ready mailboxes, and the timer when offered.</summary>
    public int Count => _ready.Count + (TimerOffered ? 1 : 0);

    /// <summary>The option that fires the timer (meaningful when it is offered).</summary>
    public int TimerOption => _ready.Count;

    /// <summary>
    /// The default order's option: the mailbox that has waited longest since it became ready
    /// (first come, first served; a timer never, while a mailbox is ready).
    /// </summary>
    public int Oldest => _ready.OldestIndex();

    /// <summary>
    /// Which actor option <paramref name="option"/> runs: its mailbox's registration number,
    /// the same for the actor's whole life and the same in every run of the same schedule.
    /// </summary>
    public long ActorAt(int option) => _ready.NumberAt(option);

    internal void Set(bool timerOffered, bool timerIsDue)
    {
        TimerOffered = timerOffered;
        TimerIsDue = timerIsDue;
    }
}
