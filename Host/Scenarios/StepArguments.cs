namespace Emulator.Host.Scenarios;

/// <summary>
/// The words after a command, read left to right: positional words, then <c>name=value</c>
/// options in any order. Every error quotes the command's usage, so the user sees the form.
/// </summary>
internal sealed class StepArguments(
    StepContext context, StepTokenRange tokens, int endIndex, string usage)
{
    private int _next;

    public string Usage { get; } = usage;

    /// <summary>The next positional word; missing if an option or the end comes first.</summary>
    public StepToken Next(string what)
    {
        if (TryNext() is { } token)
            return token;
        if (_next < tokens.Count)
        {
            throw context.Error(tokens[_next],
                $"missing {what} before {Shown(tokens[_next])} (expected: {Usage})");
        }
        throw context.ErrorAt(endIndex, $"missing {what} (expected: {Usage})");
    }

    /// <summary>The next positional word, or null when no positional word is left.</summary>
    public StepToken? TryNext()
    {
        if (_next >= tokens.Count || IsOptionAt(_next))
            return null;
        RefuseSeparator(tokens[_next]);
        return tokens[_next++];
    }

    /// <summary>The next word even if it names an option (patterns: <c>byte=0x61</c>).</summary>
    public StepToken NextWord(string what)
    {
        if (_next < tokens.Count)
        {
            RefuseSeparator(tokens[_next]);
            return tokens[_next++];
        }
        throw context.ErrorAt(endIndex, $"missing {what} (expected: {Usage})");
    }

    /// <summary>The value after <c>name=</c>, the name just read by NextWord.</summary>
    public StepToken ValueAfterEquals(StepToken name)
    {
        if (IsOptionAt(_next - 1) && _next + 1 < tokens.Count && tokens[_next + 1].IsWord)
        {
            _next += 2;
            return tokens[_next - 1];
        }
        throw context.ErrorAt(name.End,
            $"expected '=' and a value after {Shown(name)} (expected: {Usage})");
    }

    /// <summary>The remaining words as <c>name=value</c> options, each name at most once.</summary>
    public IReadOnlyDictionary<string, StepToken> Options(params string[] names)
    {
        var options = new Dictionary<string, StepToken>(StringComparer.Ordinal);
        while (_next < tokens.Count)
        {
            var name = tokens[_next];
            if (!IsOptionAt(_next))
                throw Unexpected(name);
            if (!names.Contains(name.Text))
            {
                throw context.Error(name, $"unknown option {Shown(name)}"
                    + Suggestions.DidYouMean(name.Text, names)
                    + $" ({OptionsExpected(names)})");
            }
            if (!options.TryAdd(name.Text, ValueAfterOptionName()))
                throw context.Error(name, $"option {Shown(name)} is given twice");
        }
        return options;
    }

    /// <summary>Every word must have been read.</summary>
    public void End()
    {
        if (_next < tokens.Count)
            throw Unexpected(tokens[_next]);
    }

    private StepToken ValueAfterOptionName()
    {
        var name = tokens[_next];
        _next += 2;
        if (_next < tokens.Count && tokens[_next].IsWord)
            return tokens[_next++];
        throw context.ErrorAt(name.End + 1,
            $"missing the value of '{MessageText.Clip(name.Text)}=' (expected: {Usage})");
    }

    private bool IsOptionAt(int i) =>
        i >= 0
        && tokens[i].IsWord
        && i + 1 < tokens.Count
        && tokens[i + 1].Kind == StepTokenKind.Equals;

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
