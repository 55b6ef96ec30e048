using Emulator.Host.Scenarios;

namespace Emulator.Host.Runner;

/// <summary>
/// A sequence of steps that run one after another: the scenario, or one branch of a parallel
/// block. Repeats are frames on a stack, so a repeat of any count costs one frame, not a copy of
/// its steps. The runner advances it; it knows nothing of the machine.
/// </summary>
internal sealed class Strand(IReadOnlyList<Step> steps, Strand? parent, string? branch = null)
{
    private readonly Stack<(IReadOnlyList<Step> Steps, int Index, int RepeatsLeft)> _frames =
        new([(steps, 0, 1)]);

    public Strand? Parent { get; } = parent;

    /// <summary>
    /// Which parallel branch this is, for the trace: <c>1</c>, <c>2</c>, <c>2.1</c> inside a
    /// nested block; null for the scenario itself.
    /// </summary>
    public string? Branch { get; } = branch;

    public static string BranchId(string? parent, int index) =>
        parent is null ? $"{index + 1}" : $"{parent}.{index + 1}";

    public int Running { get; set; }

    public int StepsDone { get; set; }

    public bool Ended { get; set; }

    public Step? Next()
    {
        while (_frames.Count > 0)
        {
            var (list, index, repeats) = _frames.Pop();
            if (index < list.Count)
            {
                _frames.Push((list, index + 1, repeats));
                return list[index];
            }
            if (repeats > 1) _frames.Push((list, 0, repeats - 1));
        }
        return null;
    }

    public void Enter(RepeatStep repeat)
    {
        if (repeat.Count > 0) _frames.Push((repeat.Steps, 0, repeat.Count));
    }
}
