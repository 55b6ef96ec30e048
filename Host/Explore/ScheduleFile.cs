using System.Globalization;
using System.Text;
using System.Text.Json;
using Emulator.Partitions.Sim;

namespace Emulator.Host.Explore;

/// <summary>A schedule file that cannot be read: the file and what is wrong with it.</summary>
public sealed class ScheduleFileException(string message) : Exception(message);

/// <summary>
/// Schedule files (docs/exploring.md): one JSON object per file, written by <c>explore</c>, read
/// by <c>replay</c>. Reading checks every field and says which one is wrong, and where.
/// </summary>
public static class ScheduleFile
{
    /// <summary>What the <c>format</c> field holds; changes when a field changes.</summary>
    public const string Format = "xpmem-emu schedule 1";

    /// <summary>The field naming the steps a shrunk schedule leaves out (none: absent).</summary>
    public const string LeftOutField = "leftOutSteps";

    /// <summary>The suffix of a shrunk schedule written next to its original.</summary>
    public const string ShrunkSuffix = ".shrunk.json";

    /// <summary>Longest file read: a bound on what a file can make us allocate.</summary>
    private const long BytesMax = 256L << 20;

    private static readonly JsonWriterOptions Indented = new() { Indented = true };

    public static void Write(string path, Schedule schedule)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, Indented);
        json.WriteStartObject();
        json.WriteString("format", Format);
        json.WriteString("scenario", schedule.Scenario);
        json.WriteString("file", schedule.File);
        json.WriteString("scenarioSha256", schedule.ScenarioSha256);
        json.WriteString("build", schedule.Build);
        WriteList(json, "set", schedule.Overrides);
        WriteList(json, "faults", schedule.Faults);
        json.WriteNumber("seed", schedule.Seed);
        json.WriteString("strategy", schedule.Strategy);
        if (schedule.Depth is { } depth) json.WriteNumber("depth", depth);
        if (schedule.EstimatedSteps is { } steps) json.WriteNumber("estimatedSteps", steps);
        json.WriteString("timers", TimersName(schedule.Timers));
        if (schedule.Index is { } index) json.WriteNumber("schedule", index);
        if (schedule.ShrunkFrom is { } from) json.WriteString("shrunkFrom", from);
        if (schedule.LeftOut.Count > 0)
            WriteList(json, LeftOutField, [.. schedule.LeftOut.Select(id => id.ToString())]);
        json.WriteNumber("decisions", schedule.Choices.Count);
        json.WriteNumber("deviations", schedule.Deviations);
        json.WriteString("choices", ScheduleText.Choices(schedule.Choices));
        json.WriteNumber("faultDraws", schedule.FaultDraws);
        json.WriteString("linkDraws", ScheduleText.Draws(schedule.Draws));
        json.WriteString("digest", schedule.Digest.ToString("x16", CultureInfo.InvariantCulture));
        json.WriteNumber("deliveries", schedule.Deliveries);
        WriteInjected(json, schedule);
        if (schedule.TraceSha256 is { } trace) json.WriteString("traceSha256", trace);
        json.WriteStartObject("verdict");
        json.WriteBoolean("passed", schedule.Verdict.Passed);
        if (schedule.Verdict.Cause is { } cause) json.WriteString("cause", cause);
        if (schedule.Verdict.Failure is { } failure) json.WriteString("failure", failure);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    public static string TimersName(SimTimers timers) => timers.ToString().ToLowerInvariant();

    /// <summary>The schedule in <paramref name="path"/>; throws
    /// <see cref="ScheduleFileException"/> saying what is wrong.</summary>
    public static Schedule Read(string path)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw Bad(path, "no such file");
            if (info.Length > BytesMax) throw Bad(path, $"larger than {BytesMax >> 20} MiB");
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Bad(path, $"cannot read it: {e.Message}");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw Bad(path, $"line {(e.LineNumber ?? 0) + 1}: not JSON: {FirstSentence(e)}");
        }
        using (document)
        {
            return Read(path, document.RootElement);
        }
    }

    private static Schedule Read(string path, JsonElement root)
    {
        var fields = new Fields(path, root);
        var format = fields.String("format");
        if (format != Format)
        {
            throw Bad(path, $"\"format\" is \"{Cut(format)}\", expected \"{Format}\" (not a "
                + "schedule file, or one of another version)");
        }
        var choices = ScheduleText.ParseChoices(fields.String("choices"), out var badChoice)
            ?? throw Bad(path, $"\"choices\": {badChoice}");
        var draws = ScheduleText.ParseDraws(fields.String("linkDraws"), out var badDraw)
            ?? throw Bad(path, $"\"linkDraws\": {badDraw}");
        var verdict = fields.Object("verdict");
        return new Schedule
        {
            Scenario = fields.String("scenario"),
            File = fields.String("file"),
            ScenarioSha256 = fields.String("scenarioSha256"),
            Build = fields.String("build"),
            Overrides = fields.Strings("set"),
            Faults = fields.Strings("faults"),
            Seed = fields.Int("seed"),
            Strategy = fields.String("strategy"),
            Depth = fields.OptionalInt("depth"),
            EstimatedSteps = fields.OptionalLong("estimatedSteps"),
            Timers = ParseTimers(path, fields.String("timers")),
            Index = fields.OptionalLong("schedule"),
            ShrunkFrom = fields.OptionalString("shrunkFrom"),
            LeftOut = ParseLeftOut(path, fields.OptionalStrings(LeftOutField)),
            Choices = choices,
            Draws = draws,
            Digest = ParseDigest(path, fields.String("digest")),
            Deliveries = fields.Long("deliveries"),
            TraceSha256 = fields.OptionalString("traceSha256"),
            Verdict = new ScheduleVerdict(verdict.Bool("passed"), verdict.OptionalString("cause"),
                verdict.OptionalString("failure")),
            Inject = fields.OptionalStrings("inject") ?? [],
            Injected = ReadInjected(path, fields.OptionalStrings("injected") ?? []),
        };
    }

    /// <summary>
    /// <c>inject</c> (explore's <c>--inject</c>) and <c>injected</c> (each fault as
    /// <c>@DELIVERY KIND [pN]</c>), written only when the explore injected: a schedule without
    /// them is one of a run without injections, as files written before them are.
    /// </summary>
    private static void WriteInjected(Utf8JsonWriter json, Schedule schedule)
    {
        if (schedule.Inject.Count == 0 && schedule.Injected.Count == 0) return;
        WriteList(json, "inject", schedule.Inject);
        WriteList(json, "injected", [.. schedule.Injected.Select(i => i.ToString())]);
    }

    private static IReadOnlyList<Injection.Injection> ReadInjected(string path,
        IReadOnlyList<string> texts)
    {
        var injected = new List<Injection.Injection>();
        foreach (var text in texts)
        {
            injected.Add(Injection.Injections.Parse(text, out var error)
                ?? throw Bad(path, $"\"injected\" item {injected.Count + 1}: {error}"));
        }
        return injected;
    }

    /// <summary>
    /// The steps a shrunk schedule leaves out, each <c>LINE:COLUMN</c>; whether the scenario has
    /// them is the replay's check, which reads the scenario.
    /// </summary>
    private static IReadOnlyList<StepId> ParseLeftOut(string path, IReadOnlyList<string>? items)
    {
        if (items is null) return [];
        var ids = new List<StepId>();
        foreach (var item in items)
        {
            ids.Add(StepId.Parse(item) ?? throw Bad(path, $"\"{LeftOutField}\" has "
                + $"\"{Cut(item)}\", expected a step's LINE:COLUMN in the scenario (as 12:5)"));
        }
        if (ids.Distinct().Count() != ids.Count)
            throw Bad(path, $"\"{LeftOutField}\" names a step twice");
        return [.. ids.Order()];
    }

    private static SimTimers ParseTimers(string path, string text) => text switch
    {
        "idle" => SimTimers.Idle,
        "due" => SimTimers.Due,
        "race" => SimTimers.Race,
        _ => throw Bad(path, $"\"timers\" is \"{Cut(text)}\", expected idle, due or race"),
    };

    private static ulong ParseDigest(string path, string text) =>
        text.Length == 16 && ulong.TryParse(text, NumberStyles.AllowHexSpecifier,
            CultureInfo.InvariantCulture, out var digest)
            ? digest
            : throw Bad(path, $"\"digest\" is \"{Cut(text)}\", expected 16 hex digits");

    private static void WriteList(Utf8JsonWriter json, string name, IReadOnlyList<string> items)
    {
        json.WriteStartArray(name);
        foreach (var item in items) json.WriteStringValue(item);
        json.WriteEndArray();
    }

    private static ScheduleFileException Bad(string path, string what) =>
        new($"{path}: {what}");

    private static string Cut(string text) => text.Length <= 40 ? text : text[..40] + "...";

    private static string FirstSentence(JsonException e)
    {
        var message = e.Message;
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message;
    }

    /// <summary>The fields of one JSON object, each read as the type it must have.</summary>
    private readonly struct Fields
    {
        private readonly string _path;
        private readonly JsonElement _element;
        private readonly string _prefix;

        public Fields(string path, JsonElement element, string prefix = "")
        {
            _path = path;
            _element = element;
            _prefix = prefix;
            if (element.ValueKind != JsonValueKind.Object)
                throw Bad(path, $"{Where("")}is a {Kind(element)}, expected an object");
        }

        public string String(string name) => Required(name, JsonValueKind.String).GetString()!;

        public string? OptionalString(string name) =>
            Optional(name, JsonValueKind.String)?.GetString();

        public bool Bool(string name)
        {
            var value = Field(name) ?? throw Missing(name);
            return value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Wrong(name, value, "true or false"),
            };
        }

        public int Int(string name) => (int)Integer(name,
            Required(name, JsonValueKind.Number), int.MinValue, int.MaxValue);

        public long Long(string name) =>
            Integer(name, Required(name, JsonValueKind.Number), 0, long.MaxValue);

        public int? OptionalInt(string name) =>
            Optional(name, JsonValueKind.Number) is { } value
                ? (int)Integer(name, value, 1, int.MaxValue) : null;

        public long? OptionalLong(string name) =>
            Optional(name, JsonValueKind.Number) is { } value
                ? Integer(name, value, 0, long.MaxValue) : null;

        public IReadOnlyList<string> Strings(string name) =>
            Strings(name, Required(name, JsonValueKind.Array));

        public IReadOnlyList<string>? OptionalStrings(string name) =>
            Optional(name, JsonValueKind.Array) is { } array ? Strings(name, array) : null;

        private IReadOnlyList<string> Strings(string name, JsonElement array)
        {
            var items = new List<string>();
            foreach (var item in array.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                    throw Wrong(name, item, "an array of strings");
                items.Add(item.GetString()!);
            }
            return items;
        }

        public Fields Object(string name) =>
            new(_path, Required(name, JsonValueKind.Object), $"{_prefix}{name}.");

        private long Integer(string name, JsonElement value, long min, long max) =>
            value.TryGetInt64(out var number) && number >= min && number <= max
                ? number
                : throw Wrong(name, value, $"a whole number from {min} to {max}");

        private JsonElement Required(string name, JsonValueKind kind) =>
            Optional(name, kind) ?? throw Missing(name);

        private JsonElement? Optional(string name, JsonValueKind kind)
        {
            if (Field(name) is not { } value || value.ValueKind == JsonValueKind.Null) return null;
            return value.ValueKind == kind ? value : throw Wrong(name, value, Article(kind));
        }

        private JsonElement? Field(string name) =>
            _element.TryGetProperty(name, out var value) ? value : null;

        private ScheduleFileException Missing(string name) =>
            Bad(_path, $"no \"{_prefix}{name}\" field");

        private ScheduleFileException Wrong(string name, JsonElement value, string expected) =>
            Bad(_path, $"{Where(name)}is {Shown(value)}, expected {expected}");

        private string Where(string name) =>
            name.Length == 0 && _prefix.Length == 0 ? "the file " : $"\"{_prefix}{name}\" ";

        private static string Shown(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True
                or JsonValueKind.False => Cut(value.GetRawText()),
            _ => $"a {Kind(value)}",
        };

        private static string Kind(JsonElement value) =>
            value.ValueKind.ToString().ToLowerInvariant();

        private static string Article(JsonValueKind kind) => kind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            _ => $"a {kind.ToString().ToLowerInvariant()}",
        };
    }

    /// <summary>The sha256 of <paramref name="text"/>'s UTF-8 bytes, in lower-case hex.</summary>
    public static string Sha256(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            Encoding.UTF8.GetBytes(text)));
}
