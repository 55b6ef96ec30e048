using System.Text.RegularExpressions;
using Xunit;
using static Emulator.Tests.Scenarios.ScenarioFiles;

namespace Emulator.Tests.Scenarios;

// Proves that docs/language.md shows only what the parser reads: every ```hocon block parses as
// a whole file, and every step example in its tables parses after steps that bind the names
// the examples use.
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

    private static string ReadDoc()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null;
             directory = directory.Parent)
        {
            string path = Path.Combine(directory.FullName, "docs", "language.md");
            if (File.Exists(path))
                return File.ReadAllText(path).Replace("\r\n", "\n");
        }
        throw new FileNotFoundException(
            "docs/language.md not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("```hocon\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex HoconBlock();

    [GeneratedRegex("`\"([^`\"]*)\"`")]
    private static partial Regex TableStep();
}
