using Emulator.Partitions.Xpc;

namespace Emulator.Partitions.Sim;

/// <summary>
/// Records one run's schedule as its loop makes it: each decision (a step with more than one
/// option) as the option taken counted from the default order's (0: the mailbox ready longest;
/// see <see cref="SimOffer.Oldest"/>), and each draw the link makes for its faults. Played back
/// by <see cref="ReplayStrategy"/>. Set it on the loop before a run
/// (<see cref="SimLoop.Recorder"/>); the loop clears it when the run starts.
/// </summary>
public sealed class SimRecorder
{
    private readonly List<int> _choices = [];
    private readonly List<LinkDraw> _draws = [];

    /// <summary>Every decision's option, counted from the default order's.</summary>
    public IReadOnlyList<int> Choices => _choices;

    /// <summary>Every draw the link made for a fault, in order.</summary>
    public IReadOnlyList<LinkDraw> Draws => _draws;

    internal void Choice(int relative) => _choices.Add(relative);

    internal LinkDraws Wrap(LinkDraws inner) => new RecordingLinkDraws(inner, _draws);

    internal void Clear()
    {
        _choices.Clear();
        _draws.Clear();
    }
}
