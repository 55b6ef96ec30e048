using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Checks;

/// <summary>
/// No store lost or duplicated by XPC: a store through a remote PTE crosses the link as one
/// message, which the link may lose, duplicate or delay and XPC must still apply exactly once.
/// So a store the attacher saw <c>Written</c> was applied exactly once, and no store is ever
/// applied twice (a toucher that got a signal instead may have landed its store once, or not).
/// Stores of a crashed partition's processes are forgotten: their answers never come.
/// </summary>
public sealed class StoresOnceChecker : IChecker
{
    /// <summary>
    /// How many answered stores are remembered, to catch a duplicate applied after the answer:
    /// XPC retransmits for a few backoffs, far fewer stores than this.
    /// </summary>
    private const int AnsweredRemembered = 1 << 16;

    // One entry a store: open (sent, not answered yet) with how many times it was applied,
    // and/or answered recently. One table, not an open table beside a set of answered ids:
    // each store event was a lookup in both (the set's lookups a percent of the Altix run).
    private readonly Dictionary<RequestId, Store> _stores = [];
    // The answered stores remembered, oldest first: the oldest is forgotten past the bound.
    private readonly Queue<RequestId> _answeredOrder = new();
    private long _sent;
    private long _written;
    private long _unknown;

    public string Name => "stores once";

    public CheckerBreach? Observe(MachineEvent e)
    {
        switch (e)
        {
            case StoreSent sent:
                On(sent);
                break;
            case StoreApplied applied:
                return On(applied);
            case StoreAnswered answered:
                return On(answered);
            case PartitionCrashed crashed:
                Crashed(crashed.Partition);
                break;
        }
        return null;
    }

    public void On(StoreSent sent)
    {
        _sent++;
        ref var store = ref CollectionsMarshal.GetValueRefOrAddDefault(_stores, sent.Request,
            out _);
        store.Open = true;
        store.Applications = 0;
    }

    public CheckerBreach? On(StoreApplied applied)
    {
        ref var store = ref CollectionsMarshal.GetValueRefOrNullRef(_stores, applied.Request);
        if (Unsafe.IsNullRef(ref store)) return null;
        if (store.Answered)
        {
            return new CheckerBreach($"store {applied.Request} was applied after its "
                + "answer came: XPC delivered it twice");
        }
        if (!store.Open || ++store.Applications <= 1) return null;
        return new CheckerBreach($"store {applied.Request} was applied {store.Applications} "
            + "times: XPC delivered it more than once");
    }

    public CheckerBreach? On(StoreAnswered answered)
    {
        ref var store = ref CollectionsMarshal.GetValueRefOrNullRef(_stores, answered.Request);
        if (Unsafe.IsNullRef(ref store) || !store.Open) return null;
        var applications = store.Applications;
        store.Open = false;
        store.Applications = 0;
        store.Answered = true;
        // The reference is dead past here: forgetting the oldest may remove an entry.
        Remember(answered.Request);
        if (!answered.Written)
        {
            _unknown++;
            return null;
        }
        _written++;
        if (applications == 1) return null;
        return new CheckerBreach($"store {answered.Request} was answered Written "
            + $"but applied {applications} times: XPC lost it");
    }

    // A method of its own: a lambda in Observe would have C# make its closure as Observe starts,
    // for every event (32 bytes each; the machine emits several per fault).
    private void Crashed(PartitionId partition)
    {
        // Its open stores are forgotten; what it had answered is still remembered.
        foreach (var id in _stores.Where(s => s.Key.Origin == partition && s.Value.Open)
            .Select(s => s.Key).ToList())
        {
            ref var store = ref CollectionsMarshal.GetValueRefOrNullRef(_stores, id);
            store.Open = false;
            store.Applications = 0;
            if (!store.Answered) _stores.Remove(id);
        }
    }

    public CheckerReport Final() => new(Name, true,
        $"{Counted.Of(_sent, "store")} across XPC: {_written} written once, {_unknown} ended "
        + "without an answer (their toucher faulted again or got a signal), none twice");

    /// <summary>
    /// Remembers an answered store; past the bound the oldest remembered is forgotten (each
    /// answer is queued, so a store answered twice is forgotten at its first's turn).
    /// </summary>
    private void Remember(RequestId id)
    {
        _answeredOrder.Enqueue(id);
        if (_answeredOrder.Count <= AnsweredRemembered) return;
        var oldest = _answeredOrder.Dequeue();
        ref var store = ref CollectionsMarshal.GetValueRefOrNullRef(_stores, oldest);
        if (Unsafe.IsNullRef(ref store)) return;
        store.Answered = false;
        if (!store.Open) _stores.Remove(oldest);
    }

    /// <summary>A store's state: open (and applied how many times), answered recently.</summary>
    private struct Store
    {
        public int Applications;
        public bool Open;
        public bool Answered;
    }
}
