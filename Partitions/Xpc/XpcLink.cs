using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Xpc;

/// <summary>One direction of the link between two partitions.</summary>
public readonly record struct LinkDirection(PartitionId From, PartitionId To)
{
    public override string ToString() => $"{From}->{To}";
}

/// <summary>What a <see cref="LedgerMark"/> counts.</summary>
public enum LedgerKind
{
    /// <summary>Messages the sending endpoint numbered.</summary>
    Sent = 1,

    /// <summary>Messages the receiving endpoint handed over.</summary>
    Handed,

    /// <summary>The receiving endpoint heard the sender (any packet); Count is 1.</summary>
    Heard,
}

/// <summary>
/// How far one direction of the link got in session <paramref name="Epoch"/>, as the endpoints
/// of one node count it. A cluster driver merges every node's into one link, to tell whether
/// XPC settled and whether every pair of partitions has met.
/// </summary>
public sealed record LedgerMark(int From, int To, LedgerKind Kind, long Epoch, long Count);

/// <summary>
/// What the link does to one packet: the delays of the copies that arrive (none: lost; two: the
/// link duplicated it), how many copies it lost, and whether a cut lost it.
/// </summary>
public sealed record PacketFate(IReadOnlyList<TimeSpan> Arrivals, int Lost, bool Duplicated,
    bool Cut, bool Aimed = false)
{
    /// <summary>One copy, now: a link without faults.</summary>
    public static readonly PacketFate Delivered = new([TimeSpan.Zero], 0, false, false);

    public static readonly PacketFate CutOff = new([], 1, false, true);

    /// <summary>Lost because a fault was aimed at it (<see cref="XpcLink.Aim"/>).</summary>
    public static readonly PacketFate AimedOff = new([], 1, false, false, Aimed: true);
}

/// <summary>
/// The wire between the partitions' XPC endpoints, and its faults (the fault-injecting driver,
/// like TigerBeetle's packet simulator): for each packet an endpoint sends it decides, with its
/// own seeded draws (<see cref="LinkDraws"/>), whether it is lost, duplicated or delayed. Faults
/// are set per direction (<c>drop 30% 0->1</c>) or on every link at once (<c>drop 30%</c>, which
/// also ends the per-direction settings of the same kind); a cut link carries nothing either way.
/// Without faults it draws nothing, so a run without faults is the run it always was.
///
/// It also keeps, per direction, how far the sending endpoint numbered and how far the receiving
/// one handed over, each in its session (epoch), so a driver can tell when everything a step set
/// going has arrived (<see cref="Settled"/>). Thread safe: in <c>sim</c> one thread calls it, in
/// the order the seed decides, so the same seed gives the same fates; in <c>live</c> every
/// endpoint calls it from its own thread and the driver reads <see cref="Settled"/> from another,
/// so the faults, the random stream and the counts are all behind one lock (the seed then still
/// decides the fates' stream, the threads decide which packet draws which).
/// </summary>
public sealed class XpcLink
{
    private readonly Lock _gate = new();
    private readonly LinkDraws _draws;
    private readonly Dictionary<LinkDirection, double> _drop = [];
    private readonly Dictionary<LinkDirection, double> _duplicate = [];
    private readonly Dictionary<LinkDirection, (TimeSpan Min, TimeSpan Max)> _delay = [];
    private readonly HashSet<(int, int)> _cut = [];
    private readonly Dictionary<LinkDirection, (long Epoch, long Count)> _sent = [];
    private readonly Dictionary<LinkDirection, (long Epoch, long Count)> _handed = [];
    private readonly Dictionary<LinkDirection, long> _heard = [];
    private double _dropEvery;
    private double _duplicateEvery;
    private (TimeSpan Min, TimeSpan Max) _delayEvery;

    /// <summary>
    /// No fault is set on any link (no cut, loss, duplication or delay): every packet is
    /// delivered, decided without the lock (the usual run, where every packet asks).
    /// </summary>
    private volatile bool _faultless = true;

    /// <summary>A link whose random choices come from <paramref name="seed"/>.</summary>
    public XpcLink(int seed = 0) => _draws = new LinkDraws(seed);

    /// <summary>A link whose random choices <paramref name="draws"/> makes.</summary>
    public XpcLink(LinkDraws draws) => _draws = draws;

    /// <summary>
    /// The link of a run seeded with <paramref name="runSeed"/>: its own stream, derived from the
    /// run's seed (<see cref="LinkDraws.SeedForRun"/>).
    /// </summary>
    public static XpcLink ForRun(int runSeed) => new(LinkDraws.SeedForRun(runSeed));

