using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Emulator.Host.Scenarios;

/// <summary>Where the values of a file come from.</summary>
internal enum HoconValueSource
{
    /// <summary>From the outline when the file is plain, else from Akka's parser.</summary>
    OutlineWhenPlain,

    /// <summary>From Akka's parser always: what tests compare the outline's reading with.</summary>
    Akka,
}

/// <summary>
/// Reads a scenario file's HOCON: checks it and records positions with
/// <see cref="HoconOutlineParser"/>, then reads the values. Akka's own parser is the one the
/// language is defined by, but it takes about a second for a 3 MB file (it allocates a string
/// per character it looks at); so a plain file (<see cref="OutlineDocument"/>), where the outline
/// provably reads what Akka reads, is read from the outline alone, and any other goes to Akka.
/// </summary>
internal static class HoconDocument
{
    public static HoconNode Read(
        SourceText source, HoconValueSource values = HoconValueSource.OutlineWhenPlain)
    {
        var outline = HoconOutlineParser.ParseDocument(source);
        if (outline.IsPlain && values == HoconValueSource.OutlineWhenPlain)
            return new OutlineHoconNode(outline.Root, source);
        return new AkkaHoconNode(ParseWithAkka(source), outline.Root, source, source.Start);
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
internal sealed class AkkaHoconNode : HoconNode
{
    private readonly HoconValue _value;
    private readonly OutlineNode? _outline;
    private bool? _isString;
    private string? _text;

    public AkkaHoconNode(
        HoconValue value, OutlineNode? outline, SourceText source, SourceLocation fallback)
        : base(source, outline is null ? fallback : source.Locate(outline.Offset))
    {
        _value = value;
        _outline = outline;
    }

    public override bool IsObject => _value.Values.FirstOrDefault() is HoconObject;

    // Akka appends the spaces after a value as a literal ("[1] " holds an array and " "), and
    // its own IsArray() is false for "[]".
    public override bool IsArray =>
        _value.Values.Any(e => e is HoconArray)
        && _value.Values.All(e => e is HoconArray || IsBlank(e));

    public override bool IsString => _isString ??= !IsArray && _value.IsString();

    // Akka builds the string anew on every call: kept, since a step reads it several times.
    public override string Text => _text ??= (IsString ? _value.GetString() : null) ?? "";

    protected override OutlineLeaf? Leaf => _outline as OutlineLeaf;

    public override IReadOnlyList<HoconNode> Items()
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

    public override IReadOnlyList<HoconField> Fields()
    {
        var outline = _outline as OutlineObject;
        var fields = new List<HoconField>();
        foreach (var (key, value) in _value.GetObject()?.Items ?? [])
        {
            OutlineField? field = null;
            outline?.Fields.TryGetValue(key, out field);
            var keyLocation = field is null ? Location : Source.Locate(field.KeyOffset);
            var node = new AkkaHoconNode(value, field?.Value, Source, keyLocation);
            fields.Add(new HoconField(key, keyLocation, node));
        }
        return fields;
    }

    private AkkaHoconNode Child(HoconValue value, OutlineNode? outline) =>
        new(value, outline, Source, Location);

    private static bool IsBlank(IHoconElement element) =>
        element is HoconLiteral literal && string.IsNullOrWhiteSpace(literal.Value);
}
