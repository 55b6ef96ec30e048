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

/// <summary>A string, or strings and unquoted words joined on one line.</summary>
internal sealed class OutlineLeaf : OutlineNode
{
    // Null when the text is written as is from _textStart on (no escapes, one part): the usual
    // case, and an array of one int per character of a 3 MB file is what it saves.
    private readonly int[]? _charOffsets;
    private readonly int _textStart;

    /// <summary>A text written as is in the file, its first character at
    /// <paramref name="textStart"/>.</summary>
    public OutlineLeaf(int offset, string text, int textStart)
        : base(offset)
    {
        Text = text;
        _textStart = textStart;
    }

    /// <summary>A decoded text: the offset of each character, and one for its end.</summary>
    public OutlineLeaf(int offset, string text, int[] charOffsets)
        : base(offset)
    {
        Text = text;
        _charOffsets = charOffsets;
    }

    /// <summary>The decoded text, whitespace between parts included, untrimmed.</summary>
    public string Text { get; }

    /// <summary>Where <see cref="Text"/> is written as is, if it is.</summary>
    public int? VerbatimStart => _charOffsets is null ? _textStart : null;

    /// <summary>
    /// The offset of character <paramref name="index"/> of <see cref="Text"/>; index = length is
    /// its end (a closing quote).
    /// </summary>
    public int CharOffset(int index) =>
        _charOffsets is null ? _textStart + index : _charOffsets[index];
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