    /// <summary>
    /// Whether a partition is crashed: nothing to or from it is waited for. The machine sets it.
    /// </summary>
    public Func<PartitionId, bool> Crashed { get; set; } = _ => false;

    /// <summary>
    /// True when every message sent in a session has been handed over in that session, except on
    /// directions that carry nothing (cut, or dropping everything: those wait for a heal), to or
    /// from a crashed partition, or in a session the receiver has left (the sender will drop it).
    /// </summary>
    public bool Settled
    {
        get
        {
            lock (_gate)
            {
                return _sent.All(entry => IsSettled(entry.Key, entry.Value));
            }
        }
    }

    /// <summary>Drops that share (0 to 1) of packets, on one direction or on every link.</summary>
    public void Drop(double rate, LinkDirection? link = null)
    {
        CheckRate(rate);
        lock (_gate) Set(_drop, ref _dropEvery, rate, link);
    }

    /// <summary>Delivers that share (0 to 1) of packets twice.</summary>
    public void Duplicate(double rate, LinkDirection? link = null)
    {
        CheckRate(rate);
        lock (_gate) Set(_duplicate, ref _duplicateEvery, rate, link);
    }

    /// <summary>
    /// Delays each packet by a time drawn evenly from <paramref name="min"/> to
    /// <paramref name="max"/>; zero for both ends it. Delays reorder packets.
    /// </summary>
    public void Delay(TimeSpan min, TimeSpan max, LinkDirection? link = null)
    {
        if (min < TimeSpan.Zero || max < min)
            throw new ArgumentOutOfRangeException(nameof(max), $"a delay of {min}..{max}");
        lock (_gate) Set(_delay, ref _delayEvery, (min, max), link);
    }

    /// <summary>
    /// The link between <paramref name="p"/> and <paramref name="q"/> carries nothing, either way.
    /// </summary>
    public void Cut(PartitionId p, PartitionId q)
    {
        lock (_gate)
        {
            _cut.Add(Pair(p, q));
            FaultsChanged();
        }
    }

    /// <summary>The link carries again (loss, delay and duplication set on it stay).</summary>
    public void Heal(PartitionId p, PartitionId q)
    {
        lock (_gate)
        {
            _cut.Remove(Pair(p, q));
            FaultsChanged();
        }
    }

    /// <summary>
    /// A loss aimed at one packet (explore's <c>--inject reply-drop</c>): the packet it returns
    /// true for is lost, whatever the link's faults; it draws nothing, so the link's other draws
    /// stay as they were. Set it on the loop's thread (sim).
    /// </summary>
    public Func<object, bool>? Aim { get; set; }

    /// <summary>
    /// Decides what happens to <paramref name="packet"/>, sent next on <paramref name="link"/>:
    /// lost if a fault is aimed at it, else as <see cref="Decide(LinkDirection)"/>.
    /// </summary>
    public PacketFate Decide(LinkDirection link, object packet) =>
        Aim is { } aim && aim(packet) ? PacketFate.AimedOff : Decide(link);

    /// <summary>Decides what happens to the next packet sent on <paramref name="link"/>.</summary>
    public PacketFate Decide(LinkDirection link)
    {
        if (_faultless) return PacketFate.Delivered;
        lock (_gate)
        {
            if (_cut.Contains(Pair(link.From, link.To))) return PacketFate.CutOff;
            var drop = _drop.GetValueOrDefault(link, _dropEvery);
            var duplicate = _duplicate.GetValueOrDefault(link, _duplicateEvery);
            var delay = _delay.GetValueOrDefault(link, _delayEvery);
            if (drop == 0 && duplicate == 0 && delay.Max == TimeSpan.Zero)
                return PacketFate.Delivered;
            var copies = duplicate > 0 && _draws.Happens(duplicate) ? 2 : 1;
            var arrivals = new List<TimeSpan>(copies);
            for (var copy = 0; copy < copies; copy++)
            {
                if (drop > 0 && _draws.Happens(drop)) continue;
                arrivals.Add(Draw(delay.Min, delay.Max));
            }
            return new PacketFate(arrivals, copies - arrivals.Count, copies == 2, false);
        }
    }

    /// <summary>
    /// The sending endpoint of <paramref name="link"/> numbered <paramref name="count"/> messages
    /// in session <paramref name="epoch"/> (0 when the session starts).
    /// </summary>
    public void Sent(LinkDirection link, long epoch, long count)
    {
        lock (_gate) _sent[link] = (epoch, count);
    }

