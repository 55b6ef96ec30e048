namespace Emulator.Host.Scenarios;

/// <summary>
/// Reads one step string, <c>"[PROCESS:] [NAME =] COMMAND [ARGS] [=> EXPECTATION]"</c>, into a
/// <see cref="CommandStep"/>, checking it against the names bound by earlier steps.
/// </summary>
internal static class StepParser
{
    private static readonly string ExpectationForms =
        "a number, a bound name, ok, dead, an errno name ("
        + string.Join(", ", ScenarioValues.ExpectableErrnos)
        + ") or a signal (" + string.Join(", ", ScenarioValues.ExpectableSignals)
        + "), or several joined by '|'";

    private static readonly string[] ExpectationNames =
    [
        "ok",
        "dead",
        .. ScenarioValues.ExpectableErrnos.Select(e => e.ToString()),
        .. ScenarioValues.ExpectableSignals.Select(s => s.ToString()),
    ];

    private static readonly string ProcessCommandNames = CommandTable.ProcessCommandNames;

    private const string NameRule = "(letters, digits and '_', not starting with a digit)";

    /// <summary>Reads the step <paramref name="node"/> with the file's one context.</summary>
    public static CommandStep Parse(HoconNode node, StepContext context)
    {
        context.Start(node);
        var tokens = context.Tokens;
        if (tokens.Count == 0)
        {
            throw new ScenarioException(context.Location,
                "empty step (expected 'PROCESS: COMMAND' or a machine command)");
        }
        try
        {
            return Parse(node, tokens, context);
        }
        catch (ScenarioException)
        {
            // The step is reported once, here; the steps after it that use the name it meant to
            // bind must not each be reported too, as "not bound".
            if (BindCandidate(tokens) is { } name && ScenarioValues.IsName(name.Span))
                context.Scope.BindUnknown(name.Span);
            throw;
        }
    }

    /// <summary>
    /// The name a step binds (<c>[PROCESS:] NAME = ...</c>), read from the tokens alone.
    /// </summary>
    private static StepToken? BindCandidate(List<StepToken> tokens)
    {
        int at = tokens.Count > 1 && tokens[1].Kind == StepTokenKind.Colon ? 2 : 0;
        bool binds = at + 1 < tokens.Count
            && tokens[at].IsWord
            && tokens[at + 1].Kind == StepTokenKind.Equals;
        return binds ? tokens[at] : null;
    }

    private static CommandStep Parse(HoconNode node, List<StepToken> tokens, StepContext context)
    {
        int next = 0;
        var process = ReadProcess(tokens, ref next, context);
        var bind = ReadBind(tokens, ref next, context);
        context.Binds = bind is not null;
        var word = ReadCommandWord(tokens, next, context);
        var spec = FindCommand(word, process, context);
        string? processName = process is { } named ? CheckProcess(named, context) : null;
        CheckBind(spec, bind, word, context);
        int arrow = FindArrow(tokens, next);
        var command = ReadArguments(tokens, next + 1, arrow, spec, context);
        var expectation = arrow < 0
            ? Expectation.DefaultOk
            : ReadExpectation(tokens, arrow, spec, context);
        string? bound = bind is { } name ? Bind(name, spec, context) : null;
        return new CommandStep(
            node.Location, processName, bound, command, expectation, context.Text);
    }

    private static int FindArrow(List<StepToken> tokens, int first)
    {
        for (int i = first; i < tokens.Count; i++)
        {
            if (tokens[i].Kind == StepTokenKind.Arrow)
                return i;
        }
        return -1;
    }

    private static StepToken? ReadProcess(List<StepToken> tokens, ref int next, StepContext context)
    {
        if (tokens[0].Kind == StepTokenKind.Colon)
            throw context.Error(tokens[0], "expected a process name before ':'");
        if (tokens.Count < 2 || tokens[1].Kind != StepTokenKind.Colon)
            return null;
        var process = tokens[0];
        if (!process.IsWord || !ScenarioValues.IsName(process.Span))
        {
            throw context.Error(process,
                $"{MessageText.Quote(process.Text)} is not a process name {NameRule}");
        }
        next = 2;
        return process;
    }

    private static StepToken? ReadBind(List<StepToken> tokens, ref int next, StepContext context)
    {
        bool binds = next + 1 < tokens.Count
            && tokens[next].IsWord
            && tokens[next + 1].Kind == StepTokenKind.Equals;
        if (!binds)
            return null;
        var name = tokens[next];
        if (!ScenarioValues.IsName(name.Span))
        {
            throw context.Error(name, $"{MessageText.Quote(name.Text)} is not a name {NameRule}");
        }
        next += 2;
        return name;
    }

