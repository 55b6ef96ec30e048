using static System.FormattableString;

namespace Emulator.Host.Scenarios;

/// <summary>
/// Reads a list of steps in file order: strings are command steps, objects are
/// <c>{ parallel = [ [..], [..] ] }</c> or <c>{ repeat = N, steps = [..] }</c>, nested freely.
/// An error in one step is recorded and the next step is read, so every bad step is reported.
/// On the way it adds up what the file makes run (<see cref="RunCost"/>) and refuses, at the
/// step that crosses it, a file over <see cref="ScenarioParser.StepsRunMax"/> steps or
/// <see cref="ScenarioParser.WaitTotalMax"/> of waiting.
/// </summary>
internal sealed class StepsReader(NameScope scope, int partitions, ErrorLog errors)
{
    private const string StepForms = "a step: \"PROCESS: COMMAND\", \"COMMAND\", "
        + "{ parallel = [ [...], [...] ] } or { repeat = N, steps = [...] }";

    private const string RepeatForm = "{ repeat = N, steps = [...] }";

    private static readonly string[] ParallelKeys = ["parallel"];
    private static readonly string[] RepeatKeys = ["repeat", "steps"];
    private static readonly string[] StepKeys = ["parallel", "repeat", "steps"];

    // One for every step string of the file, read one after the other.
    private readonly StepContext _context = new(scope, partitions);

    // Each limit is reported once, at the first step that crosses it: every enclosing repeat
    // crosses it too, and saying so again would be noise.
    private bool _stepsOver;
    private bool _waitOver;

    public IReadOnlyList<Step> ReadSteps(HoconNode node) => ReadList(node, "steps").Steps;

    private (List<Step> Steps, RunCost Cost) ReadList(HoconNode node, string what)
    {
        if (!node.IsArray)
        {
            errors.Add(Error(node,
                $"expected {what} = [ ... ], an array of steps, found {Describe(node)}"));
            return ([], ReadMisplacedStep(node));
        }
        var items = node.Items();
        var steps = new List<Step>(items.Count);
        var cost = RunCost.None;
        foreach (var item in items)
        {
            var (step, itemCost) = ReadStep(item);
            if (step is not null)
                steps.Add(step);
            cost += itemCost;
            CheckLimits(cost, item);
        }
        return (steps, cost);
    }

    private (Step? Step, RunCost Cost) ReadStep(HoconNode node)
    {
        if (node.IsString)
        {
            var step = errors.Read<(HoconNode, StepContext), CommandStep?>(
                (node, _context), static s => StepParser.Parse(s.Item1, s.Item2), null);
            var wait = step?.Command is WaitCommand { Duration: var duration } ? duration : default;
            return (step, new RunCost(1, wait.Ticks));
        }
        if (!node.IsObject)
        {
            errors.Add(Error(node, $"expected {StepForms}, found {Describe(node)}"));
            return (null, RunCost.None);
        }
        var fields = node.Fields();
        if (fields.Any(f => f.Key == "parallel"))
            return ReadParallel(node, fields);
        if (fields.Any(f => f.Key is "repeat" or "steps"))
            return ReadRepeat(node, fields);
        errors.Add(NotAStep(node, fields));
        return (null, RunCost.None);
    }

    private (Step? Step, RunCost Cost) ReadParallel(
        HoconNode node, IReadOnlyList<HoconField> fields)
    {
        CheckKeys(fields, ParallelKeys, "a parallel step");
        var branches = fields.Single(f => f.Key == "parallel").Value;
        if (!branches.IsArray)
        {
            errors.Add(Error(branches,
                $"expected parallel = [ [steps...], [steps...] ], found {Describe(branches)}"));
            return (null, RunCost.None);
        }
        var read = new List<IReadOnlyList<Step>>();
        var cost = RunCost.None;
        foreach (var branch in branches.Items())
        {
            if (!branch.IsArray)
            {
                errors.Add(Error(branch, "expected a branch, an array of steps "
                    + $"(parallel = [ [\"a: ...\"], [\"b: ...\"] ]), found {Describe(branch)}"));
                cost += ReadMisplacedStep(branch);
                continue;
            }
            var (steps, branchCost) = ReadList(branch, "a branch");
            read.Add(steps);
            cost += branchCost;
            CheckLimits(cost, node);
        }
        // Branches run side by side, but each step in them runs: the cost is their sum.
        return (new ParallelStep(node.Location, read), cost.AtLeastOneStep());
    }

