// Proves docs/trace.md documents the trace the program writes, and nothing it does not: it runs
// every file in examples/ and Tests/Suites/ (seed 1) plus a quickstart with a wrong expectation
// (for the failure fields) with --out, and the explorer's round trip under an injected owner
// crash (for the lines only an injection writes), collects every line kind, every (kind, field)
// pair, every nested field and every record type name the traces hold, and holds them against
// the doc's "### `kind`" sections and field tables: each one seen must be documented, and each
// kind and kind field documented must be seen (a kind whose heading says "(failures only)" may
// be absent).
using System.Text.Json;
using System.Text.RegularExpressions;
using Emulator.Host.Explore;
using Emulator.Host.Injection;
using Emulator.Host.Reports;
using Emulator.Host.Runner;
using Emulator.Host.Scenarios;
using Emulator.Partitions.Sim;
using Emulator.Tests.Examples;
using Emulator.Tests.Explore;
using Xunit;

namespace Emulator.Tests.Reports;

public sealed partial class TraceDocSpec
{
    private const string CommonSection = "Fields of deliver and event lines";
    private const string GlossarySection = "Message fields";
    private static readonly string[] Framing = ["header", "verdict"];

    /// <summary>The runs take seconds: both facts read the same traces.</summary>
    private static readonly Lazy<Seen> Traces = new(() => Collect(RunEverything()));

    [Fact]
    public void TraceDoc_must_document_every_kind_and_field_the_traces_hold()
    {
        var doc = TraceDoc.Read();
        var seen = Traces.Value;

        var undocumented = new List<string>();
        foreach (var (kind, field) in seen.Fields)
        {
            var allowed = Framing.Contains(kind) ? doc.FieldsOf(kind).Append("kind")
                : kind == "deliver" ? doc.Common.Concat(doc.Glossary)
                : doc.Common.Concat(doc.FieldsOf(kind));
            if (!allowed.Contains(field)) undocumented.Add($"{kind}.{field}");
        }
        foreach (var (kind, field) in seen.Nested)
        {
            if (!doc.Glossary.Contains(field) && !doc.FieldsOf(kind).Contains(field))
                undocumented.Add($"{kind} (nested) {field}");
        }
        undocumented.AddRange(seen.Kinds.Where(k => !doc.Kinds.ContainsKey(k))
            .Select(k => $"kind {k}"));
        undocumented.AddRange(seen.Types.Where(t => !doc.Names.Contains(t))
            .Select(t => $"type {t}"));

        Assert.True(undocumented.Count == 0,
            "docs/trace.md lacks: " + string.Join(", ", undocumented.Distinct().Order()));
    }

    [Fact]
    public void TraceDoc_must_document_only_kinds_and_fields_the_traces_hold()
    {
        var doc = TraceDoc.Read();
        var seen = Traces.Value;

        var stale = doc.Kinds
            .Where(k => !k.Value && !seen.Kinds.Contains(k.Key))
            .Select(k => $"kind {k.Key}")
            .ToList();
        foreach (var kind in doc.Kinds.Keys.Where(seen.Kinds.Contains))
        {
            stale.AddRange(doc.FieldsOf(kind)
                .Where(f => !seen.Fields.Contains((kind, f)) && !seen.Nested.Contains((kind, f)))
                .Select(f => $"{kind}.{f}"));
        }

        Assert.True(stale.Count == 0,
            "docs/trace.md documents what no trace holds: " + string.Join(", ", stale));
        Assert.True(doc.Kinds.Count >= 7, $"only {doc.Kinds.Count} kinds documented");
        Assert.True(doc.Glossary.Count >= 30, $"only {doc.Glossary.Count} message fields");
    }