    private static StepToken ReadCommandWord(List<StepToken> tokens, int next, StepContext context)
    {
        if (next < tokens.Count && tokens[next].IsWord)
            return tokens[next];
        if (next < tokens.Count)
        {
            throw context.Error(tokens[next],
                $"expected a command, found {MessageText.Quote(tokens[next].Text)}");
        }
        throw context.ErrorAt(context.Text.Length, "expected a command");
    }

    private static CommandSpec FindCommand(StepToken word, StepToken? process, StepContext context)
    {
        var spec = CommandTable.Find(word.Span);
        if (spec is null)
        {
            throw context.Error(word,
                UnknownCommand(word.Text, hasProcess: process is not null, context.Scope));
        }
        if (spec.IsMachine && process is { } prefix)
        {
            throw context.Error(prefix,
                $"'{spec.Name}' is a machine command: write it without the "
                + $"'{MessageText.Clip(prefix.Text)}:' prefix");
        }
        if (!spec.IsMachine && process is null)
        {
            throw context.Error(word,
                $"'{spec.Name}' is a process command: write 'PROCESS: {spec.Name} ...'");
        }
        return spec;
    }

    private static string UnknownCommand(string word, bool hasProcess, NameScope scope)
    {
        string shown = MessageText.Quote(word);
        if (hasProcess)
        {
            return $"unknown command {shown}"
                + Suggestions.DidYouMean(word, CommandTable.ProcessCommandWords)
                + $" (expected one of: {ProcessCommandNames})";
        }
        // "owner exit" is far likelier a missing colon than a machine command.
        string hint = scope.KindOf(word) is NameKind.DeclaredProcess or NameKind.ForkedProcess
            ? $"; a step by process {shown} is written '{MessageText.Clip(word)}: COMMAND'"
            : "";
        return $"unknown command {shown}{MachineTypoHint(word, scope)} (expected a machine "
            + $"command: {CommandTable.MachineCommandNames}; or PROCESS: COMMAND{hint})";
    }

    // Without a prefix, a typo is of a machine command, of a process name missing its colon
    // ("ownr exit"), or of a process command missing its prefix ("atach ap 0 1p").
    private static string MachineTypoHint(string word, NameScope scope)
    {
        if (Suggestions.Nearest(word, CommandTable.MachineCommandWords) is { } machine)
            return Suggestions.DidYouMeanText(machine);
        if (Suggestions.Nearest(word, scope.Processes) is { } process)
            return Suggestions.DidYouMeanText($"{process}: COMMAND");
        return Suggestions.Nearest(word, CommandTable.ProcessCommandWords) is { } command
            ? Suggestions.DidYouMeanText($"PROCESS: {command}")
            : "";
    }

    /// <summary>The process's name, as the scope holds it if it does (no copy).</summary>
    private static string CheckProcess(StepToken process, StepContext context)
    {
        var kind = context.Scope.KindOf(process.Span, out string? name);
        if (kind is NameKind.DeclaredProcess or NameKind.ForkedProcess or NameKind.Unknown)
            return name!;
        string shown = MessageText.Quote(process.Text);
        if (kind == NameKind.Value)
        {
            throw context.Error(process,
                $"{shown} is a value bound by an earlier step, not a process");
        }
        if (context.Scope.ProcessesUnknown)
            return name ?? process.Text;
        string declared = context.Scope.DeclaredProcesses.Count == 0
            ? "none are declared"
            : "declared: " + MessageText.List(context.Scope.DeclaredProcesses);
        throw context.Error(process, $"unknown process {shown}"
            + Suggestions.DidYouMean(process.Text, context.Scope.Processes)
            + $" ({declared}; or bind a child with 'NAME = fork' in an earlier step)");
    }

    private static void CheckBind(
        CommandSpec spec, StepToken? bind, StepToken word, StepContext context)
    {
        if (bind is { } name && !spec.Bindable)
        {
            throw context.Error(name, $"'{spec.Name}' gives nothing to bind to "
                + $"{MessageText.Quote(name.Text)} (only {CommandTable.BindableNames} do)");
        }
        if (bind is null && spec.Name == "fork")
            throw context.Error(word, "fork needs a name for the child: write 'NAME = fork'");
    }

    private static Command ReadArguments(
        List<StepToken> tokens, int first, int arrow, CommandSpec spec, StepContext context)
    {
        int end = arrow < 0 ? tokens.Count : arrow;
        int endIndex = arrow < 0 ? context.Text.Length : tokens[arrow].Index;
        var arguments = context.Arguments;
        arguments.Start(new StepTokenRange(tokens, first, end), endIndex, spec.Usage);
        var command = spec.Parse(arguments, context);
        arguments.End();
        return command;
    }

    /// <summary>The name bound, as the scope holds it (a name bound before: no copy).</summary>
    private static string Bind(StepToken name, CommandSpec spec, StepContext context)
    {
        var kind = spec.Name == "fork" ? NameKind.ForkedProcess : NameKind.Value;
        return context.Scope.TryBind(name.Span, kind, out string? refusal)
            ?? throw context.Error(name, refusal!);
    }

