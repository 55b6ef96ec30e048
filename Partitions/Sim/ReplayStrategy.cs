using Emulator.Partitions.Xpc;

namespace Emulator.Partitions.Sim;

/// <summary>
/// Plays a recorded schedule back (<see cref="SimRecorder"/>): at each decision the option the
/// record names, counted from the default order's (<see cref="SimOffer.Oldest"/>), and the link
/// draws as recorded. Past the record's end it takes the default order and fault-free draws, so a
/// record cut short, or with choices set back to 0, still runs (that is how schedules shrink). A
/// choice that names an option the step does not have is a mismatch: the run has left the
/// schedule (another build or scenario); <see cref="Mismatch"/> says where.
/// </summary>
public sealed class ReplayStrategy(IReadOnlyList<int> choices, IReadOnlyList<LinkDraw> draws)
    : SimStrategy
{
    public const string Key = "replay";

    private int _next;
    private string? _choiceMismatch;
    private ReplayedLinkDraws? _linkDraws;

    public override string Name => Key;

    /// <summary>Decisions taken so far in this run.</summary>
    public int Taken => _next;

    /// <summary>The first thing that did not fit the record, or null.</summary>
    public string? Mismatch => _choiceMismatch ?? _linkDraws?.Mismatch;

    public override void Begin(int seed)
    {
        _next = 0;
        _choiceMismatch = null;
        _linkDraws = null;
    }

    public override int Choose(SimOffer offer)
    {
        var count = offer.Count;
        if (count == 1) return 0;
        var index = _next++;
        var relative = index < choices.Count ? choices[index] : 0;
        if (relative >= count)
        {
            _choiceMismatch ??= $"decision {index + 1} of the schedule takes option "
                + $"{relative} of {count}";
            relative %= count;
        }
        return (offer.Oldest + relative) % count;
    }

    public override LinkDraws LinkDraws(int runSeed) => _linkDraws = new ReplayedLinkDraws(draws);
}
