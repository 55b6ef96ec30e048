using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text;

namespace Emulator.Host.Scenarios;

/// <summary>
/// Reads the HOCON that scenario files use, for two reasons. It records where each value is
/// (Akka's parser keeps no positions). And it refuses, with a line and column, everything Akka's
/// parser (1.5.74) would mishandle, because that parser never sees an unchecked file: it loops
/// forever on <c>[ 1 } ]</c> or <c>[ : ]</c>, overflows the stack on <c>a = ${a}</c>, throws
/// NullReferenceException on <c>include "x"</c>, and silently accepts unclosed strings and
/// brackets. The grammar follows Akka's tokenizer (the same character classes, comments,
/// escapes and comma rules), so a file accepted here reads the same in Akka.
/// It also notes the first construct whose value only Akka's reading defines (see
/// <see cref="OutlineDocument.NotPlain"/>): a file without one is read from the outline alone.
/// </summary>
internal sealed partial class HoconOutlineParser
{
    /// <summary>Deeper nesting is refused: Akka's parser recurses per level.</summary>
    public const int DepthMax = 64;

    private const string Escapes = "\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX";

    private readonly SourceText _source;
    private readonly string _text;

    // The keys of the fields and the items of the arrays being read, innermost last: a field
    // or an array takes its own off the top when it ends, so one list serves them all, not a
    // list per field (a key path) or per array (grown item by item).
    private readonly List<(string Key, int Offset)> _keys = [];
    private readonly List<OutlineNode> _items = [];

    private int _position;
    private int _depth;
    private string? _notPlain;

    private HoconOutlineParser(SourceText source)
    {
        _source = source;
        _text = source.Text;
    }

    public static OutlineObject Parse(SourceText source) => ParseDocument(source).Root;

    public static OutlineDocument ParseDocument(SourceText source)
    {
        var parser = new HoconOutlineParser(source);
        var root = parser.ParseRoot();
        return new OutlineDocument(root, parser._notPlain);
    }

    // Only the first is kept: it is what a test or a reader of the code wants to see.
    private void NotPlain(string construct) => _notPlain ??= construct;

    private OutlineObject ParseRoot()
    {
        SkipWhitespaceAndComments();
        if (Peek != '{')
        {
            var root = new OutlineObject(0);
            ParseFields(root, openOffset: null);
            return root;
        }
        NotPlain("a '{' around the whole file");
        var braced = ParseBracedObject();
        SkipWhitespaceAndComments();
        if (!AtEnd)
            throw Error(_position, $"unexpected {Describe()} after the '}}' that closes the file");
        return braced;
    }

    private void ParseFields(OutlineObject target, int? openOffset)
    {
        while (true)
        {
            SkipWhitespaceAndComments();
            if (AtEnd)
            {
                if (openOffset is int open)
                    throw Error(open, "'{' is never closed (expected '}')");
                return;
            }
            if (Peek == '}')
            {
                if (openOffset is null)
                    throw Error(_position, "unexpected '}' (no '{' is open here)");
                _position++;
                return;
            }
            ParseField(target);
        }
    }

    private void ParseField(OutlineObject target)
    {
        int first = _keys.Count;
        int count = ParseKeyPath();
        SkipWhitespaceAndComments();
        if (Peek is '{' or '=' or ':')
        {
            // Each dot is a level of recursion in Akka's parser too.
            _depth += count - 1;
            var value = ParseFieldValue();
            // Taken after the value: reading it may have grown the list under a span.
            var path = CollectionsMarshal.AsSpan(_keys).Slice(first, count);
            if (!target.Set(path, value))
                NotPlain("a key written twice");
            _keys.RemoveRange(first, count);
            _depth -= count - 1;
            return;
        }
        string key = _keys[^1].Key;
        if (count == 1 && key == "include" && Peek == '"')
            throw Error(_keys[first].Offset, "include is not supported in scenario files");
        throw Error(_position,
            $"expected '=', ':' or '{{' after the key {MessageText.Quote(key)}, "
            + $"found {Describe()}");
    }