    [Fact]
    public void TraceDoc_must_show_an_excerpt_of_a_real_quickstart_trace()
    {
        var excerpt = JsonBlock().Match(TraceDoc.Text()).Groups[1].Value
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var temporary = Directory.CreateTempSubdirectory("xpmem-trace-excerpt-");
        string[] trace;
        try
        {
            // Parsed under the name the doc's command line gives it, as the excerpt shows it.
            var quickstart = ScenarioParser.Parse(File.ReadAllText(ExamplesSpec.RepositoryFolder(
                Path.Combine("examples", "quickstart.hocon"))), "examples/quickstart.hocon");
            ScenarioRunner.Run(quickstart, new RunOptions(1, temporary.FullName));
            trace = File.ReadAllLines(Path.Combine(temporary.FullName, JsonlTrace.FileName));
        }
        finally
        {
            temporary.Delete(recursive: true);
        }

        Assert.True(excerpt.Length >= 5, $"the excerpt has {excerpt.Length} lines");
        Assert.StartsWith("{\"kind\":\"header\"", excerpt[0]);
        Assert.StartsWith("{\"kind\":\"verdict\"", excerpt[^1]);
        // The program's version changes with every commit; everything else is the trace's.
        var missing = excerpt.Select(WithoutVersion).Except(trace.Select(WithoutVersion)).ToList();
        Assert.True(missing.Count == 0,
            "seed 1: the quickstart trace lacks these lines of the excerpt: "
                + string.Join("\n", missing));
    }

    private static string WithoutVersion(string line) => Version().Replace(line, "");

    private static List<string> RunEverything()
    {
        var temporary = Directory.CreateTempSubdirectory("xpmem-trace-doc-");
        try
        {
            return RunEverything(temporary.FullName);
        }
        finally
        {
            temporary.Delete(recursive: true);
        }
    }

    private static List<string> RunEverything(string folderRoot)
    {
        var files = new[] { "examples", Path.Combine("Tests", "Suites") }
            .SelectMany(folder => Directory.GetFiles(ExamplesSpec.RepositoryFolder(folder),
                "*.hocon"))
            .Order(StringComparer.Ordinal)
            .Select(ScenarioParser.ParseFile)
            .ToList();
        var quickstart = File.ReadAllText(
            ExamplesSpec.RepositoryFolder(Path.Combine("examples", "quickstart.hocon")));
        files.Add(ScenarioParser.Parse(quickstart.Replace("=> 4", "=> 5"), "wrong.hocon"));
        var traces = new List<string>();
        foreach (var (scenario, index) in files.Select((s, i) => (s, i)))
        {
            var folder = Path.Combine(folderRoot, $"{index}");
            var result = ScenarioRunner.Run(scenario, new RunOptions(1, folder));
            Assert.True(result.Passed == (scenario.File != "wrong.hocon"),
                $"{scenario.File} seed 1: {result.Failure}");
            traces.Add(File.ReadAllText(Path.Combine(folder, JsonlTrace.FileName)));
        }
        traces.Add(InjectedTrace());
        return traces;
    }

    /// <summary>
    /// The lines only an explore's injected fault writes (fault_injected, step_excused): the
    /// explorer's round trip under an owner crash aimed at its fault, the first seed of 1..20
    /// whose crash excuses a step.
    /// </summary>
    private static string InjectedTrace()
    {
        var scenario = PreparedScenario.Of(ExploreFiles.RoundTrip, [], [], out var error)
            ?? throw new InvalidOperationException(error);
        using var runner = new ScheduleRunner(scenario.Scenario, scenario.AkkaConfig);
        for (var seed = 1; seed <= 20; seed++)
        {
            var outcome = runner.Run(seed, new RandomStrategy(), SimTimers.Idle,
                new SimRecorder(), traceInMemory: true,
                inject: new DrawnInjections([InjectKind.OwnerCrash], seed, partitions: 2, 80));
            if (outcome.Result.Trace is { } trace
                && trace.Contains("\"kind\":\"step_excused\"", StringComparison.Ordinal))
                return trace;
        }
        throw new InvalidOperationException("no owner crash excused a step, seeds 1 to 20");
    }

