using System.Text.RegularExpressions;
using static System.StringComparison;
using Emulator.Host.Scenarios;
using Xunit;
using static Emulator.Tests.Scenarios.ScenarioFiles;

namespace Emulator.Tests.Scenarios;

// Proves that docs/language.md shows only what the parser reads: every ```hocon block parses as
// a whole file, every step example in its tables parses after steps that bind the names the
// examples use, and its bad example (a ```hocon block with a file name) gives exactly the
// errors the ```text block after it shows. And that what it says of the parser holds: each
// limit it states is the one the parser applies, and it links only to its own headings and to
// files inside the repository.
public sealed partial class LanguageDocSpec
{
    private static readonly string[] Bindings =
        [.. Prelude, "owner: child = fork", "owner: x = mmap 1p"];

    [Fact]
    public void LanguageDoc_must_show_only_files_that_parse()
    {
        var blocks = HoconBlock().Matches(ReadDoc()).Select(m => m.Groups[1].Value).ToList();

        Assert.True(blocks.Count >= 3, $"found {blocks.Count} hocon blocks");
        Assert.All(blocks, block => Parse(block));
    }

    [Fact]
    public void LanguageDoc_must_show_only_steps_that_parse()
    {
        var steps = ReadDoc().Split('\n')
            .Where(line => line.StartsWith('|'))
            .SelectMany(line => TableStep().Matches(line).Select(m => m.Groups[1].Value))
            .ToList();

        Assert.True(steps.Count >= 30, $"found {steps.Count} step examples");
        Assert.All(steps, step => Parse(WithSteps([.. Bindings, step])));
    }

    [Fact]
    public void LanguageDoc_must_show_the_errors_its_bad_example_gives()
    {
        var examples = BadExample().Matches(ReadDoc()).ToList();

        var example = Assert.Single(examples);
        string file = example.Groups[1].Value;
        var error = Assert.Throws<ScenarioException>(
            () => ScenarioParser.Parse(example.Groups[2].Value, file));
        Assert.Equal(example.Groups[3].Value.TrimEnd('\n'), error.Message);
        Assert.True(error.Errors.Count >= 5, $"{error.Errors.Count} errors");
        Assert.Contains(error.Errors, e => e.Reason.Contains("did you mean", Ordinal));
    }

    [Fact]
    public void LanguageDoc_must_state_the_limits_the_parser_applies()
    {
        string doc = ReadDoc();
        string limits = doc[doc.IndexOf("## Limits", Ordinal)..];
        limits = limits[..limits.IndexOf("\n## ", 1, Ordinal)];
        long durationMaxSeconds = (long)ScenarioParser.DurationMax.TotalSeconds;

        int mebibytes = ScenarioParser.FileSizeMax / (1024 * 1024);
        Assert.Contains(
            Row("file size", $"{mebibytes} MiB ({ScenarioParser.FileSizeMax:N0} bytes)"), limits);
        Assert.Contains(Row("errors listed", $"{ScenarioParser.ErrorsMax};"), limits);
        Assert.Contains(Row("steps a file runs", $"{ScenarioParser.StepsRunMax:N0}:"), limits);
        Assert.Contains(Row("repeat count", $"0 to {ScenarioParser.RepeatCountMax:N0} "), limits);
        Assert.Contains(Row("a duration (`wait`, `delay`)", $"{durationMaxSeconds}s "), limits);
        Assert.Contains(Row("waits in all", $"{(long)ScenarioParser.WaitTotalMax.TotalSeconds}s"),
            limits);
        Assert.Contains(Row("nesting", $"{HoconOutlineParser.DepthMax} levels"), limits);
        Assert.Contains(Row("partitions", $"{ScenarioParser.PartitionsMax}"), limits);
        Assert.IsType<WaitCommand>(Last($"wait {durationMaxSeconds}s"));
        StepError($"wait {durationMaxSeconds + 1}s");
    }

    [Fact]
    public void LanguageDoc_must_link_only_inside_the_repository()
    {
        string doc = ReadDoc();
        var anchors = Heading().Matches(doc).Select(m => Anchor(m.Groups[1].Value)).ToHashSet();
        var links = Link().Matches(doc).Select(m => m.Groups[1].Value).ToList();

        Assert.NotEmpty(links);
        Assert.All(links, link =>
        {
            if (link.StartsWith('#'))
            {
                Assert.Contains(link[1..], anchors);
                return;
            }
            Assert.DoesNotContain("://", link);
            string target = Path.GetFullPath(Path.Combine(DocsFolder(), link.Split('#')[0]));
            string repository = Path.GetFullPath(Path.Combine(DocsFolder(), "..")) + "/";
            Assert.StartsWith(repository, target);
            Assert.True(File.Exists(target) || Directory.Exists(target), $"{link}: no such file");
        });
        Assert.DoesNotContain("scenario-language.md", doc);
        Assert.DoesNotContain("shared/", doc);
    }

    private static string Row(string limit, string valueStart) => $"| {limit} | {valueStart}";

    // GitHub's heading anchors: lower case, spaces as '-', punctuation but '-' and '_' dropped.
    private static string Anchor(string heading) => string.Concat(heading.ToLowerInvariant()
        .Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_')
        .Select(c => c == ' ' ? '-' : c));

    private static string ReadDoc() =>
        File.ReadAllText(Path.Combine(DocsFolder(), "language.md")).Replace("\r\n", "\n");

    private static string DocsFolder()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null;
             directory = directory.Parent)
        {
            string path = Path.Combine(directory.FullName, "docs", "language.md");
            if (File.Exists(path))
                return Path.Combine(directory.FullName, "docs");
        }
        throw new FileNotFoundException(
            "docs/language.md not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("```hocon\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex HoconBlock();

    [GeneratedRegex("`\"([^`\"]*)\"`")]
    private static partial Regex TableStep();

    [GeneratedRegex("```hocon (\\S+)\n(.*?)```\n.*?```text\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex BadExample();

    [GeneratedRegex("^#+ (.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex("\\]\\(([^)\\s]+)\\)")]
    private static partial Regex Link();
}
