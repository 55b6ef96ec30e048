using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Emulator.Host.Scenarios;

/// <summary>
/// Reads a scenario file's HOCON: checks it and records positions with
/// <see cref="HoconOutlineParser"/>, then reads the values with Akka's own parser, the one the
/// language is defined by.
/// </summary>
internal static class HoconDocument
{
    public static HoconNode Read(SourceText source)
    {
        var outline = HoconOutlineParser.Parse(source);
        return new HoconNode(ParseWithAkka(source), outline, source, source.Start);
    }

    // The outline parser refuses what Akka's parser mishandles, so this catch is a second line:
    // whatever Akka still throws becomes a located error, never a crash.
    private static HoconValue ParseWithAkka(SourceText source)
    {
        try
        {
            // The extra line break: Akka's Matches(params) skips a pattern ending at the last
            // character, so a '#' or '=' there would be missed.
            return ConfigurationFactory.ParseString(source.Text + "\n").Root;
        }
        catch (Exception e)
        {
            throw new ScenarioException(
                LocateAkkaError(source, e), $"HOCON: {FirstLine(e.Message)}");
        }
    }

    private static SourceLocation LocateAkkaError(SourceText source, Exception e)
    {
        var match = System.Text.RegularExpressions.Regex.Match(e.Message, @"position (\d+)");
        return match.Success && int.TryParse(match.Groups[1].Value, out int offset)
            ? source.Locate(offset)
            : source.Start;
    }

    private static string FirstLine(string message)
    {
        int end = message.IndexOfAny(['\n', '\r']);
        return (end < 0 ? message : message[..end]).TrimEnd(':', ' ');
    }
}

/// <summary>One field of an object: its key, where the key is written, and its value.</summary>
internal sealed record HoconField(string Key, SourceLocation KeyLocation, HoconNode Value);

/// <summary>
/// An Akka value with the place it is written. When Akka and the outline disagree on an
/// array's length (they should not), items fall back to the array's own location.
/// </summary>
internal sealed class HoconNode
{
    private readonly HoconValue _value;
    private readonly OutlineNode? _outline;
    private readonly SourceText _source;
    private bool? _isString;
    private string? _text;

    public HoconNode(
        HoconValue value, OutlineNode? outline, SourceText source, SourceLocation fallback)
    {
        _value = value;
        _outline = outline;
        _source = source;
        Location = outline is null ? fallback : source.Locate(outline.Offset);
    }

    public SourceLocation Location { get; }

    public bool IsObject => _value.Values.FirstOrDefault() is HoconObject;

    // Akka appends the spaces after a value as a literal ("[1] " holds an array and " "), and
    // its own IsArray() is false for "[]".
    public bool IsArray =>
        _value.Values.Any(e => e is HoconArray)
        && _value.Values.All(e => e is HoconArray || IsBlank(e));

    public bool IsString => _isString ??= !IsArray && _value.IsString();

    // Akka builds the string anew on every call: kept, since a step reads it several times.
    /// <summary>The string as Akka gives it (trimmed); "" for null and non-strings.</summary>
    public string Text => _text ??= (IsString ? _value.GetString() : null) ?? "";

    public IReadOnlyList<HoconNode> Items()
    {
        // Akka reads "[ ]" (whitespace, no value) as one element holding nothing; the outline
        // parser refuses every other empty element, so an empty one is always that artifact.
        var items = _value.Values.OfType<HoconArray>()
            .SelectMany(a => a)
            .Where(v => v.Values.Count > 0)
            .ToList();
        var outlines = (_outline as OutlineArray)?.Items;
        bool aligned = outlines is not null && outlines.Count == items.Count;
        return items
            .Select((item, i) => Child(item, aligned ? outlines![i] : null))
            .ToList();
    }

    public IReadOnlyList<HoconField> Fields()
    {
        var outline = _outline as OutlineObject;
        var fields = new List<HoconField>();
        foreach (var (key, value) in _value.GetObject()?.Items ?? [])
        {
            OutlineField? field = null;
            outline?.Fields.TryGetValue(key, out field);
            var keyLocation = field is null ? Location : _source.Locate(field.KeyOffset);
            var node = new HoconNode(value, field?.Value, _source, keyLocation);
            fields.Add(new HoconField(key, keyLocation, node));
        }
        return fields;
    }

    /// <summary>
    /// Where character <paramref name="index"/> of <see cref="Text"/> is written; index = length
    /// is just after the text (a closing quote), where "missing ..." errors point.
    /// </summary>
    public SourceLocation LocationOfChar(int index)
    {
        if (_outline is not OutlineLeaf leaf)
            return Location;
        string text = Text;
        int lead = leaf.Text.Length - leaf.Text.TrimStart().Length;
        if (leaf.Text.Trim() != text || index < 0 || index > text.Length)
            return Location;
        return _source.Locate(leaf.CharOffsets[lead + index]);
    }

    private HoconNode Child(HoconValue value, OutlineNode? outline) =>
        new(value, outline, _source, Location);

    private static bool IsBlank(IHoconElement element) =>
        element is HoconLiteral literal && string.IsNullOrWhiteSpace(literal.Value);
}