    private static Expectation ReadExpectation(
        List<StepToken> tokens, int arrow, CommandSpec spec, StepContext context)
    {
        if (arrow + 1 >= tokens.Count || !tokens[arrow + 1].IsWord)
        {
            throw context.ErrorAt(tokens[arrow].End,
                $"expected an expectation after '=>': {ExpectationForms}");
        }
        // One word without '|', as most are: what the general path below would make of it too.
        var single = tokens[arrow + 1];
        if (arrow + 2 == tokens.Count && !single.Span.Contains('|'))
            return ExpectationOf(single, spec, context);
        var alternatives = new List<Expectation>();
        foreach (var part in Alternatives(tokens, arrow + 1, context))
        {
            if (part.Count != 1)
            {
                var at = part.Count == 0 ? tokens[^1] : part[1];
                if (part.Count == 0)
                    throw context.ErrorAt(at.End, $"expected an expectation after '|': "
                        + ExpectationForms);
                throw context.Error(at, $"unexpected {MessageText.Quote(at.Text)} after the "
                    + "expectation (a step ends with one, or several joined by '|')");
            }
            alternatives.Add(ExpectationOf(part[0], spec, context));
        }
        return alternatives.Count == 1 ? alternatives[0] : new ExpectAny(alternatives);
    }

    /// <summary>
    /// The words after the arrow, cut at every '|' (written alone or inside a word:
    /// <c>ok | SIGSEGV</c> and <c>ok|SIGSEGV</c> read alike).
    /// </summary>
    private static List<List<StepToken>> Alternatives(List<StepToken> tokens, int first,
        StepContext context)
    {
        var parts = new List<List<StepToken>> { new() };
        for (var i = first; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (!token.IsWord)
            {
                throw context.Error(token, $"unexpected {MessageText.Quote(token.Text)} in the "
                    + "expectation");
            }
            var start = 0;
            while (true)
            {
                var bar = token.Span[start..].IndexOf('|');
                int end = bar < 0 ? token.Length : start + bar;
                if (end > start)
                    parts[^1].Add(token.Part(start, end));
                if (bar < 0) break;
                parts.Add([]);
                start = end + 1;
            }
        }
        return parts;
    }

    private static Expectation ExpectationOf(StepToken token, CommandSpec spec, StepContext context)
    {
        var text = token.Span;
        if (text is "ok")
            return new ExpectOk(Explicit: true);
        if (text is "dead")
            return new ExpectDead();
        if (ScenarioValues.TryExpectableErrno(text, out var errno))
            return new ExpectErrno(errno);
        // Only a signal's name is asked for as one: a failed SignalNamed builds a message.
        if (ScenarioValues.IsExpectableSignal(text))
        {
            var signal = ScenarioValues.SignalNamed(text, ScenarioValues.ExpectableSignals);
            return new ExpectSignal(signal.Value);
        }
        if (!char.IsAsciiDigit(text[0]) && text[0] != '-')
            return BoundExpectation(token, spec, context);
        // A read's value is as wide as the read: read8 => -1 means 0xff, read8 => 256 cannot be.
        int widthBytes = ProcessCommands.ResultWidthBytes(spec.Name);
        var value = widthBytes == 0
            ? ScenarioValues.Number(text)
            : ScenarioValues.NumberOfWidth(text, widthBytes * 8);
        return new ExpectValue(context.Value(token, value));
    }

    /// <summary>
    /// <c>=&gt; NAME</c> or <c>=&gt; NAME+SIZE</c>: a value a step before bound (an addition to
    /// version 1). A word that is no bound name is an unknown expectation; on a command whose
    /// result can be bound, one that is no typo of a known word is taken for a name meant to be
    /// bound here, and the message shows how.
    /// </summary>
    private static Expectation BoundExpectation(StepToken token, CommandSpec spec,
        StepContext context)
    {
        var word = token.Span;
        int sign = word.IndexOfAny('+', '-');
        if (context.Scope.KindOf(sign < 0 ? word : word[..sign]) is NameKind.Value
            or NameKind.Unknown)
            return new ExpectBound(context.Expression(token));
        string text = token.Text;
        string shown = MessageText.Quote(text);
        var known = ExpectationNames.Concat(context.Scope.Values);
        if (spec.Bindable && sign < 0 && ScenarioValues.IsName(text)
            && context.Scope.KindOf(text) is null && Suggestions.Nearest(text, known) is null)
        {
            throw context.Error(token, $"{shown} is not bound by an earlier step (an expectation "
                + $"names a value bound before it; to bind this step's result, write "
                + $"'{MessageText.Clip(text)} = {spec.Name} ...')");
        }
        throw context.Error(token, $"unknown expectation {shown}"
            + Suggestions.DidYouMean(text, known) + $" (expected {ExpectationForms})");
    }
}
