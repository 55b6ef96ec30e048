using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Checks;

/// <summary>
/// Nothing in flight: when the machine is idle at the end, no call and no request still waits for
/// a reply (a reply that never came is a lost message or a hang in waiting). It also answers
/// <c>expect quiet</c> mid-run.
/// </summary>
public sealed class InFlightChecker : IChecker
{
    private readonly Dictionary<RequestId, (string What, PartitionId At)> _waiting = [];
    private long _requests;

    public string Name => "nothing in flight";

    public int Count => _waiting.Count;

    public CheckerBreach? Observe(MachineEvent e)
    {
        switch (e)
        {
            case RequestStarted started:
                On(started);
                break;
            case PartitionCrashed crashed:
                Crashed(crashed.Partition);
                break;
            case RequestEnded ended:
                On(ended);
                break;
        }
        return null;
    }

    public void On(RequestStarted started) =>
        Started(started.Request, started.What, started.At ?? started.Request.Origin);

    public void On(RequestEnded ended) => Ended(ended.Request);

    /// <summary><paramref name="id"/> waits for its reply, at partition <paramref name="at"/>.
    /// </summary>
    public void Started(RequestId id, string what, PartitionId at)
    {
        _requests++;
        _waiting[id] = (what, at);
    }

    public void Ended(RequestId id) => _waiting.Remove(id);

    // A method of its own: a lambda in Observe would have C# make its closure as Observe starts,
    // for every event (32 bytes each; the machine emits several per fault).
    private void Crashed(PartitionId partition)
    {
        foreach (var id in _waiting.Where(w => w.Value.At == partition)
            .Select(w => w.Key).ToList()) _waiting.Remove(id);
    }

    public CheckerReport Final() => new(Name, _waiting.Count == 0,
        $"{Counted.Of(_requests, "request")}, "
        + (_waiting.Count == 0 ? "every one answered" : Describe()));

    /// <summary>The requests still waiting (a few of them), by id and what they are.</summary>
    public string Describe(int shownMax = 8)
    {
        if (_waiting.Count == 0) return "nothing is in flight";
        var shown = _waiting
            .OrderBy(w => w.Key)
            .Take(shownMax).Select(w => $"{w.Key} {w.Value.What}");
        var more = _waiting.Count > shownMax ? $" and {_waiting.Count - shownMax} more" : "";
        return $"{_waiting.Count} still waiting: {string.Join(", ", shown)}{more}";
    }
}
