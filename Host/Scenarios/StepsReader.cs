namespace Emulator.Host.Scenarios;

/// <summary>
/// Reads a list of steps in file order: strings are command steps, objects are
/// <c>{ parallel = [ [..], [..] ] }</c> or <c>{ repeat = N, steps = [..] }</c>, nested freely.
/// </summary>
internal static class StepsReader
{
    private const string StepForms = "a step: \"PROCESS: COMMAND\", \"COMMAND\", "
        + "{ parallel = [ [...], [...] ] } or { repeat = N, steps = [...] }";

    private const string RepeatForm = "{ repeat = N, steps = [...] }";

    private static readonly string[] ParallelKeys = ["parallel"];
    private static readonly string[] RepeatKeys = ["repeat", "steps"];

    public static IReadOnlyList<Step> ReadList(
        HoconNode node, string what, NameScope scope, int partitions)
    {
        if (!node.IsArray)
        {
            throw Error(node,
                $"expected {what} = [ ... ], an array of steps, found {Describe(node)}");
        }
        return node.Items().Select(item => ReadStep(item, scope, partitions)).ToList();
    }

    private static Step ReadStep(HoconNode node, NameScope scope, int partitions)
    {
        if (node.IsString)
            return StepParser.Parse(node, scope, partitions);
        if (!node.IsObject)
            throw Error(node, $"expected {StepForms}, found {Describe(node)}");
        var fields = node.Fields();
        if (fields.Any(f => f.Key == "parallel"))
            return ReadParallel(node, fields, scope, partitions);
        if (fields.Any(f => f.Key is "repeat" or "steps"))
            return ReadRepeat(node, fields, scope, partitions);
        var where = fields.Count > 0 ? fields[0].KeyLocation : node.Location;
        throw new ScenarioException(where, $"expected {StepForms}");
    }

    private static ParallelStep ReadParallel(
        HoconNode node, IReadOnlyList<HoconField> fields, NameScope scope, int partitions)
    {
        CheckKeys(fields, ParallelKeys, "a parallel step");
        var branches = fields.Single(f => f.Key == "parallel").Value;
        if (!branches.IsArray)
        {
            throw Error(branches,
                $"expected parallel = [ [steps...], [steps...] ], found {Describe(branches)}");
        }
        var read = new List<IReadOnlyList<Step>>();
        foreach (var branch in branches.Items())
        {
            if (!branch.IsArray)
            {
                throw Error(branch, "expected a branch, an array of steps "
                    + $"(parallel = [ [\"a: ...\"], [\"b: ...\"] ]), found {Describe(branch)}");
            }
            read.Add(ReadList(branch, "a branch", scope, partitions));
        }
        return new ParallelStep(node.Location, read);
    }

    private static RepeatStep ReadRepeat(
        HoconNode node, IReadOnlyList<HoconField> fields, NameScope scope, int partitions)
    {
        CheckKeys(fields, RepeatKeys, "a repeat step");
        var count = fields.FirstOrDefault(f => f.Key == "repeat")
            ?? throw Error(node, $"missing repeat = N (expected {RepeatForm})");
        var steps = fields.FirstOrDefault(f => f.Key == "steps")
            ?? throw Error(node, $"missing steps = [...] (expected {RepeatForm})");
        int times = ScenarioParser.ReadInt(
            count.Value, "a repeat count", 0, ScenarioParser.RepeatCountMax);
        var body = ReadList(steps.Value, "steps", scope, partitions);
        return new RepeatStep(node.Location, times, body);
    }

    private static void CheckKeys(IReadOnlyList<HoconField> fields, string[] expected, string where)
    {
        foreach (var field in fields.Where(f => !expected.Contains(f.Key)))
            throw ScenarioParser.UnknownKey(field, $" in {where}", expected);
    }

    private static ScenarioException Error(HoconNode node, string reason) =>
        new(node.Location, reason);

    private static string Describe(HoconNode node) =>
        node.IsString ? $"\"{node.Text}\"" : ScenarioParser.Describe(node);
}
