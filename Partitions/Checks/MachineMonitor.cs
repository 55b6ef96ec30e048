using Emulator.Partitions.Locks;
using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Checks;

/// <summary>
/// Where the machine's actors report what happens: every <see cref="MachineEvent"/> goes to every
/// checker that reads its type, in the order it happened, and the first breach is kept with the
/// events that led to it. Also counts what the run's summary prints, and records actors that
/// threw (each a bug in the emulator). Thread safe: in <c>live</c> mode (and in actor specs) the
/// actors report from pool threads at once, so every event goes through the checkers under one
/// lock, in the order the lock admits them. Each actor reports an event before it sends what the
/// event caused, so an event never reaches the checkers ahead of one it depends on. The checkers
/// themselves are plain state: read them mid-run through <see cref="Read{T}"/>, never directly.
/// No actor reads it. The commonest events, a call's requests and the locks actors hold as state,
/// may come as values instead (<see cref="RequestStarted(RequestId, string, PartitionId?,
/// PartitionLives, PartitionId?, int)"/>, <see cref="LockAcquired(LockId, LockTask, LockMode,
/// PartitionLives, PartitionId?, int)"/> and their kin): the same checkers in the same order, and
/// an event object only where a report or a <see cref="Tap"/> needs one.
/// </summary>
public sealed class MachineMonitor
{
    /// <summary>How many of the latest events a violation report shows.</summary>
    public const int RecentEventsMax = 16;

    private readonly Lock _gate = new();
    private readonly IChecker[] _checkers;
    // The checkers as themselves too: through IChecker each of the 8 calls an event makes went
    // through the runtime's interface stub (half a percent of the Altix run).
    private readonly CoherenceChecker _coherence = new();
    private readonly DeadAccessChecker _deadAccess = new();
    private readonly StoresOnceChecker _storesOnce = new();
    private readonly DeadlockChecker _deadlock = new();
    private readonly LockOrderChecker? _lockOrder;
    private readonly RecentEvent[] _recent = new RecentEvent[RecentEventsMax];
    private readonly List<string> _failures = [];
    private long _events;
    private long _xpcMessages;
    private long _faults;
    private Violation? _violation;

    /// <summary>
    /// The checkers of a machine whose faults take two mms in <paramref name="lockOrder"/>: the
    /// kernel's order is asserted on every wait; the naive one is not (the wait-for graph judges
    /// what it leads to).
    /// </summary>
    public MachineMonitor(LockOrder lockOrder = LockOrder.Kernel)
    {
        Pins = new PinChecker();
        InFlight = new InFlightChecker();
        Refcounts = new RefcountChecker();
        _lockOrder = lockOrder == LockOrder.Kernel ? new LockOrderChecker() : null;
        IChecker[] order = _lockOrder is null ? [] : [_lockOrder];
        // The order ObserveLocked calls them in: the first breach of an event is the first's.
        _checkers = [_coherence, _deadAccess, _storesOnce, Pins, Refcounts, InFlight, _deadlock,
            .. order];
    }

    public PinChecker Pins { get; }

    public InFlightChecker InFlight { get; }

    public RefcountChecker Refcounts { get; }

    /// <summary>What each partition sees of each peer; read it under <see cref="Read"/>.</summary>
    public PeerView Peers { get; } = new();

    /// <summary>Sees every event after the checkers (tests use it to watch the machine).</summary>
    public Action<MachineEvent>? Tap { get; set; }

    /// <summary>The first breach of any checker, or null.</summary>
    public Violation? Violation
    {
        get
        {
            lock (_gate) return _violation;
        }
    }

    /// <summary>
    /// Actors that threw: each is a bug in the emulator, never a user error. The run fails.
    /// </summary>
    public IReadOnlyList<string> Failures
    {
        get
        {
            lock (_gate) return _failures.ToList();
        }
    }

    public long XpcMessages => Interlocked.Read(ref _xpcMessages);

    public long Faults => Interlocked.Read(ref _faults);

    public void Observe(MachineEvent e)
    {
        lock (_gate) ObserveLocked(e);
    }