    /// <summary>
    /// The receiving endpoint of <paramref name="link"/> handed over every message up to
    /// <paramref name="count"/> of session <paramref name="epoch"/>.
    /// </summary>
    public void Handed(LinkDirection link, long epoch, long count)
    {
        lock (_gate) _handed[link] = (epoch, count);
    }

    /// <summary>Every direction's counts as the endpoints told them here.</summary>
    public IReadOnlyList<LedgerMark> Marks()
    {
        lock (_gate)
        {
            return
            [
                .. _sent.Select(e => new LedgerMark(e.Key.From.Value, e.Key.To.Value,
                    LedgerKind.Sent, e.Value.Epoch, e.Value.Count)),
                .. _handed.Select(e => new LedgerMark(e.Key.From.Value, e.Key.To.Value,
                    LedgerKind.Handed, e.Value.Epoch, e.Value.Count)),
                .. _heard.Select(e => new LedgerMark(e.Key.From.Value, e.Key.To.Value,
                    LedgerKind.Heard, e.Value, 1)),
            ];
        }
    }

    /// <summary>Takes a mark another node's endpoint counted (a cluster driver's merge).</summary>
    public void Record(LedgerMark mark)
    {
        var link = new LinkDirection(new PartitionId(mark.From), new PartitionId(mark.To));
        switch (mark.Kind)
        {
            case LedgerKind.Sent:
                Sent(link, mark.Epoch, mark.Count);
                break;
            case LedgerKind.Handed:
                Handed(link, mark.Epoch, mark.Count);
                break;
            case LedgerKind.Heard:
                Heard(link, mark.Epoch);
                break;
        }
    }

    /// <summary>
    /// The receiving endpoint of <paramref name="link"/> heard its sender in session
    /// <paramref name="epoch"/> (the first time in each session is what counts).
    /// </summary>
    public void Heard(LinkDirection link, long epoch)
    {
        lock (_gate)
        {
            if (_heard.GetValueOrDefault(link, -1) < epoch) _heard[link] = epoch;
        }
    }

    /// <summary>
    /// True once each of <paramref name="p"/> and <paramref name="q"/> has heard the other: the
    /// pair has met (what a cluster's start waits for).
    /// </summary>
    public bool Met(PartitionId p, PartitionId q)
    {
        lock (_gate)
        {
            return _heard.ContainsKey(new LinkDirection(p, q))
                && _heard.ContainsKey(new LinkDirection(q, p));
        }
    }

    private bool IsSettled(LinkDirection link, (long Epoch, long Count) sent)
    {
        if (sent.Count == 0 || CarriesNothing(link) || Crashed(link.From) || Crashed(link.To))
            return true;
        var handed = _handed.GetValueOrDefault(link, (1, 0));
        return handed.Epoch > sent.Epoch
            || (handed.Epoch == sent.Epoch && handed.Count == sent.Count);
    }

    /// <summary>False when <paramref name="link"/> is cut or drops every packet.</summary>
    public bool Carries(LinkDirection link)
    {
        lock (_gate) return !CarriesNothing(link);
    }

    private bool CarriesNothing(LinkDirection link) =>
        _cut.Contains(Pair(link.From, link.To))
        || _drop.GetValueOrDefault(link, _dropEvery) >= 1;

    private TimeSpan Draw(TimeSpan min, TimeSpan max) =>
        max == min ? min : _draws.Between(min, max);

    /// <summary>
    /// One direction takes its own value; every link takes the new value and forgets the
    /// per-direction ones (so <c>drop 0%</c> ends every drop).
    /// </summary>
    private void Set<T>(Dictionary<LinkDirection, T> perLink, ref T every, T value,
        LinkDirection? link)
    {
        if (link is { } one)
        {
            perLink[one] = value;
        }
        else
        {
            perLink.Clear();
            every = value;
        }
        FaultsChanged();
    }

    /// <summary>After any change of the faults (Set, a cut, a heal), under the lock.</summary>
    private void FaultsChanged() =>
        _faultless = _cut.Count == 0 && _drop.Count == 0 && _duplicate.Count == 0
            && _delay.Count == 0 && _dropEvery == 0 && _duplicateEvery == 0
            && _delayEvery.Max == TimeSpan.Zero;

    private static (int, int) Pair(PartitionId p, PartitionId q) =>
        p.Value < q.Value ? (p.Value, q.Value) : (q.Value, p.Value);

    private static void CheckRate(double rate)
    {
        if (rate is < 0 or > 1 || double.IsNaN(rate))
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "a rate is 0 to 1");
    }
}
