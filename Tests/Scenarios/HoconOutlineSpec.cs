using Akka.Configuration;
using Akka.Configuration.Hocon;
using Emulator.Host.Scenarios;
using Xunit;

namespace Emulator.Tests.Scenarios;

// Proves that the outline parser, which checks a file and records positions before Akka's
// parser reads it, reads every file it accepts as Akka does: the same keys, the same array
// lengths and the same strings, over HOCON's corner cases and seeded mutations of the examples.
// If they disagreed, step errors would point at the wrong place.
public sealed class HoconOutlineSpec
{
    private const int Seed = 4242;

    [Theory]
    [InlineData("processes { owner { partition = 0 } user { partition = 1 } }")]
    [InlineData("processes { owner = { partition = 0 }, user = { partition = 1 } }")]
    [InlineData("a = [ 1, 2, ]")]
    [InlineData("a = [ ]\nb = [\n]\nc = [ # nothing\n]\nd = [ [ ], [] ]")]
    [InlineData("a = [ wait 1s, \"x\" ]")]
    [InlineData("a.b.c = 1\na.b.d = \"  x  \"\na . b . e = 2")]
    [InlineData("a { x = 1 }\na { y = 2 }")]
    [InlineData("a = 1\na = { x = 1 }\nb = { x = 1 }\nb = 1")]
    [InlineData("a = { x = 1 }\na = [ 1 ]\na = { y = 2 }")]
    [InlineData("a = [ 1 ]\na.b = 2")]
    [InlineData("{ a = 1 }")]
    [InlineData("a = \"\"\"x\"y\"\"\"")]
    [InlineData("a = null\nb = \"null\"")]
    [InlineData("a = foo bar   baz # c\nb = \"x\\ty\\u0041\" // c")]
    [InlineData("a : [\n  \"x\" // c\n  \"y\",\n]")]
    [InlineData("a\n=\n1")]
    [InlineData("\"a.b\" = 1")]
    public void HoconOutline_must_read_what_Akka_reads(string text)
    {
        Assert.Null(Disagreement(text));
    }

    [Fact]
    public void HoconOutline_must_agree_with_Akka_on_every_mutated_file_it_accepts()
    {
        var random = new Random(Seed);
        int accepted = 0;
        for (int i = 0; i < 3000; i++)
        {
            string text = ScenarioMutations.Mutate(random);
            string? disagreement;
            try
            {
                disagreement = Disagreement(text);
            }
            catch (ScenarioException)
            {
                continue;
            }
            accepted++;
            Assert.True(disagreement is null,
                $"seed {Seed}, input {i}: {disagreement}: {ScenarioMutations.Escape(text)}");
        }
        Assert.True(accepted > 300, $"seed {Seed}: only {accepted} mutated files were accepted");
    }

    private static string? Disagreement(string text)
    {
        var source = new SourceText("t.hocon", text);
        var outline = HoconOutlineParser.Parse(source);
        var akka = ConfigurationFactory.ParseString(source.Text + "\n").Root;
        return Compare(akka, outline, "$");
    }

    private static string? Compare(HoconValue akka, OutlineNode outline, string path) =>
        outline switch
        {
            OutlineObject o => CompareObject(akka, o, path),
            OutlineArray a => CompareArray(akka, a, path),
            OutlineLeaf l => CompareLeaf(akka, l, path),
            _ => $"{path}: unknown outline node",
        };

    // Akka trims strings and reads "null" as null.
    private static string? CompareLeaf(HoconValue akka, OutlineLeaf outline, string path)
    {
        string expected = outline.Text.Trim();
        string? actual = akka.IsString() ? akka.GetString() ?? "null" : null;
        return actual == expected
            ? null
            : $"{path}: Akka reads '{actual ?? "a non-string"}', the outline '{expected}'";
    }

    private static string? CompareObject(HoconValue akka, OutlineObject outline, string path)
    {
        if (akka.Values.FirstOrDefault() is not HoconObject akkaObject)
            return $"{path}: the outline reads an object, Akka does not";
        var keys = akkaObject.Items.Keys.Order().ToList();
        if (!keys.SequenceEqual(outline.Fields.Keys.Order()))
        {
            return $"{path}: Akka reads keys [{string.Join(", ", keys)}], "
                + $"the outline [{string.Join(", ", outline.Fields.Keys.Order())}]";
        }
        return keys
            .Select(k => Compare(akkaObject.Items[k], outline.Fields[k].Value, $"{path}.{k}"))
            .FirstOrDefault(d => d is not null);
    }

    private static string? CompareArray(HoconValue akka, OutlineArray outline, string path)
    {
        if (!akka.Values.Any(v => v is HoconArray))
            return $"{path}: the outline reads an array, Akka does not";
        var items = akka.Values.OfType<HoconArray>()
            .SelectMany(a => a)
            .Where(v => v.Values.Count > 0)
            .ToList();
        if (items.Count != outline.Items.Count)
            return $"{path}: Akka reads {items.Count} items, the outline {outline.Items.Count}";
        return items.Select((item, i) => Compare(item, outline.Items[i], $"{path}[{i}]"))
            .FirstOrDefault(d => d is not null);
    }
}
