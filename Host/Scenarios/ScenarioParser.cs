using System.Security;

namespace Emulator.Host.Scenarios;

/// <summary>
/// Reads a scenario file (language version 1, docs/language.md) into a <see cref="Scenario"/>
/// and checks it before anything runs. Any bad input ends in a <see cref="ScenarioException"/>
/// naming the file, line and column; no other exception leaves.
/// </summary>
public static class ScenarioParser
{
    public const int PartitionsMax = 32767;
    public const int RepeatCountMax = 1_000_000;
    public const int DefaultId = 1000;

    private static readonly string[] TopLevelKeys =
        ["name", "seed", "partitions", "processes", "steps", "library"];
    private static readonly string[] ProcessKeys = ["partition", "uid", "gid"];

    public static Scenario ParseFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (IsReadFailure(e))
        {
            throw new ScenarioException(
                new SourceLocation(path, 1, 1), $"cannot read the file: {e.Message}");
        }
        return Parse(text, path);
    }

    public static Scenario Parse(string text, string fileName)
    {
        var source = new SourceText(fileName, text);
        try
        {
            return Read(source);
        }
        catch (ScenarioException)
        {
            throw;
        }
        catch (Exception e)
        {
            // A bug of ours, not the user's: still a located error, so the CLI exits 2 and says so.
            throw new ScenarioException(source.Start,
                $"internal parser error ({e.GetType().Name}: {e.Message}); "
                + "please report it with this file");
        }
    }

    private static Scenario Read(SourceText source)
    {
        var root = HoconDocument.Read(source);
        var fields = root.Fields();
        foreach (var field in fields.Where(f => !TopLevelKeys.Contains(f.Key)))
            throw UnknownKey(field, "", TopLevelKeys);
        var byKey = fields.ToDictionary(f => f.Key, f => f.Value);
        int partitions = byKey.TryGetValue("partitions", out var p) ? ReadPartitions(p) : 1;
        var scope = new NameScope();
        var processes = byKey.TryGetValue("processes", out var declared)
            ? ReadProcesses(declared, partitions, scope)
            : [];
        if (!byKey.TryGetValue("steps", out var steps))
        {
            throw new ScenarioException(source.Start,
                "missing 'steps' (expected steps = [ ... ] at the top level)");
        }
        return new Scenario(
            Name: byKey.TryGetValue("name", out var name)
                ? ReadName(name)
                : Path.GetFileName(source.FileName),
            File: source.FileName,
            Seed: byKey.TryGetValue("seed", out var seed)
                ? ReadInt(seed, "a seed", int.MinValue, int.MaxValue)
                : null,
            Partitions: partitions,
            RawLibrary: byKey.TryGetValue("library", out var library) && ReadRawLibrary(library),
            Processes: processes,
            Steps: StepsReader.ReadList(steps, "steps", scope, partitions));
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
        var other => throw new ScenarioException(
            node.Location, $"unknown library '{other}' (expected raw or libxpmem)"),
    };

    private static IReadOnlyList<ProcessDeclaration> ReadProcesses(
        HoconNode node, int partitions, NameScope scope)
    {
        if (!node.IsObject)
        {
            throw new ScenarioException(
                node.Location, "expected processes { NAME { partition = N } ... }");
        }
        var processes = new List<ProcessDeclaration>();
        foreach (var field in node.Fields())
        {
            processes.Add(ReadProcess(field, partitions));
            scope.DeclareProcess(field.Key);
        }
        return processes;
    }

    private static ProcessDeclaration ReadProcess(HoconField process, int partitions)
    {
        if (!ScenarioValues.IsName(process.Key))
        {
            throw new ScenarioException(process.KeyLocation,
                $"'{process.Key}' is not a process name "
                + "(letters, digits and '_', not starting with a digit)");
        }
        if (!process.Value.IsObject)
        {
            throw new ScenarioException(process.Value.Location,
                $"expected {process.Key} {{ partition = N, uid = N, gid = N }}");
        }
        int partition = 0, uid = DefaultId, gid = DefaultId;
        foreach (var field in process.Value.Fields())
        {
            switch (field.Key)
            {
                case "partition": partition = ReadDeclaredPartition(field.Value, partitions); break;
                case "uid": uid = ReadInt(field.Value, "a uid", 0, int.MaxValue); break;
                case "gid": gid = ReadInt(field.Value, "a gid", 0, int.MaxValue); break;
                default: throw UnknownKey(field, $" in process '{process.Key}'", ProcessKeys);
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
        if (ScenarioValues.Number(text).Error is not null)
            throw new ScenarioException(node.Location, $"expected {what}, found '{text}'");
        var number = ScenarioValues.Int32(text);
        return number.Error is null && number.Value >= min && number.Value <= max
            ? number.Value
            : throw new ScenarioException(
                node.Location, $"expected {what} from {min} to {max}, found {text}");
    }

    internal static string ReadText(HoconNode node, string what) => node.IsString
        ? node.Text
        : throw new ScenarioException(node.Location, $"expected {what}, found {Describe(node)}");

    internal static string Describe(HoconNode node) =>
        node.IsObject ? "an object" : node.IsArray ? "an array" : "nothing";

    internal static ScenarioException UnknownKey(
        HoconField field, string where, string[] expected) =>
        new(field.KeyLocation,
            $"unknown key '{field.Key}'{where} (expected one of: {string.Join(", ", expected)})");

    private static bool IsReadFailure(Exception e) =>
        e is IOException or UnauthorizedAccessException or ArgumentException
            or NotSupportedException or SecurityException;
}
