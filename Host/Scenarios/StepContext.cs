namespace Emulator.Host.Scenarios;

/// <summary>
/// What parsing one step string needs: the string and where each of its characters is in the
/// file, the names bound so far and the number of partitions. Turns single words into values,
/// and failures into errors located at the offending word.
/// </summary>
internal sealed class StepContext(HoconNode node, NameScope scope, int partitions)
{
    public string Text { get; } = node.Text;

    public NameScope Scope { get; } = scope;

    /// <summary>The name the step binds its result to, if any (mmap SIZE needs one).</summary>
    public string? Bind { get; set; }

    public SourceLocation Location => node.Location;

    public ScenarioException Error(StepToken token, string reason) => ErrorAt(token.Index, reason);

    public ScenarioException ErrorAt(int index, string reason) =>
        new(node.LocationOfChar(index), reason);

    public T Value<T>(StepToken token, Parsed<T> parsed) =>
        parsed.Error is null ? parsed.Value : throw Error(token, parsed.Error);

    public ulong Size(StepToken token) => Value(token, ScenarioValues.Size(token.Text));

    /// <summary>A number that fits in <paramref name="bits"/> bits, masked to them.</summary>
    public ulong Number(StepToken token, int bits) =>
        Value(token, ScenarioValues.NumberOfWidth(token.Text, bits));

    public int Int32(StepToken token) => Value(token, ScenarioValues.Int32(token.Text));

    /// <summary>A number, a bound name, or <c>NAME+SIZE</c> / <c>NAME-SIZE</c>.</summary>
    public Expr Expression(StepToken token)
    {
        string text = token.Text;
        if (char.IsAsciiDigit(text[0]) || text[0] == '-')
        {
            // An addition to version 1: a size with a suffix (4p, 16K) stands for its bytes
            // wherever an address or offset goes (attach ap 1p 1p).
            var number = ScenarioValues.Number(text);
            if (number.Error is not null && char.IsAsciiDigit(text[0])
                && ScenarioValues.Size(text) is { Error: null } size)
                return new LiteralExpr(size.Value);
            return new LiteralExpr(Value(token, number));
        }
        int sign = text.IndexOfAny(['+', '-']);
        string name = sign < 0 ? text : text[..sign];
        if (!ScenarioValues.IsName(name))
        {
            throw Error(token,
                $"expected a number, a bound name or NAME+SIZE, found {MessageText.Quote(text)}");
        }
        CheckValueName(token, name);
        if (sign < 0)
            return new NameExpr(name, 0);
        var offset = ScenarioValues.Offset(text[(sign + 1)..], negative: text[sign] == '-');
        return new NameExpr(name, Value(Part(token, sign + 1, text.Length), offset));
    }

    public int Partition(StepToken token)
    {
        int partition = Value(token, ScenarioValues.Partition(token.Text));
        return partition < partitions
            ? partition
            : throw Error(token, NoSuchPartition(token.Text, partitions));
    }

    /// <summary><c>P-&gt;Q</c>: a message fault's direction.</summary>
    public Link Link(StepToken token)
    {
        int arrow = token.Text.IndexOf("->", StringComparison.Ordinal);
        if (arrow < 0)
        {
            throw Error(token, "expected a link P->Q between partitions, "
                + $"found {MessageText.Quote(token.Text)}");
        }
        int from = Partition(Part(token, 0, arrow));
        int to = Partition(Part(token, arrow + 2, token.Text.Length));
        return from != to
            ? new Link(from, to)
            : throw Error(token, "a link joins two different partitions");
    }

    public static string NoSuchPartition(string partition, int partitions) => partitions == 1
        ? $"partition {MessageText.Clip(partition)} does not exist "
            + "(the only partition is 0; set 'partitions = N' for more)"
        : $"partition {MessageText.Clip(partition)} does not exist "
            + $"(partitions are 0..{partitions - 1})";

    /// <summary>Characters [start, end) of a word as a token, to point inside the word.</summary>
    private static StepToken Part(StepToken token, int start, int end) =>
        token with { Text = token.Text[start..end], Index = token.Index + start };

    private void CheckValueName(StepToken token, string name)
    {
        switch (Scope.KindOf(name))
        {
            case NameKind.Value or NameKind.Unknown:
                return;
            case null:
                throw Error(token, $"{MessageText.Quote(name)} is not bound by an earlier step"
                    + Suggestions.DidYouMean(name, Scope.Values)
                    + " (bind it with NAME = mmap, make, get or attach)");
            default:
                throw Error(token,
                    $"{MessageText.Quote(name)} is a process, not an address or an id");
        }
    }
}
