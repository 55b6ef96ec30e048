using System.Text;

namespace Emulator.Host.Scenarios;

/// <summary>The character level of the outline parser: strings, escapes, words, comments.</summary>
internal sealed partial class HoconOutlineParser
{
    private const string NotInUnquotedKey = "$\"{}[]:=,#`^?!@*&\\.";
    private const string NotInUnquotedText = "$\"{}[]:=,#`^?!@*&\\";

    // Per ASCII character: may it be in an unquoted key / text? (Whitespace may not.) A table,
    // because the test runs once per character of the file.
    private static readonly bool[] AsciiInUnquotedKey = AsciiTable(NotInUnquotedKey);
    private static readonly bool[] AsciiInUnquotedText = AsciiTable(NotInUnquotedText);

    private bool AtEnd => _position >= _text.Length;

    private char Peek => AtEnd ? '\0' : _text[_position];

    private char PeekAt(int ahead) =>
        _position + ahead < _text.Length ? _text[_position + ahead] : '\0';

    private OutlineLeaf ParseUnquotedText()
    {
        int start = _position;
        while (IsUnquotedTextChar())
            _position++;
        if (Peek is '=' or ':')
        {
            throw Error(_position,
                $"unquoted text {MessageText.Quote(_text[start.._position])} is followed by "
                + $"'{Peek}', which Akka's HOCON parser refuses: "
                + "put the whole value in double quotes");
        }
        return Identity(start, _position);
    }

    private OutlineLeaf ParseTripleQuoted()
    {
        int open = _position;
        int close = _text.IndexOf("\"\"\"", open + 3, StringComparison.Ordinal);
        if (close < 0)
            throw Error(open, "'\"\"\"' string is never closed (expected '\"\"\"')");
        NotPlain("a \"\"\"-string");
        _position = close + 3;
        return new OutlineLeaf(open, _text[(open + 3)..close], open + 3);
    }

    /// <summary>A "..." string; a line break inside is refused (it is a missing quote).</summary>
    private OutlineLeaf ParseQuoted()
    {
        int open = _position;
        int length = _text.AsSpan(open + 1).IndexOfAny('"', '\\', '\n');
        if (length < 0 || _text[open + 1 + length] != '"')
            return ParseQuotedWithEscapes();
        int close = open + 1 + length;
        _position = close + 1;
        return new OutlineLeaf(open, _text[(open + 1)..close], open + 1);
    }

    // Also where an unclosed string is found, and said so.
    private OutlineLeaf ParseQuotedWithEscapes()
    {
        int open = _position++;
        var text = new StringBuilder();
        var offsets = new List<int>();
        while (Peek != '"')
        {
            if (AtEnd || Peek == '\n')
                throw Unclosed(open);
            offsets.Add(_position);
            text.Append(Peek == '\\' ? ParseEscape(open) : _text[_position++]);
        }
        offsets.Add(_position++);
        return new DecodedOutlineLeaf(open, text.ToString(), offsets.ToArray());
    }

    private char ParseEscape(int open)
    {
        NotPlain("an escape");
        int backslash = _position++;
        if (AtEnd || Peek == '\n')
            throw Unclosed(open);
        char escaped = _text[_position++];
        switch (escaped)
        {
            case '"' or '\\' or '/':
                return escaped;
            case 'b': return '\b';
            case 'f': return '\f';
            case 'n': return '\n';
            case 'r': return '\r';
            case 't': return '\t';
            case 'u' when IsHex4():
                _position += 4;
                return (char)Convert.ToInt32(_text.Substring(_position - 4, 4), 16);
            default:
                throw Error(backslash, $"unknown escape in a string (expected one of {Escapes})");
        }
    }

    private OutlineLeaf Identity(int start, int end) => new(start, _text[start..end], start);

    private bool IsValueStart() =>
        Peek is '[' or '{' or '"' || (Peek == '$' && PeekAt(1) == '{') || IsUnquotedTextChar();

    private bool IsUnquotedTextChar() => IsUnquotedChar(AsciiInUnquotedText);

    private bool IsUnquotedKeyChar() => IsUnquotedChar(AsciiInUnquotedKey);

    private bool IsUnquotedChar(bool[] asciiIn)
    {
        if (AtEnd)
            return false;
        char c = _text[_position];
        if (c >= asciiIn.Length)
            return !char.IsWhiteSpace(c);
        return asciiIn[c] && !(c == '/' && PeekAt(1) == '/');
    }

    private static bool[] AsciiTable(string notIn)
    {
        var table = new bool[128];
        for (char c = '\0'; c < table.Length; c++)
            table[c] = !char.IsWhiteSpace(c) && !notIn.Contains(c);
        return table;
    }

    // What may follow a value on its line: the end, a line break, a comment, or a closing bracket.
    private bool IsEndOfValue() =>
        AtEnd || char.IsWhiteSpace(Peek) || IsCommentStart() || Peek is '}' or ']';

    private bool IsHex4() =>
        _position + 4 <= _text.Length && _text.Substring(_position, 4).All(char.IsAsciiHexDigit);

    private ScenarioException Unclosed(int open) =>
        Error(open, "string is never closed (expected '\"' before the end of the line)");

    private bool IsCommentStart() => Peek == '#' || (Peek == '/' && PeekAt(1) == '/');

    private bool IsTripleQuote() => Peek == '"' && PeekAt(1) == '"' && PeekAt(2) == '"';

    private void SkipSpacesAndTabs()
    {
        while (Peek is ' ' or '\t')
            _position++;
    }

    private void SkipWhitespaceAndComments()
    {
        while (!AtEnd)
        {
            if (char.IsWhiteSpace(Peek))
                _position++;
            else if (IsCommentStart())
                SkipToEndOfLine();
            else
                return;
        }
    }

    private void SkipToEndOfLine()
    {
        while (!AtEnd && Peek != '\n')
            _position++;
    }

    private string Describe() => AtEnd ? "the end of the file"
        : Peek == '\n' ? "the end of the line"
        : char.IsSurrogatePair(_text, _position) ? MessageText.Quote(_text.Substring(_position, 2))
        : MessageText.Quote(Peek.ToString());
}