    /// <summary>
    /// Observes <paramref name="e"/>, made by an actor of <paramref name="home"/>'s incarnation
    /// <paramref name="incarnation"/>, unless that incarnation crashed first: false then. Live
    /// actors run on many threads, so one may finish a message after its partition's crash was
    /// observed; the crash is one instant (<see cref="Crash"/> takes the same lock), and what
    /// such a message did is lost with the partition, as it would be had the crash come before.
    /// </summary>
    public bool Observe(MachineEvent e, PartitionLives lives, PartitionId home, int incarnation)
    {
        lock (_gate)
        {
            if (!Runs(lives, home, incarnation)) return false;
            ObserveLocked(e);
            return true;
        }
    }

    /// <summary>
    /// A <see cref="RequestStarted"/> without the event: only the in-flight checker reads it, and
    /// the machine starts several requests a fault, so the event is made only for a
    /// <see cref="Tap"/>. As <see cref="Observe(MachineEvent, PartitionLives, PartitionId, int)"/>
    /// for an actor of <paramref name="home"/>'s incarnation <paramref name="incarnation"/> (none:
    /// no partition's); false when that incarnation crashed first.
    /// </summary>
    public bool RequestStarted(RequestId id, string what, PartitionId? at, PartitionLives lives,
        PartitionId? home, int incarnation)
    {
        lock (_gate)
        {
            if (!Runs(lives, home, incarnation)) return false;
            InFlight.Started(id, what, at ?? id.Origin);
            Tap?.Invoke(new RequestStarted(id, what, at));
            return true;
        }
    }

    /// <summary>A <see cref="RequestEnded"/> without the event (see <see cref="RequestStarted(
    /// RequestId, string, PartitionId?, PartitionLives, PartitionId?, int)"/>).</summary>
    public bool RequestEnded(RequestId id, PartitionLives lives, PartitionId? home, int incarnation)
    {
        lock (_gate)
        {
            if (!Runs(lives, home, incarnation)) return false;
            InFlight.Ended(id);
            Tap?.Invoke(new RequestEnded(id));
            return true;
        }
    }

    /// <summary>
    /// A <see cref="Checks.LockWaiting"/> without the event (a lock held as an actor's state, see
    /// <see cref="ILockEvents"/>): kept among the recent events as values, made into its event
    /// only for a report or a <see cref="Tap"/>. False when <paramref name="home"/>'s incarnation
    /// <paramref name="incarnation"/> crashed first (as
    /// <see cref="Observe(MachineEvent, PartitionLives, PartitionId, int)"/>).
    /// </summary>
    public bool LockWaiting(LockId id, LockTask task, LockMode mode, PartitionLives lives,
        PartitionId? home, int incarnation)
    {
        lock (_gate)
        {
            if (!Runs(lives, home, incarnation)) return false;
            WaitingLocked(id, task, mode, null);
            Tap?.Invoke(new LockWaiting(id, task, mode));
            return true;
        }
    }

    /// <summary>A <see cref="Checks.LockAcquired"/> without the event (see
    /// <see cref="LockWaiting(LockId, LockTask, LockMode, PartitionLives, PartitionId?, int)"/>).
    /// </summary>
    public bool LockAcquired(LockId id, LockTask task, LockMode mode, PartitionLives lives,
        PartitionId? home, int incarnation)
    {
        lock (_gate)
        {
            if (!Runs(lives, home, incarnation)) return false;
            AcquiredLocked(id, task, mode, null);
            Tap?.Invoke(new LockAcquired(id, task, mode));
            return true;
        }
    }

    /// <summary>A <see cref="Checks.LockReleased"/> without the event (see
    /// <see cref="LockWaiting(LockId, LockTask, LockMode, PartitionLives, PartitionId?, int)"/>).
    /// </summary>
    public bool LockReleased(LockId id, LockTask task, PartitionLives lives, PartitionId? home,
        int incarnation)
    {
        lock (_gate)
        {
            if (!Runs(lives, home, incarnation)) return false;
            ReleasedLocked(id, task, null);
            Tap?.Invoke(new LockReleased(id, task));
            return true;
        }
    }

