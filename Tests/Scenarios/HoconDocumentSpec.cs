using System.Text;
using Emulator.Host.Bench;
using Emulator.Host.Scenarios;
using Emulator.Tests.Examples;
using Xunit;
using static Emulator.Tests.Scenarios.ScenarioFiles;

namespace Emulator.Tests.Scenarios;

// A plain file (no key written twice, no escapes, no """, no null, no '{' around the file) is read from the outline alone, without Akka's parser: a 3 MB file in a tenth of the
// time. Akka's parser defines the language's values, so this proves the fast reading agrees with
// it: for every plain file of the examples, the suites, HOCON's corner cases, seeded mutations,
// truncations and random text, the values read both ways are the same (kind, string, items,
// fields in order, every location, the place of every character of every string), and so are
// the scenarios parsed both ways, or their errors, message for message.
public sealed class HoconDocumentSpec
{
    private const int Seed = 20261203;

    public static TheoryData<string> CornerCases() =>
    [
        "processes { owner { partition = 0 } user { partition = 1 } }",
        "processes { owner = { partition = 0 }, user = { partition = 1 } }",
        "a = [ 1, 2, ]",
        "a = [ ]\nb = [\n]\nc = [ # nothing\n]\nd = [ [ ], [] ]",
        "a = [ wait 1s, \"x\" ]",
        "a.b.c = 1\nx.b.d = \"  x  \"\ny . b . e = 2",
        "a = foo bar   baz # c\nb = \"x y\" // c",
        "a : [\n  \"x\" // c\n  \"y\",\n]",
        "a\n=\n1",
        "\"a.b\" = 1\n\"\" = 2\n\" k \" = 3",
        "a = \"\"\nb = \"   \"\nc = \"  x  \"\nd = \"\t\"",
        "a = true\nb = false\nc = 1.5\nd = -0x1\ne = 1e3\nf = 10s\ng = yes",
        "a = nulls\nb = \"nul\"\nc = \"null x\"",
        "a = [ 1 ]   \nb = { x = 1 }   \nc = x   \nd = \"x\"   ,\ne = [ [1] , [ 2 ] ]",
        "a = {}\nb { }\nc = { d = {} }\ne { f { g = [] } }",
        "a = x\u2028b = y",
        "a = \u00e9t\u00e9\nb = \"\u4e2d\u6587\"\n\u00e9 = 1",
        "a = 1 // c\nb = 2 # c\n// c\n# c",
        "a = x//y\nb = x#y",
        "a = 0x10000\nb = \"u: r = read32 at+16 => 4\"",
        "steps = [\n  { parallel = [ [ \"a: x\" ], [ \"b: y\" ] ] }\n  { repeat = 2, steps = [] }\n]",
        "",
        "# only a comment",
        "a = [\n  [\n    \"x\"\n  ]\n  [ \"y\" ]\n]",
        "a = \"tab\there\"",
        "a = [ \"x\", \"y\" , \"z\" ]",
        "a = x,\nb = y ,",
        "a = -\nb = 1-2\nc = p0_1",
        "a = x \"y\"\nb = \"x\"y\nc = \"x\"  \"y\"\t z  \nd = x\t\ty",
        "a = [ x y, z\t w ]\nb = [ \"x\" ]  \nc = \"x\"   # c\nd = \"  x \" y ",
    ];

    [Theory]
    [MemberData(nameof(CornerCases))]
    public void Plain_files_must_read_as_Akka_reads_them(string text)
    {
        Assert.True(IsPlain(text), $"not plain: {ScenarioMutations.Escape(text)}");
        Assert.Equal(DumpValues(text, HoconValueSource.Akka),
            DumpValues(text, HoconValueSource.OutlineWhenPlain));
    }

    [Theory]
    [InlineData("a = 1\na = 2", "a key written twice")]
    [InlineData("a { x = 1 }\na { y = 2 }", "a key written twice")]
    [InlineData("a.b = 1\na.c = 2", "a key written twice")]
    [InlineData("a = \"x\\ty\"", "an escape")]
    [InlineData("\"a\\u0041\" = 1", "an escape")]
    [InlineData("a = \"\"\"x\"\"\"", "a \"\"\"-string")]
    [InlineData("a = null", "null")]
    [InlineData("a = \" null \"", "null")]
    [InlineData("{ a = 1 }", "a '{' around the whole file")]
    public void Files_that_are_not_plain_must_go_to_Akka(string text, string construct)
    {
        var outline = HoconOutlineParser.ParseDocument(new SourceText("t.hocon", text));

        Assert.Equal(construct, outline.NotPlain);
    }

    [Fact]
    public void Example_and_suite_files_must_be_plain_and_read_as_Akka_reads_them()
    {
        var files = Directory.GetFiles(ExamplesSpec.RepositoryFolder("examples"), "*.hocon")
            .Concat(Directory.GetFiles(
                ExamplesSpec.RepositoryFolder(Path.Combine("Tests", "Suites")), "*.hocon"))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(files.Count > 40, $"only {files.Count} example and suite files");
        foreach (var file in files)
        {
            string text = File.ReadAllText(file);
            Assert.True(IsPlain(text), $"{file} is not plain");
            Assert.True(DumpValues(text, HoconValueSource.Akka)
                == DumpValues(text, HoconValueSource.OutlineWhenPlain), $"{file}: values differ");
            Assert.True(DumpScenario(text, HoconValueSource.Akka)
                == DumpScenario(text, HoconValueSource.OutlineWhenPlain), $"{file}: scenarios differ");
        }
    }

