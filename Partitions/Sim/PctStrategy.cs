namespace Emulator.Partitions.Sim;

/// <summary>
/// Probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010;
/// Coyote's <c>pct</c>): every actor gets a random priority when it is first offered, and the
/// ready actor with the highest priority runs. At <c>depth - 1</c> change points, drawn evenly
/// from the first <see cref="EstimatedSteps"/> decisions, the actor about to run drops below every
/// other (the i-th change point to priority -i), and the next one runs instead. A bug that needs
/// d ordering constraints is found by one run with probability at least 1/(n k^(d-1)) for n
/// actors and k decisions; small depths find most bugs. A decision is a step with more than one
/// option; a timer whose time has come is one more actor with its own priority, and one offered
/// before its time (<see cref="SimTimers.Race"/>) fires only at a change point, which then moves
/// the clock on instead of lowering an actor.
/// </summary>
public sealed class PctStrategy : SimStrategy
{
    public const string Key = "pct";

    /// <summary>The timer's key among the actors' registration numbers (never negative).</summary>
    private const long TimerActor = -1;

    private readonly Dictionary<long, long> _priorities = [];
    private readonly long[] _changePoints;
    private Random _random = new(0);
    private long _decisions;
    private int _changesDone;

    /// <param name="depth">The bug depth d aimed at: d - 1 change points (1: none).</param>
    /// <param name="estimatedSteps">How many decisions a run makes (the change points are drawn
    /// among the first that many); an explorer measures it on one run.</param>
    public PctStrategy(int depth, long estimatedSteps)
    {
        if (depth < 1)
            throw new ArgumentOutOfRangeException(nameof(depth), depth, "a depth is at least 1");
        if (estimatedSteps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(estimatedSteps), estimatedSteps,
                "a run has at least one step");
        }
        Depth = depth;
        EstimatedSteps = estimatedSteps;
        _changePoints = new long[Math.Min(depth - 1, estimatedSteps)];
    }

    public override string Name => Key;

    public int Depth { get; }

    public long EstimatedSteps { get; }

    /// <summary>This run's change points: decision numbers (1 is the first), ascending.</summary>
    public IReadOnlyList<long> ChangePoints => _changePoints;

    public override void Begin(int seed)
    {
        _random = new Random(seed);
        _priorities.Clear();
        _decisions = 0;
        _changesDone = 0;
        // Distinct points, evenly among 1..k: draw again on a repeat (few points, many steps).
        for (var i = 0; i < _changePoints.Length; i++)
        {
            long point;
            do point = _random.NextInt64(1, EstimatedSteps + 1);
            while (Array.IndexOf(_changePoints, point, 0, i) >= 0);
            _changePoints[i] = point;
        }
        Array.Sort(_changePoints);
    }

    public override int Choose(SimOffer offer)
    {
        if (offer.Count == 1) return 0;
        _decisions++;
        var early = offer.TimerOffered && !offer.TimerIsDue;
        var options = early ? offer.Ready : offer.Count;
        var chosen = Highest(offer, options);
        if (_changesDone < _changePoints.Length && _changePoints[_changesDone] == _decisions)
        {
            _changesDone++;
            if (early) return offer.TimerOption;
            _priorities[Actor(offer, chosen)] = -_changesDone;
            chosen = Highest(offer, options);
        }
        return chosen;
    }

    /// <summary>The option of the highest priority among the first <paramref name="options"/>.
    /// </summary>
    private int Highest(SimOffer offer, int options)
    {
        var best = 0;
        var bestPriority = long.MinValue;
        for (var option = 0; option < options; option++)
        {
            var priority = PriorityOf(Actor(offer, option));
            if (priority <= bestPriority) continue;
            best = option;
            bestPriority = priority;
        }
        return best;
    }

    private static long Actor(SimOffer offer, int option) =>
        offer.TimerOffered && option == offer.TimerOption ? TimerActor : offer.ActorAt(option);

    /// <summary>
    /// An actor's priority; one seen for the first time draws its own, at a random place among
    /// the others (as Coyote gives a new operation), above every lowered one.
    /// </summary>
    private long PriorityOf(long actor)
    {
        if (_priorities.TryGetValue(actor, out var priority)) return priority;
        priority = _random.NextInt64(0, long.MaxValue);
        _priorities[actor] = priority;
        return priority;
    }
}