    /// <summary>
    /// <paramref name="partition"/> crashes: it stops running and the checkers see it, in one
    /// step, so no event of its actors comes after the crash's.
    /// </summary>
    public PartitionCrashed Crash(PartitionLives lives, PartitionId partition)
    {
        var crashed = new PartitionCrashed(partition);
        lock (_gate)
        {
            lives.Crash(partition);
            ObserveLocked(crashed);
        }
        return crashed;
    }

    private void ObserveLocked(MachineEvent e)
    {
        Peers.Observe(e);
        if (!ObservedAlone(e))
        {
            Remember(e);
            if (e is FaultStarted) _faults++;
            else ObservedByAll(e);
        }
        Tap?.Invoke(e);
    }

    /// <summary>
    /// The machine's common events (a fault makes about twenty), each handed only to the
    /// checkers that read its type, in <c>_checkers</c>' order: the rest would look at its type
    /// and return null, eight calls an event. Request bookkeeping is not kept among the recent
    /// events: too common to explain anything, the report shows the rest. False for any other
    /// event.
    /// </summary>
    private bool ObservedAlone(MachineEvent e)
    {
        // The most common first (a type test each): requests, then lock takes and releases.
        switch (e)
        {
            case RequestStarted started:
                InFlight.On(started);
                return true;
            case RequestEnded ended:
                InFlight.On(ended);
                return true;
            case LockAcquired acquired:
                AcquiredLocked(acquired.Lock, acquired.Task, acquired.Access, e);
                return true;
            case LockReleased released:
                ReleasedLocked(released.Lock, released.Task, e);
                return true;
            case LockWaiting waiting:
                WaitingLocked(waiting.Lock, waiting.Task, waiting.Access, e);
                return true;
            case Accessed access:
                Remember(e);
                Keep(_coherence, _coherence.On(access));
                Keep(_deadAccess, _deadAccess.On(access));
                return true;
            case PageMapped mapped:
                Remember(e);
                _coherence.On(mapped);
                return true;
            case PageUnmapped unmapped:
                Remember(e);
                _coherence.On(unmapped);
                return true;
            case Pinned pinned:
                Remember(e);
                Pins.On(pinned);
                return true;
            case Unpinned unpinned:
                Remember(e);
                Keep(Pins, Pins.On(unpinned));
                return true;
            case StoreSent sent:
                _storesOnce.On(sent);
                return true;
            case StoreApplied applied:
                Keep(_storesOnce, _storesOnce.On(applied));
                return true;
            case StoreAnswered answered:
                Keep(_storesOnce, _storesOnce.On(answered));
                return true;
            default:
                return false;
        }
    }

    /// <summary>Every checker sees the event, in _checkers' order.</summary>
    private void ObservedByAll(MachineEvent e)
    {
        Keep(_coherence, _coherence.Observe(e));
        Keep(_deadAccess, _deadAccess.Observe(e));
        Keep(_storesOnce, _storesOnce.Observe(e));
        Keep(Pins, Pins.Observe(e));
        Keep(Refcounts, Refcounts.Observe(e));
        Keep(InFlight, InFlight.Observe(e));
        Keep(_deadlock, _deadlock.Observe(e));
        if (_lockOrder is not null) Keep(_lockOrder, _lockOrder.Observe(e));
    }

    /// <summary>
    /// Whether an actor of <paramref name="home"/>'s incarnation <paramref name="incarnation"/>
    /// (none: a machine actor) still runs: what it tells after its partition crashed is dropped.
    /// </summary>
    private static bool Runs(PartitionLives lives, PartitionId? home, int incarnation) =>
        home is not { } partition || lives.Runs(partition, incarnation);

    // A lock event, told as an event (e) or as values (e null): the same checkers, in order.
    private void WaitingLocked(LockId id, LockTask task, LockMode mode, MachineEvent? e)
    {
        Remember(e, RecentLock.Waiting, id, task, mode);
        Keep(_deadlock, _deadlock.OnWaiting(id, task, mode));
        if (_lockOrder is not null) Keep(_lockOrder, _lockOrder.OnWaiting(id, task));
    }

