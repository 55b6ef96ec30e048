namespace Emulator.Host.Scenarios;

internal enum NameKind
{
    /// <summary>In <c>processes { }</c>.</summary>
    DeclaredProcess,
    /// <summary>Bound by <c>NAME = fork</c>.</summary>
    ForkedProcess,
    /// <summary>Bound by <c>NAME = mmap|make|get|attach</c>: an address or an id.</summary>
    Value,
    /// <summary>
    /// Bound by a step that has an error: its kind is unknown, so any use of it passes. The error
    /// is reported once, at that step, not again at every step that uses the name.
    /// </summary>
    Unknown,
}

/// <summary>
/// The names bound so far in file order. A name counts from the step that binds it onwards,
/// whichever branch or repeat body that step is in: the check is static, the order is the file's.
/// A name keeps its kind: a repeat body may bind it again, but not as something else.
/// </summary>
internal sealed class NameScope
{
    private readonly Dictionary<string, NameKind> _names = new(StringComparer.Ordinal);
    private readonly List<string> _declared = [];

    // Names are looked up as they are written in a step, without copying them; a name's one
    // string (the dictionary's key) is what every step that names it keeps.
    private readonly Dictionary<string, NameKind>.AlternateLookup<ReadOnlySpan<char>> _byText;

    public NameScope() => _byText = _names.GetAlternateLookup<ReadOnlySpan<char>>();

    public IReadOnlyList<string> DeclaredProcesses => _declared;

    /// <summary>
    /// True when <c>processes</c> itself is malformed: which processes exist is unknown, so no
    /// step is refused for naming an undeclared one.
    /// </summary>
    public bool ProcessesUnknown { get; private set; }

    /// <summary>Every name a step may run as (declared, forked), for suggestions.</summary>
    public IEnumerable<string> Processes =>
        NamesOf(NameKind.DeclaredProcess, NameKind.ForkedProcess);

    /// <summary>Every name that stands for a value, for suggestions.</summary>
    public IEnumerable<string> Values => NamesOf(NameKind.Value);

    public NameKind? KindOf(ReadOnlySpan<char> name) => KindOf(name, out _);

    /// <summary>The kind of <paramref name="name"/>, and the scope's string of it.</summary>
    public NameKind? KindOf(ReadOnlySpan<char> name, out string? held) =>
        _byText.TryGetValue(name, out held, out var kind) ? kind : null;

    /// <summary>Room for <paramref name="count"/> more names (processes, known first).</summary>
    public void EnsureRoom(int count) => _names.EnsureCapacity(_names.Count + count);

    public void DeclareProcess(string name)
    {
        if (_names.TryAdd(name, NameKind.DeclaredProcess))
            _declared.Add(name);
    }

    public void DeclareProcessesUnknown() => ProcessesUnknown = true;

    /// <summary>A step that would bind <paramref name="name"/> has an error.</summary>
    public void BindUnknown(ReadOnlySpan<char> name) => _byText.TryAdd(name, NameKind.Unknown);

    /// <summary>
    /// Binds <paramref name="name"/> and gives the scope's string of it; or null, and why it
    /// cannot be bound.
    /// </summary>
    public string? TryBind(ReadOnlySpan<char> name, NameKind kind, out string? refusal)
    {
        var known = KindOf(name, out string? held);
        string? reason = (known, kind) switch
        {
            (NameKind.DeclaredProcess, _) => "is a declared process; choose another name",
            (NameKind.ForkedProcess, NameKind.Value) =>
                "already names a forked process; choose another name",
            (NameKind.Value, NameKind.ForkedProcess) =>
                "already names a value; choose another name for the child",
            _ => null,
        };
        // The name is quoted only for a refusal: binding is common, a refusal rare.
        if (reason is not null)
        {
            refusal = $"{MessageText.Quote(name.ToString())} {reason}";
            return null;
        }
        refusal = null;
        held ??= name.ToString();
        _names[held] = kind;
        return held;
    }

    private IEnumerable<string> NamesOf(params NameKind[] kinds) =>
        _names.Where(n => kinds.Contains(n.Value)).Select(n => n.Key);
}
