namespace Emulator.Host.Scenarios;

/// <summary>
/// The text of a scenario file with its line breaks normalized to <c>\n</c>, and the map from a
/// character offset to a 1-based line and column.
/// </summary>
internal sealed class SourceText
{
    private readonly int[] _lineStarts;

    // The line last located: readers go through a file in order, so the next offset is almost
    // always on it or the line after, found without a search. Only a hint, checked before use.
    private int _lastLine;

    public SourceText(string fileName, string rawText)
    {
        FileName = fileName;
        Text = Normalize(rawText);
        _lineStarts = FindLineStarts(Text);
    }

    public string FileName { get; }

    public string Text { get; }

    public SourceLocation Start => Locate(0);

    /// <summary>An offset past the end lands on the end, where EOF errors point.</summary>
    public SourceLocation Locate(int offset)
    {
        offset = Math.Clamp(offset, 0, Text.Length);
        int line = _lastLine;
        if (!IsOnLine(offset, line))
        {
            line = IsOnLine(offset, line + 1) ? line + 1 : FindLine(offset);
            _lastLine = line;
        }
        return new SourceLocation(FileName, line + 1, offset - _lineStarts[line] + 1);
    }

    private bool IsOnLine(int offset, int line) =>
        line < _lineStarts.Length
        && _lineStarts[line] <= offset
        && (line + 1 == _lineStarts.Length || offset < _lineStarts[line + 1]);

    private int FindLine(int offset)
    {
        int line = _lineStarts.AsSpan().BinarySearch(offset);
        return line < 0 ? ~line - 1 : line;
    }

    // Akka's parser refuses a '\r' after a value (measured with 1.5.74: "Unknown token"), so a
    // file saved with CRLF would not parse; a leading BOM would become part of the first key.
    private static string Normalize(string text)
    {
        if (text.Length > 0 && text[0] == '\uFEFF')
            text = text[1..];
        return text.Contains('\r') ? text.Replace("\r\n", "\n").Replace('\r', '\n') : text;
    }

    private static int[] FindLineStarts(string text)
    {
        // Counted first: one array of the right size, not a list's copies of a 3 MB file's lines.
        var starts = new int[text.AsSpan().Count('\n') + 1];
        int line = 0;
        for (int at = text.IndexOf('\n'); at >= 0; at = text.IndexOf('\n', at + 1))
            starts[++line] = at + 1;
        return starts;
    }
}