    private void AcquiredLocked(LockId id, LockTask task, LockMode mode, MachineEvent? e)
    {
        Remember(e, RecentLock.Acquired, id, task, mode);
        Keep(_deadlock, _deadlock.OnAcquired(id, task, mode));
        if (_lockOrder is not null) Keep(_lockOrder, _lockOrder.OnAcquired(id, task));
    }

    private void ReleasedLocked(LockId id, LockTask task, MachineEvent? e)
    {
        Remember(e, RecentLock.Released, id, task, default);
        _deadlock.OnReleased(id, task);
        _lockOrder?.OnReleased(id, task);
    }

    /// <summary>Keeps <paramref name="e"/> among the events a violation report shows.</summary>
    private void Remember(MachineEvent e) => _recent[_events++ % RecentEventsMax] = new(e);

    /// <summary>Keeps a lock event, as its object if there is one, else as its values.</summary>
    private void Remember(MachineEvent? e, RecentLock kind, LockId id, LockTask task,
        LockMode mode) =>
        _recent[_events++ % RecentEventsMax] = e is not null ? new(e) : new(kind, id, task, mode);

    /// <summary>Keeps <paramref name="breach"/> if it is the run's first.</summary>
    private void Keep(IChecker checker, CheckerBreach? breach)
    {
        if (breach is not null && _violation is null)
            _violation = new Violation(checker.Name, breach.What, breach.Process, Recent());
    }

    /// <summary>Every checker's verdict; call it once the run's teardown is over.</summary>
    public IReadOnlyList<CheckerReport> Final()
    {
        lock (_gate) return _checkers.Select(c => c.Final()).ToList();
    }

    /// <summary>Reads the checkers under the monitor's lock (for mid-run expectations).</summary>
    public T Read<T>(Func<MachineMonitor, T> read)
    {
        lock (_gate) return read(this);
    }

    public void ActorFailed(string actor, Exception exception)
    {
        lock (_gate) _failures.Add($"{actor}: {exception.GetType().Name}: {exception.Message}");
    }

    public void XpcCarried() => Interlocked.Increment(ref _xpcMessages);

    /// <summary>
    /// Messages XPC carried elsewhere (a cluster node's, gathered by the driver).
    /// </summary>
    public void XpcCarried(long count) => Interlocked.Add(ref _xpcMessages, count);

    /// <summary>An actor that threw elsewhere, as that node's monitor wrote it.</summary>
    public void ActorFailed(string report)
    {
        lock (_gate) _failures.Add(report);
    }

    private List<MachineEvent> Recent()
    {
        var count = (int)Math.Min(_events, RecentEventsMax);
        var list = new List<MachineEvent>(count);
        for (var i = _events - count; i < _events; i++)
            list.Add(_recent[i % RecentEventsMax].ToEvent());
        return list;
    }

    private enum RecentLock : byte
    {
        None,
        Waiting,
        Acquired,
        Released,
    }

    /// <summary>
    /// One of the recent events: the event, or a lock event's values (made into its event only
    /// for a report). A struct: a store straight into a MachineEvent[] had the runtime check the
    /// array's element type (arrays are covariant), a helper call for every event.
    /// </summary>
    private readonly struct RecentEvent
    {
        private readonly MachineEvent? _event;
        private readonly RecentLock _kind;
        private readonly LockId _lock;
        private readonly LockTask _task;
        private readonly LockMode _mode;

        public RecentEvent(MachineEvent e) => _event = e;

        public RecentEvent(RecentLock kind, LockId id, LockTask task, LockMode mode) =>
            (_kind, _lock, _task, _mode) = (kind, id, task, mode);

        public MachineEvent ToEvent() => _event ?? _kind switch
        {
            RecentLock.Waiting => new LockWaiting(_lock, _task, _mode),
            RecentLock.Acquired => new LockAcquired(_lock, _task, _mode),
            _ => new LockReleased(_lock, _task),
        };
    }
}
