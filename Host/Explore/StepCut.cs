using System.Globalization;
using Emulator.Host.Runner;
using Emulator.Host.Scenarios;

namespace Emulator.Host.Explore;

/// <summary>
/// A command step of a scenario file by where it is written (<c>LINE:COLUMN</c>): what a shrunk
/// schedule names the steps it leaves out by. Stable while the file is (its sha256 is checked).
/// </summary>
public readonly record struct StepId(int Line, int Column) : IComparable<StepId>
{
    public static StepId Of(SourceLocation at) => new(at.Line, at.Column);

    /// <summary><c>12:5</c>, or null when <paramref name="text"/> is not two numbers from 1.
    /// </summary>
    public static StepId? Parse(string text)
    {
        var parts = text.Split(':');
        return parts.Length == 2 && Number(parts[0]) is { } line && Number(parts[1]) is { } column
            ? new StepId(line, column) : null;
    }

    public int CompareTo(StepId other) =>
        Line != other.Line ? Line.CompareTo(other.Line) : Column.CompareTo(other.Column);

    public override string ToString() => $"{Line}:{Column}";

    private static int? Number(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            && value >= 1 ? value : null;
}

/// <summary>
/// Leaving steps out of a scenario, for the shrinker: which pieces can go (a step, a whole
/// parallel or repeat block, a whole branch), the scenario without them, and whether what is
/// left still makes sense (every name a kept step uses is bound by a kept step). Only the file's
/// own command steps are named; the <c>--faults</c> steps stay. Pure functions of the scenario.
/// </summary>
public static class StepCut
{
    /// <summary>The file's command steps (inside blocks too), in file order.</summary>
    public static IReadOnlyList<CommandStep> FileSteps(Scenario scenario) =>
        [.. scenario.Commands().Where(step => InFile(scenario, step))];

    /// <summary>
    /// Every piece that may be left out, in file order, a block before what is inside it: each
    /// top-level step or block, each branch of a parallel block, each step inside. A piece that
    /// holds <paramref name="keep"/> (the step the failure happens at) is not one; nor is a piece
    /// that is the same steps as the one before it (a branch of one step).
    /// </summary>
    public static IReadOnlyList<IReadOnlySet<StepId>> Pieces(Scenario scenario,
        SourceLocation? keep)
    {
        var pieces = new List<IReadOnlySet<StepId>>();
        var kept = keep is { } at && at.File == scenario.File ? StepId.Of(at) : (StepId?)null;
        void Add(IReadOnlySet<StepId> piece)
        {
            if (piece.Count == 0 || kept is { } k && piece.Contains(k)) return;
            if (pieces.Count > 0 && pieces[^1].SetEquals(piece)) return;
            pieces.Add(piece);
        }
        void Walk(IEnumerable<Step> steps)
        {
            foreach (var step in steps)
            {
                Add(Under(scenario, [step]));
                switch (step)
                {
                    case ParallelStep parallel:
                        foreach (var branch in parallel.Branches)
                        {
                            Add(Under(scenario, branch));
                            Walk(branch);
                        }
                        break;
                    case RepeatStep repeat:
                        Walk(repeat.Steps);
                        break;
                }
            }
        }
        Walk(scenario.Steps);
        return pieces;
    }

    /// <summary>
    /// <paramref name="scenario"/> without the command steps <paramref name="leftOut"/> names;
    /// a branch, block or repeat left empty goes too. The same instance when nothing goes.
    /// </summary>
    public static Scenario Without(Scenario scenario, IReadOnlyCollection<StepId> leftOut)
    {
        if (leftOut.Count == 0) return scenario;
        var gone = leftOut.ToHashSet();
        return scenario with { Steps = Keep(scenario, scenario.Steps, gone) };
    }

    /// <summary>
    /// What is wrong with leaving <paramref name="leftOut"/> out of <paramref name="scenario"/>,
    /// or null: an entry that is not one of the file's command steps, or a kept step that uses a
    /// name only a left-out step binds (its run would fail there for the missing name, not for
    /// the failure being shrunk).
    /// </summary>
    public static string? Problem(Scenario scenario, IReadOnlyCollection<StepId> leftOut)
    {
        var steps = FileSteps(scenario);
        var known = steps.Select(step => StepId.Of(step.Location)).ToHashSet();
        if (leftOut.Where(id => !known.Contains(id)).Select(id => (StepId?)id).FirstOrDefault()
            is { } missing)
        {
            return $"{missing} is not a step of {scenario.File} (its steps are at "
                + $"{Lines(known)})";
        }
        return Unbound(scenario, leftOut.ToHashSet());
    }

    /// <summary>
    /// The first kept step, in file order, that uses a name (a value, or a forked process it runs
    /// as) which no kept step before it binds; null when there is none. The order is the file's,
    /// as the parser checks names.
    /// </summary>
    public static string? Unbound(Scenario scenario, IReadOnlySet<StepId> leftOut)
    {
        var bound = scenario.Processes.Select(process => process.Name)
            .ToHashSet(StringComparer.Ordinal);
        foreach (var step in scenario.Commands())
        {
            if (InFile(scenario, step) && leftOut.Contains(StepId.Of(step.Location))) continue;
            if (NamesUsed(step).FirstOrDefault(name => !bound.Contains(name)) is { } name)
            {
                return $"{step.Location} \"{step.Text}\" uses '{name}', which only a left-out "
                    + "step binds";
            }
            if (step.Bind is { } bind) bound.Add(bind);
        }
        return null;
    }

    /// <summary>The names <paramref name="step"/> needs bound: its process, if not declared
    /// (a fork's child), and every name in its command and expectation.</summary>
    internal static IReadOnlyList<string> NamesUsed(CommandStep step)
    {
        if (step.Process is null) return [];
        var names = new List<string> { step.Process };
        ulong Record(string name)
        {
            names.Add(name);
            return 0;
        }
        CallBuilder.Build(step.Command, Record);
        CallBuilder.Resolved(step.Expect, Record);
        return names;
    }

    private static IReadOnlyList<Step> Keep(Scenario scenario, IReadOnlyList<Step> steps,
        HashSet<StepId> gone)
    {
        var kept = new List<Step>();
        foreach (var step in steps)
        {
            switch (step)
            {
                case CommandStep command:
                    if (!InFile(scenario, command) || !gone.Contains(StepId.Of(command.Location)))
                        kept.Add(command);
                    break;
                case ParallelStep parallel:
                    var branches = parallel.Branches.Select(branch => Keep(scenario, branch, gone))
                        .Where(branch => branch.Count > 0).ToList();
                    if (branches.Count > 0) kept.Add(parallel with { Branches = branches });
                    break;
                case RepeatStep repeat:
                    var body = Keep(scenario, repeat.Steps, gone);
                    if (body.Count > 0) kept.Add(repeat with { Steps = body });
                    break;
                default:
                    kept.Add(step);
                    break;
            }
        }
        return kept;
    }

    private static HashSet<StepId> Under(Scenario scenario, IReadOnlyList<Step> steps) =>
        [.. (scenario with { Steps = steps }).Commands().Where(step => InFile(scenario, step))
            .Select(step => StepId.Of(step.Location))];

    private static bool InFile(Scenario scenario, CommandStep step) =>
        step.Location.File == scenario.File && !step.Location.IsWholeFile;

    private static string Lines(IReadOnlyCollection<StepId> known) => known.Count == 0
        ? "none"
        : $"lines {known.Min(id => id.Line)} to {known.Max(id => id.Line)}";
}
