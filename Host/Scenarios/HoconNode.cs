using Akka.Configuration.Hocon;

namespace Emulator.Host.Scenarios;

/// <summary>
/// A value of a scenario file, with the place it is written: what the scenario readers see,
/// whether Akka's parser read the value (<see cref="AkkaHoconNode"/>) or the outline did
/// (<see cref="OutlineHoconNode"/>, for a plain file).
/// </summary>
internal abstract class HoconNode(SourceText source)
{
    public abstract SourceLocation Location { get; }

    protected SourceText Source { get; } = source;

    public abstract bool IsObject { get; }

    public abstract bool IsArray { get; }

    public abstract bool IsString { get; }

    /// <summary>The string as Akka gives it (trimmed); "" for null and non-strings.</summary>
    public abstract string Text { get; }

    /// <summary>The outline of a string value, for <see cref="LocationOfChar"/>.</summary>
    protected abstract OutlineLeaf? Leaf { get; }

    public abstract IReadOnlyList<HoconNode> Items();

    public abstract IReadOnlyList<HoconField> Fields();

    /// <summary>
    /// Where character <paramref name="index"/> of <see cref="Text"/> is written; index = length
    /// is just after the text (a closing quote), where "missing ..." errors point.
    /// </summary>
    public SourceLocation LocationOfChar(int index)
    {
        if (Leaf is not { } leaf)
            return Location;
        string text = Text;
        int lead = leaf.Text.Length - leaf.Text.TrimStart().Length;
        if (leaf.Text.Trim() != text || index < 0 || index > text.Length)
            return Location;
        return Source.Locate(leaf.CharOffset(lead + index));
    }
}

/// <summary>
/// A value of a plain file, read from the outline alone: a leaf is a string (trimmed, as Akka
/// gives it), an array its items, an object its fields in the order they are written. One is
/// made for each value read (a large file's every step): it holds nothing but its outline node,
/// and finds its location when asked (once per step).
/// </summary>
internal sealed class OutlineHoconNode(OutlineNode outline, SourceText source) : HoconNode(source)
{
    public override SourceLocation Location => Source.Locate(outline.Offset);

    public override bool IsObject => outline is OutlineObject;

    public override bool IsArray => outline is OutlineArray;

    public override bool IsString => outline is OutlineLeaf;

    // Trim gives the string itself when there is nothing to trim, as in almost every value.
    public override string Text => (outline as OutlineLeaf)?.Text.Trim() ?? "";

    protected override OutlineLeaf? Leaf => outline as OutlineLeaf;

    public override IReadOnlyList<HoconNode> Items()
    {
        if (outline is not OutlineArray array)
            return [];
        var items = new HoconNode[array.Items.Count];
        for (int i = 0; i < items.Length; i++)
            items[i] = new OutlineHoconNode(array.Items[i], Source);
        return items;
    }

    public override IReadOnlyList<HoconField> Fields()
    {
        if (outline is not OutlineObject obj)
            return [];
        var fields = new HoconField[obj.Fields.Count];
        for (int i = 0; i < fields.Length; i++)
        {
            var (key, field) = obj.Fields.At(i);
            fields[i] = new HoconField(
                key, Source.Locate(field.KeyOffset), new OutlineHoconNode(field.Value, Source));
        }
        return fields;
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
        : base(source)
    {
        _value = value;
        _outline = outline;
        Location = outline is null ? fallback : source.Locate(outline.Offset);
    }

    public override SourceLocation Location { get; }

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
