namespace Emulator.Host.Scenarios;

/// <summary>
/// The words after a command, read left to right: positional words, then <c>name=value</c>
/// options in any order. Every error quotes the command's usage, so the user sees the form.
/// Its <see cref="StepContext"/> reuses it for every step (<see cref="Start"/>).
/// </summary>
internal sealed class StepArguments(StepContext context)
{
    private StepTokenRange _tokens;
    private int _endIndex;
    private int _next;

    // Where Options puts the values it finds: reused, as the arguments are.
    private StepToken[] _optionValues = new StepToken[2];

    public string Usage { get; private set; } = "";

    /// <summary>
    /// Starts on a step's arguments, <paramref name="arguments"/>; <paramref name="end"/> is
    /// where they end in the step, where "missing ..." errors point.
    /// </summary>
    public void Start(StepTokenRange arguments, int end, string usage)
    {
        _tokens = arguments;
        _endIndex = end;
        Usage = usage;
        _next = 0;
    }

    /// <summary>The next positional word; missing if an option or the end comes first.</summary>
    public StepToken Next(string what)
    {
        if (TryNext() is { } token)
            return token;
        if (_next < _tokens.Count)
        {
            throw context.Error(_tokens[_next],
                $"missing {what} before {Shown(_tokens[_next])} (expected: {Usage})");
        }
        throw context.ErrorAt(_endIndex, $"missing {what} (expected: {Usage})");
    }

    /// <summary>The next positional word, or null when no positional word is left.</summary>
    public StepToken? TryNext()
    {
        if (_next >= _tokens.Count || IsOptionAt(_next))
            return null;
        RefuseSeparator(_tokens[_next]);
        return _tokens[_next++];
    }

    /// <summary>The next word even if it names an option (patterns: <c>byte=0x61</c>).</summary>
    public StepToken NextWord(string what)
    {
        if (_next < _tokens.Count)
        {
            RefuseSeparator(_tokens[_next]);
            return _tokens[_next++];
        }
        throw context.ErrorAt(_endIndex, $"missing {what} (expected: {Usage})");
    }

    /// <summary>The value after <c>name=</c>, the name just read by NextWord.</summary>
    public StepToken ValueAfterEquals(StepToken name)
    {
        if (IsOptionAt(_next - 1) && _next + 1 < _tokens.Count && _tokens[_next + 1].IsWord)
        {
            _next += 2;
            return _tokens[_next - 1];
        }
        throw context.ErrorAt(name.End,
            $"expected '=' and a value after {Shown(name)} (expected: {Usage})");
    }

    /// <summary>
    /// The remaining words as <c>name=value</c> options, each name at most once. What it gives
    /// holds until the next call (commands read their options right away).
    /// </summary>
    public StepOptions Options(string[] names)
    {
        if (_optionValues.Length < names.Length)
            _optionValues = new StepToken[names.Length];
        var values = _optionValues.AsSpan(0, names.Length);
        values.Clear();
        while (_next < _tokens.Count)
        {
            var name = _tokens[_next];
            if (!IsOptionAt(_next))
                throw Unexpected(name);
            int option = IndexOf(names, name.Span);
            if (option < 0)
            {
                string text = name.Text;
                throw context.Error(name, $"unknown option {Shown(name)}"
                    + Suggestions.DidYouMean(text, names)
                    + $" ({OptionsExpected(names)})");
            }
            // The value is read before the repeat is looked for, so a second 'name=' without a
            // value is reported as the missing value.
            var value = ValueAfterOptionName();
            if (values[option].Step is not null)
                throw context.Error(name, $"option {Shown(name)} is given twice");
            values[option] = value;
        }
        return new StepOptions(names, _optionValues);
    }

    /// <summary>Every word must have been read.</summary>
    public void End()
    {
        if (_next < _tokens.Count)
            throw Unexpected(_tokens[_next]);
    }

    private static int IndexOf(string[] names, ReadOnlySpan<char> name)
    {
        for (int i = 0; i < names.Length; i++)
        {
            if (name.SequenceEqual(names[i]))
                return i;
        }
        return -1;
    }

    private StepToken ValueAfterOptionName()
    {
        var name = _tokens[_next];
        _next += 2;
        if (_next < _tokens.Count && _tokens[_next].IsWord)
            return _tokens[_next++];
        throw context.ErrorAt(name.End + 1,
            $"missing the value of '{MessageText.Clip(name.Text)}=' (expected: {Usage})");
    }

    private bool IsOptionAt(int i) =>
        i >= 0
        && _tokens[i].IsWord
        && i + 1 < _tokens.Count
        && _tokens[i + 1].Kind == StepTokenKind.Equals;

    private void RefuseSeparator(StepToken token)
    {
        if (!token.IsWord)
            throw Unexpected(token);
    }

    private ScenarioException Unexpected(StepToken token) => token.IsWord
        ? context.Error(token, $"unexpected argument {Shown(token)} (expected: {Usage})")
        : context.Error(token, $"unexpected {Shown(token)} (expected: {Usage})");

    private static string Shown(StepToken token) => MessageText.Quote(token.Text);

    private static string OptionsExpected(string[] names) => names.Length == 0
        ? "this command takes no options"
        : "expected " + string.Join(" or ", names.Select(n => n + "="));
}

/// <summary>The options a step gave, by name: a view of its arguments' values.</summary>
internal readonly struct StepOptions(string[] names, StepToken[] values)
{
    public bool TryGetValue(string name, out StepToken value)
    {
        int option = Array.IndexOf(names, name);
        value = option < 0 ? default : values[option];
        return value.Step is not null;
    }
}
