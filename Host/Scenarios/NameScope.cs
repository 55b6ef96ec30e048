namespace Emulator.Host.Scenarios;

internal enum NameKind
{
    /// <summary>In <c>processes { }</c>.</summary>
    DeclaredProcess,
    /// <summary>Bound by <c>NAME = fork</c>.</summary>
    ForkedProcess,
    /// <summary>Bound by <c>NAME = mmap|make|get|attach</c>: an address or an id.</summary>
    Value,
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

    public NameKind? KindOf(string name) => _names.TryGetValue(name, out var kind) ? kind : null;

    public void DeclareProcess(string name)
    {
        _names[name] = NameKind.DeclaredProcess;
        _declared.Add(name);
    }

    /// <summary>Binds <paramref name="name"/>, or says why it cannot (null when it can).</summary>
    public string? TryBind(string name, NameKind kind)
    {
        string? refusal = (KindOf(name), kind) switch
        {
            (NameKind.DeclaredProcess, _) => $"'{name}' is a declared process; choose another name",
            (NameKind.ForkedProcess, NameKind.Value) =>
                $"'{name}' already names a forked process; choose another name",
            (NameKind.Value, NameKind.ForkedProcess) =>
                $"'{name}' already names a value; choose another name for the child",
            _ => null,
        };
        if (refusal is null)
            _names[name] = kind;
        return refusal;
    }
}
