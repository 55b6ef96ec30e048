using System.Text;
using static Emulator.Tests.Scenarios.ScenarioFiles;

namespace Emulator.Tests.Scenarios;

/// <summary>Seeded damage to scenario files: what the fuzz specs feed the parser.</summary>
internal static class ScenarioMutations
{
    /// <summary>HOCON's and the step language's characters, and forms that broke Akka.</summary>
    public static readonly string[] Fragments =
    [
        "{", "}", "[", "]", "\"", "\"\"\"", ",", ":", "=", "=>", "#", "//", "\\", "\\u00", "\\q",
        "$", "${x}", "${a}", "include \"x\"", "\n", "\r\n", "\r", "\t", " ", "+=", ".", "-", "0x",
        "-1", "max", "p", "K", "parallel", "repeat", "steps", "processes", "owner:", "x = ", "fork",
        "\0", "\uFEFF", "\u2028", "é", "[ [ ] ]", "[ ]", " = [ 1 ]", "a = { }",
        "{ repeat = 1, steps = [ ] }", "0xffffffffffffffffff", "99999999999999999999999",
    ];

    /// <summary>One of the two examples with one to four random edits.</summary>
    public static string Mutate(Random random)
    {
        var text = new StringBuilder(random.Next(2) == 0 ? DesignExample : LanguageFileExample);
        int mutations = random.Next(1, 5);
        for (int i = 0; i < mutations; i++)
        {
            int at = random.Next(text.Length + 1);
            switch (random.Next(5))
            {
                case 0:
                    text.Insert(at, Fragment(random));
                    break;
                case 1 when at < text.Length:
                    text.Remove(at, Math.Min(random.Next(1, 12), text.Length - at));
                    break;
                case 2 when at < text.Length:
                    text[at] = Fragment(random)[0];
                    break;
                case 3 when text.Length > 0:
                    int from = random.Next(text.Length);
                    int length = Math.Min(random.Next(1, 40), text.Length - from);
                    text.Insert(at, text.ToString(from, length));
                    break;
                default:
                    text.Insert(at, (char)random.Next(0, 0x3000));
                    break;
            }
        }
        return text.ToString();
    }

    /// <summary>Up to 200 characters of fragments and arbitrary UTF-16 code units.</summary>
    public static string RandomText(Random random)
    {
        var text = new StringBuilder();
        int length = random.Next(0, 200);
        while (text.Length < length)
        {
            text.Append(random.Next(3) == 0
                ? ((char)random.Next(0, 0x10000)).ToString()
                : Fragment(random));
        }
        return text.ToString();
    }

    /// <summary>
    /// <paramref name="word"/> with one random edit (a letter inserted, deleted, replaced, or two
    /// neighbours swapped) that gives another word, made of letters and digits.
    /// </summary>
    public static string Typo(Random random, string word)
    {
        while (true)
        {
            var typo = new StringBuilder(word);
            int at = random.Next(word.Length);
            char letter = (char)('a' + random.Next(26));
            switch (random.Next(4))
            {
                case 0: typo.Insert(random.Next(word.Length + 1), letter); break;
                case 1: typo.Remove(at, 1); break;
                case 2: typo[at] = letter; break;
                default:
                    if (at + 1 < word.Length)
                        (typo[at], typo[at + 1]) = (typo[at + 1], typo[at]);
                    break;
            }
            string result = typo.ToString();
            if (result.Length > 0 && result != word)
                return result;
        }
    }

    /// <summary>
    /// One of the examples with a long run (1 to 100,000 characters) of one random character
    /// class inserted: letters, digits, control characters, or any UTF-16 code unit.
    /// </summary>
    public static string WithHugeToken(Random random)
    {
        var text = new StringBuilder(random.Next(2) == 0 ? DesignExample : LanguageFileExample);
        int length = random.Next(1, 100_001);
        int kind = random.Next(4);
        var token = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            token.Append(kind switch
            {
                0 => (char)('a' + random.Next(26)),
                1 => (char)('0' + random.Next(10)),
                2 => (char)random.Next(0, 0x20),
                _ => (char)random.Next(0, 0x10000),
            });
        }
        return text.Insert(random.Next(text.Length + 1), token.ToString()).ToString();
    }

    /// <summary>The text as a C# literal, so a failing input can be pasted into a test.</summary>
    public static string Escape(string text)
    {
        // A failure message need not hold a megabyte of input: the seed gives it back.
        if (text.Length > 2000)
            return $"({text.Length} characters, from) " + Escape(text[..2000]);
        var escaped = new StringBuilder("\"");
        foreach (char c in text)
        {
            bool plain = c is >= ' ' and < '\u007f' and not '"' and not '\\';
            escaped.Append(plain ? c.ToString() : $"\\u{(int)c:x4}");
        }
        return escaped.Append('"').ToString();
    }

    private static string Fragment(Random random) => Fragments[random.Next(Fragments.Length)];
}
