namespace Emulator.Host.Scenarios;

/// <summary>
/// A HOCON value as the file spells it, with the character offsets Akka's parser drops: the
/// scenario reader pairs each Akka value with its outline node to say where an error is.
/// </summary>
internal abstract class OutlineNode(int offset)
{
    /// <summary>Offset of the value's first character (a quote, a bracket or a brace).</summary>
    public int Offset { get; } = offset;
}

/// <summary>
/// A string, or strings and unquoted words joined on one line, written as is in the file from
/// a start on: the usual case (no escapes, one part), which needs no offset per character.
/// </summary>
internal class OutlineLeaf : OutlineNode
{
    private readonly int _textStart;

    /// <summary>A text written as is in the file, its first character at
    /// <paramref name="textStart"/>.</summary>
    public OutlineLeaf(int offset, string text, int textStart)
        : base(offset)
    {
        Text = text;
        _textStart = textStart;
    }

    /// <summary>
    /// The decoded text, whitespace between parts included, untrimmed (the spaces after a lone
    /// unquoted word are not part of it: every reader trims them).
    /// </summary>
    public string Text { get; }

    /// <summary>Where <see cref="Text"/> is written as is, if it is.</summary>
    public virtual int? VerbatimStart => _textStart;

    /// <summary>
    /// The offset of character <paramref name="index"/> of <see cref="Text"/>; index = length is
    /// its end (a closing quote).
    /// </summary>
    public virtual int CharOffset(int index) => _textStart + index;
}

/// <summary>
/// A leaf whose text is not written as is (escapes, parts joined with what is between them):
/// the offset of each character, and one for its end.
/// </summary>
internal sealed class DecodedOutlineLeaf(int offset, string text, int[] charOffsets)
    : OutlineLeaf(offset, text, textStart: 0)
{
    public override int? VerbatimStart => null;

    public override int CharOffset(int index) => charOffsets[index];
}

internal sealed class OutlineArray(int offset, IReadOnlyList<OutlineNode> items)
    : OutlineNode(offset)
{
    public IReadOnlyList<OutlineNode> Items { get; } = items;
}

/// <summary>Where a key was last written and what it holds.</summary>
internal sealed record OutlineField(int KeyOffset, OutlineNode Value);

/// <summary>An object; keys written twice merge or replace as in Akka's parser.</summary>
internal sealed class OutlineObject(int offset) : OutlineNode(offset)
{
    private readonly OutlineFields _fields = new();

    public OutlineFields Fields => _fields;

    /// <summary>
    /// Sets <c>a.b.c = value</c>: objects on the path are kept or made. False when a key on the
    /// path was written before (a merge or a replacement).
    /// </summary>
    public bool Set(ReadOnlySpan<(string Key, int Offset)> path, OutlineNode value)
    {
        var target = this;
        bool fresh = true;
        for (int i = 0; i < path.Length - 1; i++)
        {
            fresh &= !target._fields.ContainsKey(path[i].Key);
            target = target.ChildObject(path[i].Key, path[i].Offset, path[i + 1].Offset);
        }
        fresh &= !target._fields.ContainsKey(path[^1].Key);
        target.SetField(path[^1].Key, path[^1].Offset, value);
        return fresh;
    }

    private OutlineObject ChildObject(string key, int keyOffset, int childOffset)
    {
        if (_fields.TryGetValue(key, out var field) && field.Value is OutlineObject existing)
        {
            _fields.Set(key, field with { KeyOffset = keyOffset });
            return existing;
        }
        var child = new OutlineObject(childOffset);
        _fields.Set(key, new OutlineField(keyOffset, child));
        return child;
    }

    // An object written onto an object merges into it (HOCON, and Akka's ParseObject reuses the
    // existing object). An array written onto an object is dropped, because Akka appends it
    // behind the object and then reads the object. Anything else replaces what was there.
    private void SetField(string key, int keyOffset, OutlineNode value)
    {
        if (value is OutlineArray
            && _fields.TryGetValue(key, out var before) && before.Value is OutlineObject)
            return;
        if (value is OutlineObject incoming
            && _fields.TryGetValue(key, out var field)
            && field.Value is OutlineObject existing)
        {
            foreach (var (childKey, childField) in incoming.Fields)
                existing.SetField(childKey, childField.KeyOffset, childField.Value);
            _fields.Set(key, field with { KeyOffset = keyOffset });
            return;
        }
        _fields.Set(key, new OutlineField(keyOffset, value));
    }
}

/// <summary>
/// A file's outline, and the first construct in it (if any) whose value Akka's parser defines in
/// a way the outline does not copy: a key written twice (merges, replacements), escapes, a
/// """-string, null, a '{' around the whole file. A file without one is plain: each value is
/// a string (quoted strings and unquoted words joined on one line), an array or an object,
/// written once, and the outline reads it as Akka does (HoconDocumentSpec compares the two).
/// </summary>
internal sealed record OutlineDocument(OutlineObject Root, string? NotPlain)
{
    public bool IsPlain => NotPlain is null;
}