    private OutlineNode ParseFieldValue()
    {
        if (Peek == '{')
        {
            var braced = ParseBracedObject();
            RefuseCommaAfterBrace();
            return braced;
        }
        _position++;
        return ParseValue(inArray: false);
    }

    // Akka's parser takes a ',' only right after a value: "a { x = 1 }, b { }" fails there with
    // "Unknown token", so say what to write instead.
    private void RefuseCommaAfterBrace()
    {
        SkipSpacesAndTabs();
        if (Peek == ',')
        {
            throw Error(_position,
                "Akka's HOCON parser refuses a ',' after 'KEY { ... }': "
                + "put the next field on its own line (or write 'KEY = { ... },')");
        }
    }

    /// <summary>Reads <c>a.b.c</c> onto <see cref="_keys"/>; gives how many keys it read.</summary>
    private int ParseKeyPath()
    {
        int count = 0;
        while (true)
        {
            int start = _position;
            _keys.Add((Peek == '"' ? ParseQuoted().Text : ParseUnquotedKey(), start));
            count++;
            if (_depth + count > DepthMax)
                throw Error(start, $"keys and values nest deeper than {DepthMax} levels");
            SkipSpacesAndTabs();
            if (Peek != '.')
                return count;
            _position++;
            SkipWhitespaceAndComments();
        }
    }

    private string ParseUnquotedKey()
    {
        int start = _position;
        while (IsUnquotedKeyChar())
            _position++;
        if (_position == start)
        {
            string hint = Peek == ',' ? " (a ',' must follow a value on the same line)" : "";
            throw Error(_position, $"expected a key, found {Describe()}{hint}");
        }
        return _text[start.._position];
    }

    private OutlineObject ParseBracedObject()
    {
        int open = _position;
        Enter(open);
        _position++;
        var braced = new OutlineObject(open);
        ParseFields(braced, open);
        _depth--;
        return braced;
    }

    private OutlineArray ParseArray()
    {
        int open = _position;
        Enter(open);
        _position++;
        int first = _items.Count;
        while (true)
        {
            SkipWhitespaceAndComments();
            if (AtEnd)
                throw Error(open, "'[' is never closed (expected ']')");
            if (Peek == ']')
                break;
            if (!IsValueStart())
            {
                throw Error(_position,
                    $"unexpected {Describe()} in an array (expected a value or ']')");
            }
            _items.Add(ParseValue(inArray: true));
        }
        _position++;
        _depth--;
        var items = CollectionsMarshal.AsSpan(_items)[first..].ToArray();
        _items.RemoveRange(first, items.Length);
        return new OutlineArray(open, items);
    }

    private void Enter(int offset)
    {
        if (++_depth > DepthMax)
            throw Error(offset, $"keys and values nest deeper than {DepthMax} levels");
    }

    /// <summary>
    /// A value is parts on one line (Akka joins them: strings into one string, arrays into one
    /// array), then an optional ','. Only strings may be joined here; see <see cref="Join"/>.
    /// </summary>
    private OutlineNode ParseValue(bool inArray)
    {
        SkipWhitespaceAndComments();
        if (!TryParsePart(out var first, out bool firstQuoted))
            throw Error(_position, $"expected a value, found {Describe()}");
        int spaces = _position;
        SkipSpacesAndTabs();
        // One part, as most values are: nothing to join. Spaces after an unquoted word are not
        // kept, since every reader of a leaf trims it ("partition = 0 }" reads "0"); after a
        // quoted string they are, as ever: a "missing ..." error at its end points past them.
        bool alone = !IsValueStartForPart() && (_position == spaces || !firstQuoted);
        var value = alone ? first : ParseMoreParts(first, firstQuoted, spaces, inArray);
        if (Peek == ',')
            _position++;
        else if (!IsEndOfValue())
        {
            throw Error(_position,
                $"unexpected {Describe()} after a value (expected ',' or a new line)");
        }
        return value;
    }

