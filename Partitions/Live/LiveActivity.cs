using System.Diagnostics;

namespace Emulator.Partitions.Live;

/// <summary>
/// What one live ActorSystem is doing, counted as it happens, so a driver can tell when the
/// machine has gone quiet without polling or sleeping: the mailbox runs handed to the thread pool
/// and not yet over (<see cref="LiveExecutor"/> counts them), and the messages delivered
/// (<see cref="LiveMessageQueue"/>). A mailbox is handed over whenever a message or a system
/// message (create, stop, watch) lands in an idle mailbox, always by the thread that sends it,
/// and a run that leaves messages behind hands its mailbox over again before it ends; so while
/// any message is waiting or being handled the count is above zero, and the moment it drops to
/// zero the machine is quiet: nothing is left to run until a timer fires or a driver sends.
/// Each drop to zero wakes the waiters of <see cref="WaitUntilQuiet"/>, which then check what
/// else they need (XPC settled, processes gone). Thread safe; plain code, no actor.
/// </summary>
public sealed class LiveActivity
{
    private readonly object _gate = new();
    private readonly StripedCounter _deliveries = new();
    private long _runsInFlight;
    private long _quietMoments;
    private bool _localQueues;

    /// <summary>Mailbox runs handed to the thread pool and not over yet.</summary>
    public long RunsInFlight => Interlocked.Read(ref _runsInFlight);

    /// <summary>Messages handed to actors under /user so far.</summary>
    public long Deliveries => _deliveries.Sum;

    /// <summary>How often the count of runs dropped to zero (for tests and reports).</summary>
    public long QuietMoments
    {
        get
        {
            lock (_gate) return _quietMoments;
        }
    }

    public bool IsQuiet => RunsInFlight == 0;

    /// <summary>
    /// Whether a mailbox run handed over by a pool thread goes to that thread's own queue (see
    /// <see cref="LiveExecutor"/>): set by <see cref="LiveSystem.Create"/> once the system is up.
    /// </summary>
    public bool LocalQueues
    {
        get => Volatile.Read(ref _localQueues);
        set => Volatile.Write(ref _localQueues, value);
    }

    /// <summary>
    /// A mailbox run was handed to the thread pool (called by the sending thread).
    /// </summary>
    public void RunScheduled() => Interlocked.Increment(ref _runsInFlight);

    /// <summary>
    /// A mailbox run is over (its handlers returned, anything they sent is counted already).
    /// </summary>
    public void RunEnded()
    {
        var left = Interlocked.Decrement(ref _runsInFlight);
        Invariant.Holds(left >= 0, "a mailbox run ended that was never scheduled");
        if (left != 0) return;
        // The lock orders this wake-up after a waiter's check: a waiter that saw work left is
        // inside Monitor.Wait (lock released) before we can take the lock and pulse it.
        lock (_gate)
        {
            _quietMoments++;
            Monitor.PulseAll(_gate);
        }
    }

    public void Delivered() => _deliveries.Increment();

    /// <summary>
    /// Blocks until the machine is quiet and <paramref name="settled"/> holds at the same moment,
    /// or <paramref name="wallLimit"/> of wall-clock time has passed (false: the machine never
    /// settled, which a driver reports as stuck). <paramref name="settled"/> must depend only on
    /// state that actors change inside their handlers (it is checked at each quiet moment, and
    /// whatever a handler changes is followed by one); it runs under this object's lock, so it
    /// must not wait for the actors.
    /// </summary>
    public bool WaitUntilQuiet(Func<bool> settled, TimeSpan wallLimit)
    {
        var watch = Stopwatch.StartNew();
        lock (_gate)
        {
            while (true)
            {
                if (IsQuiet && settled()) return true;
                var left = wallLimit - watch.Elapsed;
                if (left <= TimeSpan.Zero) return false;
                Monitor.Wait(_gate, left);
            }
        }
    }
}
