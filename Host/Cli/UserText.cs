using System.Globalization;
using System.Text;
using Emulator.Host.Scenarios;

namespace Emulator.Host.Cli;

/// <summary>
/// Makes text that came from the user (file names, arguments, scenario text, messages quoting
/// them) safe to print: control and bidirectional-override characters are shown as escapes, so
/// they cannot move the cursor, recolour the terminal or split a line, and a huge token is clipped
/// to its start and end.
/// </summary>
public static class UserText
{
    /// <summary>Tokens longer than this are clipped.</summary>
    public const int TokenLengthMax = 160;

    private const int KeptHead = 96;
    private const int KeptTail = 32;

    /// <summary>Escapes control characters and clips every token longer than the limit.</summary>
    public static string Safe(string text) => Clip(Escape(text));

    /// <summary>
    /// Shows control and invisible format characters and lone surrogates as escapes, by the same
    /// rules as the parser's messages (<c>\n</c>, <c>\x1b</c>, <c>\u202e</c>).
    /// </summary>
    public static string Escape(string text) => MessageText.Escape(text);

    /// <summary>
    /// Clips each whitespace-separated token longer than <see cref="TokenLengthMax"/> to its
    /// start and end, saying how long it was.
    /// </summary>
    public static string Clip(string text)
    {
        if (text.Length <= TokenLengthMax) return text;
        var clipped = new StringBuilder(Math.Min(text.Length, 4096));
        var start = 0;
        while (start < text.Length)
        {
            var end = start;
            var space = char.IsWhiteSpace(text[start]);
            while (end < text.Length && char.IsWhiteSpace(text[end]) == space) end++;
            var length = end - start;
            if (space || length <= TokenLengthMax) clipped.Append(text, start, length);
            else
            {
                // Never cut a surrogate pair in two.
                var head = char.IsHighSurrogate(text[start + KeptHead - 1]) ? KeptHead - 1
                    : KeptHead;
                var tail = char.IsLowSurrogate(text[end - KeptTail]) ? KeptTail - 1 : KeptTail;
                clipped.Append(text, start, head).Append('…').Append(text, end - tail, tail)
                    .Append(CultureInfo.InvariantCulture, $" [clipped: {length} characters]");
            }
            start = end;
        }
        return clipped.ToString();
    }

    /// <summary>
    /// Replaces lone surrogates with U+FFFD, so any UTF-16 string can be written as UTF-8
    /// (JSON, XML); everything else stays as it is.
    /// </summary>
    public static string WellFormed(string text)
    {
        if (!HasLoneSurrogate(text)) return text;
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsSurrogatePair(text, i)) i++;
            else if (char.IsSurrogate(chars[i])) chars[i] = '\ufffd';
        }
        return new string(chars);
    }

    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsSurrogatePair(text, i)) i++;
            else if (char.IsSurrogate(text[i])) return true;
        }
        return false;
    }
}
