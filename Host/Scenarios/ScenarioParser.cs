namespace Emulator.Host.Scenarios;

/// <summary>
/// Reads a scenario file (language version 1, docs/language.md) into a <see cref="Scenario"/>
/// and checks it before anything runs. Bad input ends in one <see cref="ScenarioException"/>
/// listing every error found (up to <see cref="ErrorsMax"/>), each with its file, line and
/// column; no other exception leaves. An error in one step, process or key does not stop the
/// others from being checked; a HOCON syntax error does, since nothing after it can be read.
/// </summary>
public static class ScenarioParser
{
    public const int PartitionsMax = 32767;
    public const int RepeatCountMax = 1_000_000;
    public const int DefaultId = 1000;

    /// <summary>The most errors one parse reports; past it, it stops and says so.</summary>
    public const int ErrorsMax = 20;

    /// <summary>The largest scenario file read, in bytes (4 MiB).</summary>
    public const int FileSizeMax = 4 * 1024 * 1024;

    /// <summary>
    /// The most steps a file may make run, repeats expanded (nested repeats multiply). Counted
    /// without expanding anything, so the check costs as little as reading the file.
    /// </summary>
    public const long StepsRunMax = 10_000_000;

    /// <summary>The longest duration the language reads (<c>wait</c>, <c>delay</c>).</summary>
    public static readonly TimeSpan DurationMax = ScenarioValues.DurationMax;

    /// <summary>The most a file's waits may add up to, repeats expanded.</summary>
    public static readonly TimeSpan WaitTotalMax = ScenarioValues.DurationMax;

    private static readonly string[] TopLevelKeys =
        ["name", "seed", "partitions", "processes", "steps", "library", "placement"];
    private static readonly string[] ProcessKeys = ["partition", "uid", "gid"];
    private static readonly string[] Libraries = ["raw", "libxpmem"];

    /// <summary>
    /// Reads and checks the file at <paramref name="path"/>; a path that is missing, a
    /// directory, not a regular file or over <see cref="FileSizeMax"/> is refused unopened.
    /// </summary>
    public static Scenario ParseFile(string path) =>
        Parse(ScenarioFileReader.Read(path), path);

    public static Scenario Parse(string text, string fileName) =>
        Parse(text, fileName, HoconValueSource.OutlineWhenPlain);

    /// <summary>As <see cref="Parse(string, string)"/>, the values read as
    /// <paramref name="values"/> says: tests compare the outline's reading with Akka's.</summary>
    internal static Scenario Parse(string text, string fileName, HoconValueSource values)
    {
        if (text.Length > FileSizeMax)
        {
            throw new ScenarioException(SourceLocation.WholeFile(fileName),
                ScenarioFileReader.TooLargeReason(
                    FormattableString.Invariant($"is {text.Length:N0} characters")));
        }
        var source = new SourceText(fileName, text);
        var errors = new ErrorLog();
        try
        {
            return Read(source, values, errors);
        }
        catch (ScenarioException)
        {
            throw;
        }
        catch (Exception e)
        {
            // A bug of ours, not the user's: still a located error, so the CLI exits 2 and says so.
            throw errors.With(new ScenarioError(source.Start,
                $"internal parser error ({e.GetType().Name}: {e.Message}); "
                + "please report it with this file"));
        }
    }

