namespace Emulator.Host.Injection;

/// <summary>
/// Which faults a run injects, asked at every delivery while the scenario's steps run (the
/// runner applies them: see <c>ScenarioRunner</c>). <see cref="Realized"/> is what the run did,
/// in order: what a schedule file records and a replay applies again
/// (<see cref="ReplayedInjections"/>). A plan serves one run.
/// </summary>
public abstract class InjectionPlan
{
    private readonly List<Injection> _realized = [];

    /// <summary>The injections the run applied, in order.</summary>
    public IReadOnlyList<Injection> Realized => _realized;

    /// <summary>
    /// The faults to inject as delivery <paramref name="delivery"/> (counted from the first
    /// step) is handed over; <paramref name="pin"/> when it is a fault's pin reaching a segment.
    /// </summary>
    public abstract IEnumerable<Injection> At(long delivery, PinArrival? pin);

    /// <summary>The runner applied <paramref name="injection"/>.</summary>
    public void Applied(Injection injection)
    {
        _realized.Add(injection);
        OnApplied(injection);
    }

    protected virtual void OnApplied(Injection injection)
    {
    }
}

/// <summary>Applies recorded injections at their deliveries (a replay, a shrink's candidate).
/// </summary>
public sealed class ReplayedInjections(IReadOnlyList<Injection> recorded) : InjectionPlan
{
    public IReadOnlyList<Injection> Recorded => recorded;

    public override IEnumerable<Injection> At(long delivery, PinArrival? pin) =>
        recorded.Where(injection => injection.Delivery == delivery);
}

/// <summary>
/// An explore's injections for one schedule, all drawn from its seed with a stream of their own
/// (the strategy's and the link's draws stay as they were): a <c>crash</c> of a partition drawn
/// evenly, at a delivery drawn evenly from the first <paramref name="deliveries"/> (a run's
/// deliveries, measured before the search); a <c>restart</c> of it some deliveries later (drawn
/// the same way; alone, a reboot of a running partition); each aimed kind at most once, at a
/// pin that fits it (<see cref="PinArrival"/>; a remote one for <c>owner-crash</c> and
/// <c>reply-drop</c>), taken with probability <see cref="AimChance"/> at each.
/// </summary>
public sealed class DrawnInjections : InjectionPlan
{
    /// <summary>The chance that an aimed fault is injected at a pin that fits it.</summary>
    public const double AimChance = 0.5;

    private readonly Random _random;
    private readonly HashSet<InjectKind> _aimed = [];
    private readonly List<Injection> _timed = [];

    public DrawnInjections(IReadOnlyCollection<InjectKind> kinds, int seed, int partitions,
        long deliveries)
    {
        _random = new Random(unchecked(seed * 7919 + 0x1d3c7));
        var span = (int)Math.Clamp(deliveries, 1, int.MaxValue - 1);
        var partition = _random.Next(partitions);
        var crashAt = (long)_random.Next(1, span + 1);
        if (kinds.Contains(InjectKind.Crash))
            _timed.Add(new Injection(crashAt, InjectKind.Crash, partition));
        if (kinds.Contains(InjectKind.Restart))
        {
            var after = kinds.Contains(InjectKind.Crash) ? crashAt : 0;
            _timed.Add(new Injection(after + _random.Next(1, span + 1), InjectKind.Restart,
                partition));
        }
        foreach (var kind in kinds.Where(kind => !Injections.TakesPartition(kind)
            || kind == InjectKind.OwnerCrash)) _aimed.Add(kind);
    }

    public override IEnumerable<Injection> At(long delivery, PinArrival? pin)
    {
        foreach (var timed in _timed.Where(timed => timed.Delivery == delivery))
            yield return timed;
        if (pin is null || _aimed.Count == 0) yield break;
        foreach (var kind in Injections.Aimed.Where(_aimed.Contains).ToList())
        {
            if (kind != InjectKind.ReleaseDuringFault && !pin.Remote) continue;
            if (_random.NextDouble() >= AimChance) continue;
            yield return new Injection(delivery, kind,
                kind == InjectKind.OwnerCrash ? pin.Owner.Partition.Value : null);
        }
    }

    protected override void OnApplied(Injection injection) => _aimed.Remove(injection.Kind);
}