    private (Step? Step, RunCost Cost) ReadRepeat(
        HoconNode node, IReadOnlyList<HoconField> fields)
    {
        // { repeat = 2, step = [...] }: the unknown key says it all; "missing steps" would not.
        bool unknownKeys = CheckKeys(fields, RepeatKeys, "a repeat step");
        var count = fields.FirstOrDefault(f => f.Key == "repeat");
        var steps = fields.FirstOrDefault(f => f.Key == "steps");
        if (count is null && !unknownKeys)
            errors.Add(Error(node, $"missing repeat = N (expected {RepeatForm})"));
        if (steps is null && !unknownKeys)
            errors.Add(Error(node, $"missing steps = [...] (expected {RepeatForm})"));
        int times = count is null ? 0 : errors.Read(() => ScenarioParser.ReadInt(
            count.Value, "a repeat count", 0, ScenarioParser.RepeatCountMax), 0);
        var (body, bodyCost) = steps is null ? ([], RunCost.None) : ReadList(steps.Value, "steps");
        // A round of an empty body still costs the runner a turn: count it as a step.
        var cost = bodyCost.AtLeastOneStep().Times(times);
        CheckLimits(cost, node);
        return (count is null || steps is null ? null : new RepeatStep(node.Location, times, body),
            cost);
    }

    // A step where a list should be ("steps = \"a: x = mmap 1p\"", a branch without its
    // brackets) is reported as such, and still read: its own errors show, and the names it
    // binds do not come back as "not bound" at every later use.
    private RunCost ReadMisplacedStep(HoconNode node) =>
        node.IsString || node.IsObject ? ReadStep(node).Cost : RunCost.None;

    // The node, not its location: that is found only for an error, not at every step.
    private void CheckLimits(RunCost cost, HoconNode at)
    {
        if (!_stepsOver && cost.Steps > ScenarioParser.StepsRunMax)
        {
            _stepsOver = true;
            string steps = Invariant($"{cost.Steps:N0} steps, over the limit of ")
                + Invariant($"{ScenarioParser.StepsRunMax:N0}");
            errors.Add(new ScenarioException(at.Location, $"with this step the file runs at least "
                + $"{steps} (a repeat runs its steps N times; nested repeats multiply)"));
        }
        if (!_waitOver && cost.WaitTicks > ScenarioParser.WaitTotalMax.Ticks)
        {
            _waitOver = true;
            long seconds = cost.WaitTicks / TimeSpan.TicksPerSecond;
            errors.Add(new ScenarioException(at.Location, $"with this step the file waits at least "
                + $"{seconds}s in all, over the limit of {ScenarioValues.DurationMaxText} "
                + $"({ScenarioValues.DurationMaxNote})"));
        }
    }

    /// <summary>Records each key not in <paramref name="expected"/>; true if one was.</summary>
    private bool CheckKeys(IReadOnlyList<HoconField> fields, string[] expected, string where)
    {
        var unknown = fields.Where(f => !expected.Contains(f.Key)).ToList();
        foreach (var field in unknown)
            errors.Add(ScenarioParser.UnknownKey(field, $" in {where}", expected));
        return unknown.Count > 0;
    }

    // { paralel = [...] }: name the key that is a typo, if one is near a step's keys.
    private static ScenarioException NotAStep(HoconNode node, IReadOnlyList<HoconField> fields)
    {
        foreach (var field in fields)
        {
            if (Suggestions.Nearest(field.Key, StepKeys) is { } key)
            {
                return new ScenarioException(field.KeyLocation,
                    $"unknown key {MessageText.Quote(field.Key)}"
                    + $"{Suggestions.DidYouMeanText(key)} (expected {StepForms})");
            }
        }
        var where = fields.Count > 0 ? fields[0].KeyLocation : node.Location;
        return new ScenarioException(where, $"expected {StepForms}");
    }

    private static ScenarioException Error(HoconNode node, string reason) =>
        new(node.Location, reason);

    private static string Describe(HoconNode node) =>
        node.IsString ? $"\"{MessageText.Clip(node.Text)}\"" : ScenarioParser.Describe(node);
}

/// <summary>
/// What steps make run: command steps, each time they run, and the virtual time their waits
/// take. Sums and products stop at <see cref="long.MaxValue"/> (far past every limit), so
/// adding up a file never expands its repeats and never overflows.
/// </summary>
internal readonly record struct RunCost(long Steps, long WaitTicks)
{
    public static readonly RunCost None = new(0, 0);

    public static RunCost operator +(RunCost a, RunCost b) =>
        new(Add(a.Steps, b.Steps), Add(a.WaitTicks, b.WaitTicks));

    public RunCost Times(long count) => new(Multiply(Steps, count), Multiply(WaitTicks, count));

    public RunCost AtLeastOneStep() => this with { Steps = Math.Max(Steps, 1) };

    private static long Add(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    private static long Multiply(long a, long count) =>
        count == 0 ? 0 : a > long.MaxValue / count ? long.MaxValue : a * count;
}
