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

    /// <summary>The text as a C# literal, so a failing input can be pasted into a test.</summary>
    public static string Escape(string text)
    {
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
