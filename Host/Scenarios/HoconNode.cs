namespace Emulator.Host.Scenarios;

/// <summary>
/// A value of a scenario file, with the place it is written: what the scenario readers see,
/// whether Akka's parser read the value (<see cref="AkkaHoconNode"/>) or the outline did
/// (<see cref="OutlineHoconNode"/>, for a plain file).
/// </summary>
internal abstract class HoconNode(SourceText source, SourceLocation location)
{
    public SourceLocation Location { get; } = location;

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
/// gives it), an array its items, an object its fields in the order they are written.
/// </summary>
internal sealed class OutlineHoconNode(OutlineNode outline, SourceText source)
    : HoconNode(source, source.Locate(outline.Offset))
{
    private string? _text;

    public override bool IsObject => outline is OutlineObject;

    public override bool IsArray => outline is OutlineArray;

    public override bool IsString => outline is OutlineLeaf;

    public override string Text => _text ??= (outline as OutlineLeaf)?.Text.Trim() ?? "";

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
        var fields = new List<HoconField>(obj.Fields.Count);
        foreach (var (key, field) in obj.Fields)
        {
            fields.Add(new HoconField(
                key, Source.Locate(field.KeyOffset), new OutlineHoconNode(field.Value, Source)));
        }
        return fields;
    }
}