    private OutlineNode ParseMoreParts(OutlineNode first, bool quoted, int spaces, bool inArray)
    {
        var parts = new List<OutlineNode> { first };
        var pieces = new List<OutlineNode> { first };
        if (_position > spaces)
            pieces.Add(Identity(spaces, _position));
        bool anyQuoted = quoted;
        while (TryParsePart(out var part, out quoted))
        {
            parts.Add(part);
            pieces.Add(part);
            anyQuoted |= quoted;
            spaces = _position;
            SkipSpacesAndTabs();
            if (_position > spaces)
                pieces.Add(Identity(spaces, _position));
        }
        return Join(parts, pieces, inArray && anyQuoted);
    }

    // What TryParsePart would take a part from (it also throws on a substitution: so does this
    // path, by going on to TryParsePart).
    private bool IsValueStartForPart() =>
        !AtEnd && (Peek is '[' or '{' or '"' or '$' || IsUnquotedTextChar());

    private bool TryParsePart([NotNullWhen(true)] out OutlineNode? part, out bool quoted)
    {
        quoted = Peek == '"';
        part = null;
        if (AtEnd)
            return false;
        if (Peek == '$' && PeekAt(1) == '{')
            throw Error(_position, "substitutions (${...}) are not supported in scenario files");
        if (Peek == '[')
            part = ParseArray();
        else if (Peek == '{')
            part = ParseBracedObject();
        else if (quoted)
            part = IsTripleQuote() ? ParseTripleQuoted() : ParseQuoted();
        else if (IsUnquotedTextChar())
            part = ParseUnquotedText();
        if (part is OutlineLeaf leaf && leaf.Text.AsSpan().Trim().SequenceEqual("null"))
            NotPlain("null");
        return part is not null;
    }

    // HOCON would join "a" "b" into "a b" and [x] [y] into one array: in a steps list that is a
    // missing comma (two steps read as one, two parallel branches as one), so only unquoted words
    // may be joined in an array, and arrays or objects never.
    private OutlineNode Join(
        List<OutlineNode> parts, List<OutlineNode> pieces, bool quotedInArray)
    {
        if (parts.Count == 1 && parts[0] is not OutlineLeaf)
            return parts[0];
        if (parts.Count > 1 && (quotedInArray || parts.Any(p => p is not OutlineLeaf)))
        {
            throw Error(parts[1].Offset,
                "two values side by side on one line: separate them with ',' or a new line");
        }
        return Concatenate(pieces.Cast<OutlineLeaf>().ToList());
    }

    private static OutlineLeaf Concatenate(List<OutlineLeaf> leaves)
    {
        if (leaves.Count == 1)
            return leaves[0];
        // A word and the spaces after it ("partition = 0 }") are written as is, end to end.
        if (AreVerbatimEndToEnd(leaves))
        {
            return new OutlineLeaf(leaves[0].Offset,
                string.Concat(leaves.Select(l => l.Text)), leaves[0].VerbatimStart!.Value);
        }
        var text = new StringBuilder();
        var offsets = new List<int>();
        foreach (var leaf in leaves)
        {
            text.Append(leaf.Text);
            for (int i = 0; i < leaf.Text.Length; i++)
                offsets.Add(leaf.CharOffset(i));
        }
        offsets.Add(leaves[^1].CharOffset(leaves[^1].Text.Length));
        return new DecodedOutlineLeaf(leaves[0].Offset, text.ToString(), offsets.ToArray());
    }

    private static bool AreVerbatimEndToEnd(List<OutlineLeaf> leaves)
    {
        for (int i = 1; i < leaves.Count; i++)
        {
            var before = leaves[i - 1];
            if (before.VerbatimStart + before.Text.Length != leaves[i].VerbatimStart)
                return false;
        }
        return leaves[0].VerbatimStart is not null;
    }

    private ScenarioException Error(int offset, string reason) =>
        new(_source.Locate(offset), reason);
}