    private static Scenario Read(SourceText source, HoconValueSource values, ErrorLog errors)
    {
        var root = HoconDocument.Read(source, values);
        var fields = root.Fields();
        foreach (var field in fields.Where(f => !TopLevelKeys.Contains(f.Key)))
            errors.Add(UnknownKey(field, "", TopLevelKeys));
        var byKey = fields.ToDictionary(f => f.Key, f => f.Value);
        // A bad partition count is reported once: the checks of partition numbers then pass.
        int partitions = byKey.TryGetValue("partitions", out var p)
            ? errors.Read(() => ReadPartitions(p), PartitionsMax)
            : 1;
        var scope = new NameScope();
        var processes = byKey.TryGetValue("processes", out var declared)
            ? ReadProcesses(declared, partitions, scope, errors)
            : [];
        // "step = [...]" is reported as a typo of steps; "missing 'steps'" would say it twice.
        bool stepsMisspelt = fields.Any(
            f => Suggestions.Nearest(f.Key, TopLevelKeys) == "steps" && f.Key != "steps");
        if (!byKey.TryGetValue("steps", out var stepsNode) && !stepsMisspelt)
        {
            errors.Add(new ScenarioException(source.Start,
                "missing 'steps' (expected steps = [ ... ] at the top level)"));
        }
        var scenario = new Scenario(
            Name: byKey.TryGetValue("name", out var name)
                ? errors.Read(() => ReadName(name), "")
                : Path.GetFileName(source.FileName),
            File: source.FileName,
            Seed: byKey.TryGetValue("seed", out var seed)
                ? errors.Read(() => ReadInt(seed, "a seed", int.MinValue, int.MaxValue), 0)
                : null,
            Partitions: partitions,
            RawLibrary: byKey.TryGetValue("library", out var library)
                && errors.Read(() => ReadRawLibrary(library), false),
            Processes: processes,
            Steps: stepsNode is null
                ? []
                : new StepsReader(scope, partitions, errors).ReadSteps(stepsNode))
        {
            Placement = byKey.TryGetValue("placement", out var placement)
                ? errors.Read(() => ReadPlacement(placement, partitions), null)
                : null,
        };
        errors.ThrowIfAny();
        return scenario;
    }

    /// <summary>
    /// <c>[[0, 2], [1]]</c>: one list of partitions per node, every partition in exactly one.
    /// </summary>
    private static IReadOnlyList<IReadOnlyList<int>> ReadPlacement(HoconNode node, int partitions)
    {
        const string form = "placement = [[0, 2], [1]] (one list of partitions per node)";
        if (!node.IsArray || node.Items().Count == 0)
            throw new ScenarioException(node.Location, $"expected {form}");
        var placement = new List<IReadOnlyList<int>>();
        var placed = new Dictionary<int, int>();
        foreach (var entry in node.Items())
        {
            if (!entry.IsArray || entry.Items().Count == 0)
            {
                throw new ScenarioException(entry.Location,
                    $"expected a non-empty list of partitions for node {placement.Count}: {form}");
            }
            var hosted = new List<int>();
            foreach (var item in entry.Items())
            {
                var partition = ReadDeclaredPartition(item, partitions);
                if (placed.TryGetValue(partition, out var other))
                {
                    throw new ScenarioException(item.Location, $"partition {partition} is placed "
                        + $"on node {other} already (each partition on exactly one node)");
                }
                placed[partition] = placement.Count;
                hosted.Add(partition);
            }
            placement.Add(hosted);
        }
        var missing = Enumerable.Range(0, partitions).Where(p => !placed.ContainsKey(p)).ToList();
        if (missing.Count > 0)
        {
            throw new ScenarioException(node.Location, "placement leaves out partition"
                + $"{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)} (each of the "
                + $"{partitions} partitions on exactly one node)");
        }
        return placement;
    }

    private static int ReadPartitions(HoconNode node) =>
        ReadInt(node, "a number of partitions", 1, PartitionsMax);

    private static string ReadName(HoconNode node)
    {
        string name = ReadText(node, "a name");
        return name.Length > 0
            ? name
            : throw new ScenarioException(node.Location, "expected a name, found \"\"");
    }

    private static bool ReadRawLibrary(HoconNode node) => ReadText(node, "raw or libxpmem") switch
    {
        "raw" => true,
        "libxpmem" => false,
        var other => throw new ScenarioException(node.Location,
            $"unknown library {MessageText.Quote(other)}"
            + $"{Suggestions.DidYouMean(other, Libraries)} (expected raw or libxpmem)"),
    };