    private static Seen Collect(IEnumerable<string> traces)
    {
        var seen = new Seen();
        foreach (var line in traces.SelectMany(JsonlTraceSpec.Parse))
        {
            var kind = line.GetProperty("kind").GetString()!;
            seen.Kinds.Add(kind);
            if (kind == "deliver") seen.Types.Add(line.GetProperty("type").GetString()!);
            foreach (var field in line.EnumerateObject())
            {
                seen.Fields.Add((kind, field.Name));
                CollectNested(seen, kind, field.Value);
            }
        }
        return seen;
    }

    private static void CollectNested(Seen seen, string kind, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in value.EnumerateArray()) CollectNested(seen, kind, item);
            return;
        }
        if (value.ValueKind != JsonValueKind.Object) return;
        if (value.TryGetProperty("type", out var type)) seen.Types.Add(type.GetString()!);
        foreach (var field in value.EnumerateObject())
        {
            seen.Nested.Add((kind, field.Name));
            CollectNested(seen, kind, field.Value);
        }
    }

    [GeneratedRegex("```json\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();

    [GeneratedRegex("\"emulator\":\"[^\"]*\",")]
    private static partial Regex Version();

    private sealed class Seen
    {
        public HashSet<string> Kinds { get; } = [];

        public HashSet<(string Kind, string Field)> Fields { get; } = [];

        public HashSet<(string Kind, string Field)> Nested { get; } = [];

        public HashSet<string> Types { get; } = [];
    }

    /// <summary>
    /// docs/trace.md read as data: each "### `kind`" section's table rows name its fields; the
    /// common fields and the message fields have sections of their own.
    /// </summary>
    private sealed partial class TraceDoc
    {
        private readonly Dictionary<string, List<string>> _sections = [];

        /// <summary>Documented kinds; true when the heading says "(failures only)".</summary>
        public Dictionary<string, bool> Kinds { get; } = [];

        /// <summary>Every name written in backticks anywhere on the page.</summary>
        public HashSet<string> Names { get; } = [];

        public IReadOnlyList<string> Common => _sections.GetValueOrDefault(CommonSection) ?? [];

        public IReadOnlyList<string> Glossary =>
            _sections.GetValueOrDefault(GlossarySection) ?? [];

        public IReadOnlyList<string> FieldsOf(string kind) =>
            _sections.GetValueOrDefault($"`{kind}`") ?? [];

        public static string Text() => File.ReadAllText(
            ExamplesSpec.RepositoryFolder(Path.Combine("docs", "trace.md"))).Replace("\r\n", "\n");

        public static TraceDoc Read()
        {
            var doc = new TraceDoc();
            var section = "";
            foreach (var line in Text().Split('\n'))
            {
                var heading = Heading().Match(line);
                if (heading.Success)
                {
                    section = heading.Groups[1].Value.Trim();
                    var kind = KindHeading().Match(section);
                    if (kind.Success)
                    {
                        doc.Kinds[kind.Groups[1].Value] = section.Contains("(failures only)");
                        section = $"`{kind.Groups[1].Value}`";
                    }
                    doc._sections.TryAdd(section, []);
                    continue;
                }
                var row = FieldRow().Match(line);
                if (row.Success) doc._sections[section].Add(row.Groups[1].Value);
                foreach (Match name in Quoted().Matches(line)) doc.Names.Add(name.Groups[1].Value);
            }
            return doc;
        }

        [GeneratedRegex("^#{2,3} (.*)$")]
        private static partial Regex Heading();

        [GeneratedRegex("^`([a-z_]+)`")]
        private static partial Regex KindHeading();

        [GeneratedRegex(@"^\| `([A-Za-z_]+)` \|")]
        private static partial Regex FieldRow();

        [GeneratedRegex("`([A-Za-z0-9_]+)`")]
        private static partial Regex Quoted();
    }
}
