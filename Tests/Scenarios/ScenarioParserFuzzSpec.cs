using System.Text;
using Emulator.Host.Scenarios;
using Xunit;
using static Emulator.Tests.Scenarios.ScenarioFiles;

namespace Emulator.Tests.Scenarios;

// Proves that no input makes the parser raise anything but ScenarioException, hang, or hit its
// own "internal parser error" safety net: every truncation of the two examples, seeded random
// mutations of them (HOCON's and the step language's own characters, substitutions, includes,
// unbalanced brackets) and seeded random text. A failure names the seed and the input.
public sealed class ScenarioParserFuzzSpec
{
    private const int Seed = 20261126;
    private static readonly TimeSpan BatchTimeout = TimeSpan.FromSeconds(120);

    private static readonly string[] Fragments =
    [
        "{", "}", "[", "]", "\"", "\"\"\"", ",", ":", "=", "=>", "#", "//", "\\", "\\u00", "\\q", "$", "${x}",
        "${a}", "include \"x\"", "\n", "\r\n", "\r", "\t", " ", "+=", ".", "-", "0x", "-1", "max", "p", "K",
        "parallel", "repeat", "steps", "processes", "owner:", "x = ", "fork", "\0", "\uFEFF", "\u2028", "é",
        "[ [ ] ]", "{ repeat = 1, steps = [ ] }", "0xffffffffffffffffff", "99999999999999999999999",
    ];

    [Fact]
    public async Task ScenarioParser_must_only_raise_ScenarioException_on_truncated_files()
    {
        var inputs = new[] { DesignExample, LanguageFileExample }
            .SelectMany(text => Enumerable.Range(0, text.Length).Select(n => text[..n]));

        await CheckAll(inputs, "every truncation of the examples");
    }

    [Fact]
    public async Task ScenarioParser_must_only_raise_ScenarioException_on_mutated_files()
    {
        var random = new Random(Seed);
        var inputs = Enumerable.Range(0, 6000).Select(_ => Mutate(random));

        await CheckAll(inputs, $"mutations of the examples, seed {Seed}");
    }

    [Fact]
    public async Task ScenarioParser_must_only_raise_ScenarioException_on_random_text()
    {
        var random = new Random(Seed + 1);
        var inputs = Enumerable.Range(0, 2000).Select(_ => RandomText(random));

        await CheckAll(inputs, $"random text, seed {Seed + 1}");
    }

    private static string Mutate(Random random)
    {
        var text = new StringBuilder(random.Next(2) == 0 ? DesignExample : LanguageFileExample);
        int mutations = random.Next(1, 5);
        for (int i = 0; i < mutations; i++)
        {
            int at = random.Next(text.Length + 1);
            switch (random.Next(5))
            {
                case 0:
                    text.Insert(at, Fragments[random.Next(Fragments.Length)]);
                    break;
                case 1:
                    text.Remove(Math.Min(at, text.Length), Math.Min(random.Next(1, 12), text.Length - Math.Min(at, text.Length)));
                    break;
                case 2 when at < text.Length:
                    text[at] = Fragments[random.Next(Fragments.Length)][0];
                    break;
                case 3:
                    int from = random.Next(text.Length);
                    text.Insert(at, text.ToString(from, Math.Min(random.Next(1, 40), text.Length - from)));
                    break;
                default:
                    text.Insert(at, (char)random.Next(0, 0x3000));
                    break;
            }
        }
        return text.ToString();
    }

    private static string RandomText(Random random)
    {
        var text = new StringBuilder();
        int length = random.Next(0, 200);
        while (text.Length < length)
        {
            text.Append(random.Next(3) == 0
                ? ((char)random.Next(0, 0x10000)).ToString()
                : Fragments[random.Next(Fragments.Length)]);
        }
        return text.ToString();
    }

    // One task for the whole batch, so a parse that hangs fails the test (naming its input)
    // instead of hanging the run.
    private static async Task CheckAll(IEnumerable<string> inputs, string what)
    {
        string current = "";
        int index = -1;
        string? failure = null;
        var batch = Task.Run(() =>
        {
            foreach (string input in inputs)
            {
                (current, index) = (input, index + 1);
                failure = Check(input);
                if (failure is not null)
                    return;
            }
        });
        try
        {
            await batch.WaitAsync(BatchTimeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{what}: input {index} did not finish within {BatchTimeout}: {Escape(current)}");
        }
        Assert.True(failure is null, $"{what}: input {index} {failure}: {Escape(current)}");
    }

    private static string? Check(string input)
    {
        try
        {
            ScenarioParser.Parse(input, "fuzz.hocon");
            return null;
        }
        catch (ScenarioException e) when (!e.Reason.StartsWith("internal parser error", StringComparison.Ordinal))
        {
            return e.Location.Line >= 1 && e.Location.Column >= 1 ? null : $"gave location {e.Location}";
        }
        catch (Exception e)
        {
            return $"raised {e.GetType().Name}: {e.Message}";
        }
    }

    private static string Escape(string text)
    {
        var escaped = new StringBuilder("\"");
        foreach (char c in text)
            escaped.Append(c is >= ' ' and < '\u007f' and not '"' and not '\\' ? c.ToString() : $"\\u{(int)c:x4}");
        return escaped.Append('"').ToString();
    }
}
