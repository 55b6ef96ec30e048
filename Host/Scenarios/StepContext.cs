namespace Emulator.Host.Scenarios;

/// <summary>
/// What parsing a step string needs: the string and where each of its characters is in the
/// file, the names bound so far and the number of partitions. Turns single words into values,
/// and failures into errors located at the offending word. One context reads every step of a
/// file, one after the other (<see cref="Start"/>): its token list and arguments are reused,
/// not made again for each of a large file's steps.
/// </summary>
internal sealed class StepContext
{
    // A step has a handful of tokens: room for them up front.
    private const int TokensExpected = 8;

    private readonly int _partitions;
    private HoconNode? _node;

    public StepContext(NameScope scope, int partitions)
    {
        Scope = scope;
        _partitions = partitions;
        Arguments = new StepArguments(this);
    }

    /// <summary>The step being read.</summary>
    public string Text { get; private set; } = "";

    public NameScope Scope { get; }

    /// <summary>The tokens of the step being read, as the tokenizer gives them.</summary>
    public List<StepToken> Tokens { get; } = new(TokensExpected);

    /// <summary>The arguments of the step being read.</summary>
    public StepArguments Arguments { get; }

    /// <summary>Whether the step binds its result to a name (mmap SIZE needs one).</summary>
    public bool Binds { get; set; }

    public SourceLocation Location => Node.Location;

    private HoconNode Node => _node ?? throw new InvalidOperationException("no step started");

    /// <summary>Starts reading the step <paramref name="node"/>.</summary>
    public void Start(HoconNode node)
    {
        _node = node;
        Text = node.Text;
        Binds = false;
        StepTokenizer.Tokenize(Text, Tokens);
    }

    public ScenarioException Error(StepToken token, string reason) => ErrorAt(token.Index, reason);

    public ScenarioException ErrorAt(int index, string reason) =>
        new(Node.LocationOfChar(index), reason);

    public T Value<T>(StepToken token, Parsed<T> parsed) =>
        parsed.Error is null ? parsed.Value : throw Error(token, parsed.Error);

    public ulong Size(StepToken token) => Value(token, ScenarioValues.Size(token.Span));

    /// <summary>A number that fits in <paramref name="bits"/> bits, masked to them.</summary>
    public ulong Number(StepToken token, int bits) =>
        Value(token, ScenarioValues.NumberOfWidth(token.Span, bits));

    public int Int32(StepToken token) => Value(token, ScenarioValues.Int32(token.Span));

    /// <summary>A number, a bound name, or <c>NAME+SIZE</c> / <c>NAME-SIZE</c>.</summary>
    public Expr Expression(StepToken token)
    {
        var text = token.Span;
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
        int sign = text.IndexOfAny('+', '-');
        var name = sign < 0 ? text : text[..sign];
        if (!ScenarioValues.IsName(name))
        {
            throw Error(token, "expected a number, a bound name or NAME+SIZE, "
                + $"found {MessageText.Quote(token.Text)}");
        }
        string bound = CheckValueName(token, name);
        if (sign < 0)
            return new NameExpr(bound, 0);
        var offset = ScenarioValues.Offset(text[(sign + 1)..], negative: text[sign] == '-');
        return new NameExpr(bound, Value(token.Part(sign + 1, text.Length), offset));
    }

    public int Partition(StepToken token)
    {
        int partition = Value(token, ScenarioValues.Partition(token.Span));
        return partition < _partitions
            ? partition
            : throw Error(token, NoSuchPartition(token.Text, _partitions));
    }

    /// <summary><c>P-&gt;Q</c>: a message fault's direction.</summary>
    public Link Link(StepToken token)
    {
        int arrow = token.Span.IndexOf("->", StringComparison.Ordinal);
        if (arrow < 0)
        {
            throw Error(token, "expected a link P->Q between partitions, "
                + $"found {MessageText.Quote(token.Text)}");
        }
        int from = Partition(token.Part(0, arrow));
        int to = Partition(token.Part(arrow + 2, token.Length));
        return from != to
            ? new Link(from, to)
            : throw Error(token, "a link joins two different partitions");
    }

    public static string NoSuchPartition(string partition, int partitions) => partitions == 1
        ? $"partition {MessageText.Clip(partition)} does not exist "
            + "(the only partition is 0; set 'partitions = N' for more)"
        : $"partition {MessageText.Clip(partition)} does not exist "
            + $"(partitions are 0..{partitions - 1})";

    /// <summary>The bound name as the scope holds it (no copy); or why it is no value.</summary>
    private string CheckValueName(StepToken token, ReadOnlySpan<char> name)
    {
        switch (Scope.KindOf(name, out string? bound))
        {
            case NameKind.Value or NameKind.Unknown:
                return bound!;
            case null:
                string unbound = name.ToString();
                throw Error(token, $"{MessageText.Quote(unbound)} is not bound by an earlier step"
                    + Suggestions.DidYouMean(unbound, Scope.Values)
                    + " (bind it with NAME = mmap, make, get or attach)");
            default:
                throw Error(token,
                    $"{MessageText.Quote(bound!)} is a process, not an address or an id");
        }
    }
}