    [Fact]
    public void A_generated_Altix_file_must_be_plain_and_parse_as_with_Akka()
    {
        string text = AltixScenario.Text(partitions: 3, processes: 4, pages: 2);

        Assert.True(IsPlain(text));
        Assert.Equal(DumpScenario(text, HoconValueSource.Akka),
            DumpScenario(text, HoconValueSource.OutlineWhenPlain));
    }

    [Fact]
    public void Mutated_files_must_read_and_parse_as_with_Akka()
    {
        var random = new Random(Seed);
        var inputs = Enumerable.Range(0, 4000).Select(_ => ScenarioMutations.Mutate(random));

        CheckAll(inputs, $"mutations, seed {Seed}", plainMin: 1000);
    }

    [Fact]
    public void Truncated_files_must_read_and_parse_as_with_Akka()
    {
        var inputs = new[] { DesignExample, LanguageFileExample }
            .SelectMany(text => Enumerable.Range(0, text.Length).Select(n => text[..n]));

        CheckAll(inputs, "every truncation of the examples", plainMin: 100);
    }

    [Fact]
    public void Random_text_must_read_and_parse_as_with_Akka()
    {
        var random = new Random(Seed + 1);
        var inputs = Enumerable.Range(0, 3000).Select(_ => ScenarioMutations.RandomText(random));

        CheckAll(inputs, $"random text, seed {Seed + 1}", plainMin: 10);
    }

    // Each input: if the outline accepts it and finds it plain, its values must read the same
    // both ways; whatever it is, the parse must end the same both ways.
    private static void CheckAll(IEnumerable<string> inputs, string what, int plainMin)
    {
        int plain = 0;
        int i = 0;
        foreach (string text in inputs)
        {
            string where = $"{what}, input {i++}: {ScenarioMutations.Escape(text)}";
            if (IsPlain(text))
            {
                plain++;
                Assert.True(DumpValues(text, HoconValueSource.Akka)
                    == DumpValues(text, HoconValueSource.OutlineWhenPlain),
                    $"values differ; {where}");
            }
            string akka = DumpScenario(text, HoconValueSource.Akka);
            string fast = DumpScenario(text, HoconValueSource.OutlineWhenPlain);
            Assert.True(akka == fast, $"parses differ:\n{akka}\n---\n{fast}\n{where}");
        }
        Assert.True(plain >= plainMin, $"{what}: only {plain} plain inputs (expected {plainMin})");
    }

    private static bool IsPlain(string text)
    {
        try
        {
            return HoconOutlineParser.ParseDocument(new SourceText("t.hocon", text)).IsPlain;
        }
        catch (ScenarioException)
        {
            return false;
        }
    }

    private static string DumpValues(string text, HoconValueSource values)
    {
        var source = new SourceText("t.hocon", text);
        var dump = new StringBuilder();
        Dump(HoconDocument.Read(source, values), "$", dump);
        return dump.ToString();
    }

    private static void Dump(HoconNode node, string path, StringBuilder dump)
    {
        dump.Append($"{path} @{node.Location} object={node.IsObject} array={node.IsArray} ");
        dump.Append($"string={node.IsString} text='{node.Text}'");
        for (int i = -1; i <= node.Text.Length + 1; i++)
            dump.Append($" {node.LocationOfChar(i).Line}:{node.LocationOfChar(i).Column}");
        dump.AppendLine();
        foreach (var field in node.Fields())
        {
            dump.AppendLine($"{path} key '{field.Key}' @{field.KeyLocation}");
            Dump(field.Value, $"{path}.{field.Key}", dump);
        }
        var items = node.Items();
        for (int i = 0; i < items.Count; i++)
            Dump(items[i], $"{path}[{i}]", dump);
    }

    private static string DumpScenario(string text, HoconValueSource values)
    {
        try
        {
            var scenario = ScenarioParser.Parse(text, "t.hocon", values);
            var dump = new StringBuilder();
            dump.AppendLine($"{scenario.Name} {scenario.File} {scenario.Seed} "
                + $"{scenario.Partitions} {scenario.RawLibrary}");
            foreach (var process in scenario.Processes)
                dump.AppendLine(process.ToString());
            if (scenario.Placement is { } placement)
                dump.AppendLine(string.Join(" | ", placement.Select(n => string.Join(",", n))));
            Dump(scenario.Steps, "", dump);
            return dump.ToString();
        }
        catch (ScenarioException error)
        {
            return $"error: {error.Message}";
        }
    }

    private static void Dump(IReadOnlyList<Step> steps, string indent, StringBuilder dump)
    {
        foreach (var step in steps)
        {
            switch (step)
            {
                case CommandStep c:
                    dump.AppendLine($"{indent}{c.Location} {c.Process} {c.Bind} {c.Command} "
                        + $"{Dump(c.Expect)} '{c.Text}'");
                    break;
                case ParallelStep p:
                    dump.AppendLine($"{indent}{p.Location} parallel");
                    foreach (var branch in p.Branches)
                        Dump(branch, indent + "  ", dump);
                    break;
                case RepeatStep r:
                    dump.AppendLine($"{indent}{r.Location} repeat {r.Count}");
                    Dump(r.Steps, indent + "  ", dump);
                    break;
            }
        }
    }

    private static string Dump(Expectation expectation) => expectation is ExpectAny any
        ? string.Join(" | ", any.Alternatives.Select(Dump))
        : expectation.ToString()!;
}
