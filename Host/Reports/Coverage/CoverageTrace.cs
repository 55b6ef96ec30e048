using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using Akka.Actor;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Locks;
using Emulator.Partitions.Tracing;
using Emulator.Partitions.Xpc;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Partitions;

namespace Emulator.Host.Reports.Coverage;

/// <summary>
/// Counts one run's coverage from the machine's own deliveries and events, as they happen: the
/// explorer's way (no trace is written). Counts what <see cref="CoverageView"/> counts from the
/// same run's trace file. Thread safe (a live machine traces from many threads).
/// </summary>
public sealed class CoverageTrace : ITrace
{
    private readonly ProtocolCoverage _coverage;
    private readonly object _gate = new();
    private readonly HashSet<RequestId> _chains = [];
    private readonly HashSet<RequestId> _lookedUp = [];
    /// <summary>Lock visits in progress: true once the task holds the lock.</summary>
    private readonly Dictionary<(LockId, LockTask), bool> _visits = [];
    private readonly List<int> _items = [];

    internal CoverageTrace(ProtocolCoverage coverage) => _coverage = coverage;

    public bool Enabled => true;

    public void Delivered(string actor, object message)
    {
        if (message is IWrappedMessage wrapped) message = wrapped.Message;
        var outer = message;
        while (Inner(message) is { } inner) message = inner;
        var id = RequestOf(message);
        var type = message.GetType().Name;
        lock (_gate)
        {
            if (type == "Pin" && id is { } pin) _chains.Add(pin);
            // A fault actor's own timer has no id; only fault actors have it.
            var inChain = type == "PinTimedOut" || (id is { } known && _chains.Contains(known));
            if (ReferenceEquals(outer, message))
                CoverageCatalogue.ForMessage(type, inChain, _items);
            else if (inChain) CoverageCatalogue.ForMessage(outer.GetType().Name, true, _items);
            if (inChain && type == "FindPage" && ReferenceEquals(outer, message)
                && !_lookedUp.Add(id!.Value)) _items.Add(CoverageCatalogue.LookupRetried);
            Flush();
        }
    }

    public void Event(string actor, ITraceEvent @event)
    {
        lock (_gate)
        {
            switch (@event)
            {
                case LockWaiting waiting:
                    _visits[(waiting.Lock, waiting.Task)] = false;
                    Lock(waiting.Lock, CoverageCatalogue.Waited(waiting.Access));
                    break;
                case LockAcquired acquired:
                    _visits[(acquired.Lock, acquired.Task)] = true;
                    Lock(acquired.Lock, CoverageCatalogue.Held(acquired.Access));
                    break;
                case LockReleased released:
                    if (_visits.Remove((released.Lock, released.Task), out var held))
                        Lock(released.Lock, held ? LockStage.Released : LockStage.StoppedWaiting);
                    break;
                default:
                    var detail = @event switch
                    {
                        Accessed accessed => accessed.Write ? "write" : "read",
                        PeerStateChanged changed => changed.State.ToString(),
                        _ => null,
                    };
                    CoverageCatalogue.ForEvent(
                        TraceShapes.KindOf(@event.GetType()).Value, detail, _items);
                    break;
            }
            Flush();
        }
    }

    private void Lock(LockId id, LockStage stage) =>
        CoverageCatalogue.ForLock(id.Kind, stage, _items);

    private void Flush()
    {
        foreach (var item in _items) _coverage.Count(item);
        _items.Clear();
    }

    /// <summary>What a routed or carried message holds (as the trace's nesting shows it).</summary>
    private static object? Inner(object message) => message switch
    {
        Partition.Deliver deliver => deliver.Request,
        XpcActor.Carry carry => carry.Message,
        XpcActor.Sequenced sequenced => sequenced.Message,
        _ => null,
    };

    /// <summary>
    /// The request chain of a message: its <c>RequestId</c> property, as the trace writes it
    /// (internal messages such as <c>FindPage</c> carry one without being an IRequest).
    /// </summary>
    private static RequestId? RequestOf(object message) => message switch
    {
        IRequest request => request.RequestId,
        IReply reply => reply.RequestId,
        _ => RequestIds.GetOrAdd(message.GetType(), RequestIdReader)(message),
    };

    private static readonly ConcurrentDictionary<Type, Func<object, RequestId?>> RequestIds = new();

    private static Func<object, RequestId?> RequestIdReader(Type type)
    {
        var property = type.GetProperty(nameof(IRequest.RequestId),
            BindingFlags.Public | BindingFlags.Instance);
        if (property?.PropertyType != typeof(RequestId)) return static _ => null;
        // Compiled once per type: a message then costs one delegate call.
        var message = Expression.Parameter(typeof(object));
        return Expression.Lambda<Func<object, RequestId?>>(Expression.Convert(
            Expression.Property(Expression.Convert(message, type), property),
            typeof(RequestId?)), message).Compile();
    }
}
