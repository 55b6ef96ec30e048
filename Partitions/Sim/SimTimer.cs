using Akka.Actor;

namespace Emulator.Partitions.Sim;

/// <summary>
/// One pending timer of <see cref="SimScheduler"/>. Timers fire in (due time, registration
/// number) order, so two timers due at the same virtual instant fire in the order they were set.
/// </summary>
internal sealed class SimTimer
{
    public static readonly IComparer<SimTimer> DueOrder = Comparer<SimTimer>.Create(Compare);

    public SimTimer(
        TimeSpan due, long number, TimeSpan? interval, Action fire, ICancelable? cancelable)
    {
        Due = due;
        Number = number;
        Interval = interval;
        Fire = fire;
        Cancelable = cancelable;
    }

    public TimeSpan Due { get; }

    /// <summary>Registration number: unique per scheduler, only grows.</summary>
    public long Number { get; }

    /// <summary>Set for a repeating timer: the next one is due this long after this one.</summary>
    public TimeSpan? Interval { get; }

    public Action Fire { get; }

    public ICancelable? Cancelable { get; }

    public bool IsCancelled => Cancelable is { IsCancellationRequested: true };

    private static int Compare(SimTimer? left, SimTimer? right)
    {
        if (ReferenceEquals(left, right)) return 0;
        if (left is null) return -1;
        if (right is null) return 1;
        var byDue = left.Due.CompareTo(right.Due);
        return byDue != 0 ? byDue : left.Number.CompareTo(right.Number);
    }
}
