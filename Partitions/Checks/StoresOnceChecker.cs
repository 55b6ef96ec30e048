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

    // Stores sent and not answered yet: how many times each was applied.
    private readonly Dictionary<RequestId, int> _open = [];
    private readonly HashSet<RequestId> _answered = [];
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
        _open[sent.Request] = 0;
    }

    public CheckerBreach? On(StoreApplied applied)
    {
        if (_answered.Contains(applied.Request))
        {
            return new CheckerBreach($"store {applied.Request} was applied after its answer "
                + "came: XPC delivered it twice");
        }
        ref var times = ref CollectionsMarshal.GetValueRefOrNullRef(_open, applied.Request);
        if (Unsafe.IsNullRef(ref times) || ++times <= 1) return null;
        return new CheckerBreach($"store {applied.Request} was applied {times} times: XPC "
            + "delivered it more than once");
    }

    public CheckerBreach? On(StoreAnswered answered)
    {
        if (!_open.Remove(answered.Request, out var applications)) return null;
        Remember(answered.Request);
        if (!answered.Written)
        {
            _unknown++;
            return null;
        }
        _written++;
        if (applications == 1) return null;
        return new CheckerBreach($"store {answered.Request} was answered Written but applied "
            + $"{applications} times: XPC lost it");
    }

    // A method of its own: a lambda in Observe would have C# make its closure as Observe starts,
    // for every event (32 bytes each; the machine emits several per fault).
    private void Crashed(PartitionId partition)
    {
        foreach (var id in _open.Keys.Where(id => id.Origin == partition).ToList())
            _open.Remove(id);
    }

    public CheckerReport Final() => new(Name, true,
        $"{Counted.Of(_sent, "store")} across XPC: {_written} written once, {_unknown} ended "
        + "without an answer (their toucher faulted again or got a signal), none twice");

    private void Remember(RequestId id)
    {
        _answered.Add(id);
        _answeredOrder.Enqueue(id);
        if (_answeredOrder.Count > AnsweredRemembered) _answered.Remove(_answeredOrder.Dequeue());
    }
}
