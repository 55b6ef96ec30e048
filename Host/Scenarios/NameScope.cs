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

    public NameKind? KindOf(string name) => _names.TryGetValue(name, out var kind) ? kind : null;

    public void DeclareProcess(string name)
    {
        if (_names.TryAdd(name, NameKind.DeclaredProcess))
            _declared.Add(name);
    }

    public void DeclareProcessesUnknown() => ProcessesUnknown = true;

    /// <summary>A step that would bind <paramref name="name"/> has an error.</summary>
    public void BindUnknown(string name) => _names.TryAdd(name, NameKind.Unknown);

    /// <summary>Binds <paramref name="name"/>, or says why it cannot (null when it can).</summary>
    public string? TryBind(string name, NameKind kind)
    {
        string? reason = (KindOf(name), kind) switch
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
            return $"{MessageText.Quote(name)} {reason}";
        _names[name] = kind;
        return null;
    }

    private IEnumerable<string> NamesOf(params NameKind[] kinds) =>
        _names.Where(n => kinds.Contains(n.Value)).Select(n => n.Key);
}
