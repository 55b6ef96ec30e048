using System.Globalization;
using System.Text;

namespace Emulator.Host.Scenarios;

/// <summary>
/// How the user's text appears in an error message. Messages go to a terminal or a CI log, so a
/// control character is shown escaped (<c>\x07</c>, <c>\n</c>), never rung or obeyed, and a
/// quoted word is clipped to <see cref="WordLengthMax"/> characters: a megabyte-long token or a
/// binary file still gives one short, readable line.
/// </summary>
internal static class MessageText
{
    /// <summary>The most characters of one user word a message quotes.</summary>
    public const int WordLengthMax = 60;

    /// <summary>The longest reason a message keeps; a net under the quoting of each word.</summary>
    public const int ReasonLengthMax = 400;

    /// <summary>The most names a message lists (declared processes); then "and N more".</summary>
    public const int ListCountMax = 10;

    public const string Ellipsis = "…";

    /// <summary>The word in single quotes, escaped and clipped.</summary>
    public static string Quote(string word) => $"'{Clip(word)}'";

    /// <summary>The text escaped, and clipped to <paramref name="lengthMax"/> characters.</summary>
    public static string Clip(string text, int lengthMax = WordLengthMax)
    {
        if (text.Length <= lengthMax)
            return Escape(text);
        int keep = char.IsHighSurrogate(text[lengthMax - 1]) ? lengthMax - 1 : lengthMax;
        return Escape(text[..keep]) + Ellipsis;
    }

    /// <summary>
    /// Control characters as <c>\n</c>, <c>\r</c>, <c>\t</c> or <c>\xHH</c>; invisible format
    /// characters (bidi overrides, zero-width), line separators and lone surrogates as
    /// <c>\uHHHH</c>. Everything else, backslashes included, is kept as is.
    /// </summary>
    public static string Escape(string text)
    {
        int first = FirstToEscape(text);
        if (first < 0)
            return text;
        var escaped = new StringBuilder(text.Length + 16).Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsSurrogatePair(text, i))
            {
                escaped.Append(c).Append(text[++i]);
                continue;
            }
            if (!NeedsEscape(c))
                escaped.Append(c);
            else if (c is '\n' or '\r' or '\t')
                escaped.Append(c == '\n' ? "\\n" : c == '\r' ? "\\r" : "\\t");
            else if (c < 0x100)
                escaped.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            else
                escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
        }
        return escaped.ToString();
    }

    /// <summary>A reason as a message keeps it: escaped, and clipped to a bounded length.</summary>
    public static string Reason(string reason) => Clip(reason, ReasonLengthMax);

    /// <summary>The names joined with ", ", each clipped; past the bound, "and N more".</summary>
    public static string List(IReadOnlyList<string> names)
    {
        var shown = names.Take(ListCountMax).Select(n => Clip(n));
        string list = string.Join(", ", shown);
        return names.Count <= ListCountMax
            ? list
            : $"{list} and {names.Count - ListCountMax} more";
    }

    private static int FirstToEscape(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsSurrogatePair(text, i))
                i++;
            else if (NeedsEscape(text[i]))
                return i;
        }
        return -1;
    }

    // A surrogate reaching here is alone: half a character, which no terminal shows sensibly.
    private static bool NeedsEscape(char c) => char.GetUnicodeCategory(c) is
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
        or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
