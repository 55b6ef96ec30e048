using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Emulator.Host.Scenarios;

/// <summary>
/// An object's fields by key, in the order their keys are first written. Most objects of a large
/// file hold a field or two (a process's partition): they are kept in an array and found by a
/// linear search, not in a dictionary each; an index by key is made only for a larger object.
/// </summary>
internal sealed class OutlineFields : IReadOnlyDictionary<string, OutlineField>
{
    // Past this many fields, a search reads more than an index costs to keep.
    private const int UnindexedMax = 8;

    private KeyValuePair<string, OutlineField>[] _entries = [];
    private Dictionary<string, int>? _index;

    public int Count { get; private set; }

    public IEnumerable<string> Keys => this.Select(e => e.Key);

    public IEnumerable<OutlineField> Values => this.Select(e => e.Value);

    public OutlineField this[string key] =>
        TryGetValue(key, out var field) ? field : throw new KeyNotFoundException(key);

    /// <summary>The field written <paramref name="index"/>th (0 is the first).</summary>
    public KeyValuePair<string, OutlineField> At(int index) =>
        index < Count ? _entries[index] : throw new ArgumentOutOfRangeException(nameof(index));

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out OutlineField value)
    {
        int at = IndexOf(key);
        value = at < 0 ? null : _entries[at].Value;
        return at >= 0;
    }

    /// <summary>Sets a field; one written before keeps its place, as in a dictionary.</summary>
    public void Set(string key, OutlineField field)
    {
        int at = IndexOf(key);
        if (at >= 0)
        {
            _entries[at] = new(_entries[at].Key, field);
            return;
        }
        if (Count == _entries.Length)
            Array.Resize(ref _entries, Math.Max(1, 2 * Count));
        _entries[Count] = new(key, field);
        _index?.Add(key, Count);
        Count++;
        if (_index is null && Count > UnindexedMax)
            _index = Index();
    }

    public IEnumerator<KeyValuePair<string, OutlineField>> GetEnumerator()
    {
        for (int i = 0; i < Count; i++)
            yield return _entries[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string key)
    {
        if (_index is not null)
            return _index.TryGetValue(key, out int at) ? at : -1;
        for (int i = 0; i < Count; i++)
        {
            if (string.Equals(_entries[i].Key, key, StringComparison.Ordinal))
                return i;
        }
        return -1;
    }

    private Dictionary<string, int> Index()
    {
        var index = new Dictionary<string, int>(Count, StringComparer.Ordinal);
        for (int i = 0; i < Count; i++)
            index.Add(_entries[i].Key, i);
        return index;
    }
}