    // Each process is checked on its own. A process with an error is still declared, so that
    // the steps it runs are not each refused as "unknown process" too.
    private static IReadOnlyList<ProcessDeclaration> ReadProcesses(
        HoconNode node, int partitions, NameScope scope, ErrorLog errors)
    {
        if (!node.IsObject)
        {
            errors.Add(new ScenarioException(
                node.Location, "expected processes { NAME { partition = N } ... }"));
            scope.DeclareProcessesUnknown();
            return [];
        }
        var fields = node.Fields();
        var processes = new List<ProcessDeclaration>(fields.Count);
        scope.EnsureRoom(fields.Count);
        foreach (var field in fields)
        {
            if (ScenarioValues.IsName(field.Key))
                scope.DeclareProcess(field.Key);
            var process = errors.Read<(HoconField, int, ErrorLog), ProcessDeclaration?>(
                (field, partitions, errors), static s => ReadProcess(s.Item1, s.Item2, s.Item3),
                null);
            if (process is not null)
                processes.Add(process);
        }
        return processes;
    }

    private static ProcessDeclaration ReadProcess(
        HoconField process, int partitions, ErrorLog errors)
    {
        if (!ScenarioValues.IsName(process.Key))
        {
            throw new ScenarioException(process.KeyLocation,
                $"{MessageText.Quote(process.Key)} is not a process name "
                + "(letters, digits and '_', not starting with a digit)");
        }
        if (!process.Value.IsObject)
        {
            throw new ScenarioException(process.Value.Location,
                $"expected {MessageText.Clip(process.Key)} {{ partition = N, uid = N, gid = N }}");
        }
        int partition = 0, uid = DefaultId, gid = DefaultId;
        var fields = process.Value.Fields();
        // By index: a foreach over the list's interface would box its enumerator, per process.
        for (int i = 0; i < fields.Count; i++)
        {
            var field = fields[i];
            var value = field.Value;
            switch (field.Key)
            {
                case "partition":
                    partition = errors.Read((value, partitions),
                        static s => ReadDeclaredPartition(s.value, s.partitions), 0);
                    break;
                case "uid":
                    uid = errors.Read(value, static v => ReadInt(v, "a uid", 0, int.MaxValue),
                        DefaultId);
                    break;
                case "gid":
                    gid = errors.Read(value, static v => ReadInt(v, "a gid", 0, int.MaxValue),
                        DefaultId);
                    break;
                default:
                    errors.Add(UnknownKey(field, $" in process {MessageText.Quote(process.Key)}",
                        ProcessKeys));
                    break;
            }
        }
        return new ProcessDeclaration(process.Key, partition, uid, gid, process.KeyLocation);
    }

    private static int ReadDeclaredPartition(HoconNode node, int partitions)
    {
        string text = ReadText(node, "a partition number");
        var partition = ScenarioValues.Partition(text);
        if (partition.Error is not null)
            throw new ScenarioException(node.Location, partition.Error);
        return partition.Value < partitions
            ? partition.Value
            : throw new ScenarioException(
                node.Location, StepContext.NoSuchPartition(text, partitions));
    }

    internal static int ReadInt(HoconNode node, string what, int min, int max)
    {
        string text = ReadText(node, what);
        // A number too large for 64 bits is still a number: say the range, not "expected".
        if (ScenarioValues.Number(text).Error is not null && !ScenarioValues.IsNumeral(text))
        {
            throw new ScenarioException(
                node.Location, $"expected {what}, found {MessageText.Quote(text)}");
        }
        var number = ScenarioValues.Int32(text);
        return number.Error is null && number.Value >= min && number.Value <= max
            ? number.Value
            : throw new ScenarioException(node.Location,
                $"expected {what} from {min} to {max}, found {MessageText.Clip(text)}");
    }

    internal static string ReadText(HoconNode node, string what) => node.IsString
        ? node.Text
        : throw new ScenarioException(node.Location, $"expected {what}, found {Describe(node)}");

    internal static string Describe(HoconNode node) =>
        node.IsObject ? "an object" : node.IsArray ? "an array" : "nothing";

    internal static ScenarioException UnknownKey(
        HoconField field, string where, string[] expected) =>
        new(field.KeyLocation, $"unknown key {MessageText.Quote(field.Key)}{where}"
            + Suggestions.DidYouMean(field.Key, expected)
            + $" (expected one of: {string.Join(", ", expected)})");
}
