using Emulator.Partitions.Checks;
using Emulator.Protocol;
using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Processes;

/// <summary>
/// The replies a thread group waits for: each request's continuation, parked under its
/// <see cref="RequestId"/> until the one reply comes. The actor never blocks; it goes on serving
/// others meanwhile. Every wait is reported to the monitor, so a reply that never comes shows as
/// a request still in flight (through <paramref name="notes"/>: the monitor, through the actor).
/// A request that crosses XPC has a deadline
/// (<paramref name="deadlines"/> arms and disarms it): when it passes, the continuation gets
/// <see cref="TimedOut"/> and a reply that comes later is stale. Plain state, no actor.
/// </summary>
public sealed class PendingReplies(IRequestNotes notes, IReplyDeadlines deadlines)
{
    private readonly Dictionary<RequestId, Action<IReply>> _waiting = [];

    /// <summary>Each request with a deadline: the partition it went to, its deadline.</summary>
    private readonly Dictionary<RequestId, (PartitionId To, object Deadline)> _across = [];

    public int Count => _waiting.Count;

    /// <summary>
    /// Parks <paramref name="continuation"/> until the reply to <paramref name="id"/> comes;
    /// <paramref name="what"/> names the request for reports.
    /// </summary>
    public void Await(RequestId id, string what, Action<IReply> continuation)
    {
        Invariant.Holds(_waiting.TryAdd(id, continuation), $"request {id} is already awaited");
        notes.Started(id, what);
    }

    /// <summary>
    /// <see cref="Await"/> for a request that crosses XPC to partition <paramref name="to"/>:
    /// past its deadline, or when that partition goes down, the continuation gets
    /// <see cref="TimedOut"/>.
    /// </summary>
    public void AwaitWithDeadline(RequestId id, string what, PartitionId to,
        Action<IReply> continuation)
    {
        Await(id, what, continuation);
        _across[id] = (to, deadlines.Arm(id));
    }

    /// <summary>
    /// Partition <paramref name="peer"/> went down: every request waiting for it ends as
    /// <see cref="TimedOut"/> now (in request order), instead of at its deadline.
    /// </summary>
    public void FailTo(PartitionId peer)
    {
        var lost = _across.Where(a => a.Value.To == peer).Select(a => a.Key)
            .Order().ToList();
        foreach (var id in lost) Resume(new TimedOut(id));
    }

    /// <summary>
    /// Runs the continuation waiting for <paramref name="reply"/>; false if none waits (a stale
    /// reply, whose call ended with the process).
    /// </summary>
    public bool Resume(IReply reply)
    {
        if (!_waiting.Remove(reply.RequestId, out var continuation)) return false;
        if (_across.Remove(reply.RequestId, out var across)) deadlines.Disarm(across.Deadline);
        notes.Ended(reply.RequestId);
        continuation(reply);
        return true;
    }

    /// <summary>
    /// Waits for one reply to each of <paramref name="ids"/> (a fan-out), then runs
    /// <paramref name="then"/> once; at once if there are none.
    /// </summary>
    public void AwaitAll(IReadOnlyList<RequestId> ids, string what, Action then)
    {
        var one = Join.After(ids.Count, then);
        foreach (var id in ids) Await(id, what, _ => one());
    }

    /// <summary>The reply as the type the request expects; anything else is a bug.</summary>
    public static T Expect<T>(IReply reply) where T : IReply =>
        reply is T expected ? expected
        : throw new InvariantException(
            $"expected {typeof(T).Name} for {reply.RequestId}, got {reply.GetType().Name}");
}

/// <summary>
/// Where a thread group's requests are reported as they start and end: the monitor's in-flight
/// checker (<see cref="RequestStarted"/>, <see cref="RequestEnded"/>).
/// </summary>
public interface IRequestNotes
{
    void Started(RequestId id, string what);

    void Ended(RequestId id);

    /// <summary>Each as its event, handed to <paramref name="observe"/> (tests, tools).</summary>
    public static IRequestNotes Events(Action<MachineEvent> observe) => new EventNotes(observe);

    private sealed class EventNotes(Action<MachineEvent> observe) : IRequestNotes
    {
        public void Started(RequestId id, string what) => observe(new RequestStarted(id, what));

        public void Ended(RequestId id) => observe(new RequestEnded(id));
    }
}

/// <summary>Arms and disarms the deadline of a request (the owning actor's timers).</summary>
public interface IReplyDeadlines
{
    /// <summary>
    /// Past the request timeout, the request's continuation is to get TimedOut. Returns the
    /// deadline as <see cref="Disarm"/> takes it (kept, so disarming makes nothing).
    /// </summary>
    object Arm(RequestId id);

    void Disarm(object deadline);

    /// <summary>No deadlines: for code and tests where nothing crosses XPC.</summary>
    public static readonly IReplyDeadlines None = new NoDeadlines();

    private sealed class NoDeadlines : IReplyDeadlines
    {
        public object Arm(RequestId id) => this;

        public void Disarm(object deadline) { }
    }
}
