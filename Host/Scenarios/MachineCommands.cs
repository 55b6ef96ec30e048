namespace Emulator.Host.Scenarios;

/// <summary>The machine and fault commands (no process prefix) of scenario-language.md.</summary>
internal static class MachineCommands
{
    public static readonly IReadOnlyList<CommandSpec> Specs =
    [
        Spec("crash", "crash partition N", (a, c) => new CrashCommand(PartitionAfter(a, c))),
        Spec("restart", "restart partition N", (a, c) => new RestartCommand(PartitionAfter(a, c))),
        Spec("start", "start PROCESS", Start),
        Spec("cut", "cut P Q", (a, c) => Pair(a, c, (p, q) => new CutCommand(p, q))),
        Spec("heal", "heal P Q", (a, c) => Pair(a, c, (p, q) => new HealCommand(p, q))),
        Spec("drop", "drop RATE [P->Q]", (a, c) => new DropCommand(Rate(a, c), OptionalLink(a, c))),
        Spec("delay", "delay MIN..MAX [P->Q]", Delay),
        Spec("duplicate", "duplicate RATE [P->Q]", Duplicate),
        Spec("wait", "wait DURATION", Wait),
        Spec("expect", "expect pins balanced, or expect quiet", Expect),
    ];

    private static CommandSpec Spec(
        string name, string usage, Func<StepArguments, StepContext, Command> parse) =>
        new(name, IsMachine: true, Bindable: false, usage, parse);

    private static int PartitionAfter(StepArguments args, StepContext context)
    {
        Keyword(args, context, "partition");
        return context.Partition(args.Next("N"));
    }

    private static Command Start(StepArguments args, StepContext context)
    {
        var process = args.Next("PROCESS");
        var scope = context.Scope;
        var kind = scope.KindOf(process.Span, out string? held);
        if (kind is NameKind.DeclaredProcess or NameKind.Unknown || scope.ProcessesUnknown)
            return new StartCommand(held ?? process.Text);
        var declared = scope.DeclaredProcesses.Count == 0 ? "none are declared"
            : "declared: " + MessageText.List(scope.DeclaredProcesses);
        throw context.Error(process, $"start takes a declared process, not "
            + $"{MessageText.Quote(process.Text)}"
            + Suggestions.DidYouMean(process.Text, scope.DeclaredProcesses) + $" ({declared})");
    }

    private static Command Pair(
        StepArguments args, StepContext context, Func<int, int, Command> create)
    {
        int p = context.Partition(args.Next("P"));
        var second = args.Next("Q");
        int q = context.Partition(second);
        return p != q
            ? create(p, q)
            : throw context.Error(second, "a link joins two different partitions");
    }

    private static double Rate(StepArguments args, StepContext context)
    {
        var rate = args.Next("RATE");
        return context.Value(rate, ScenarioValues.Rate(rate.Span));
    }

    private static Link? OptionalLink(StepArguments args, StepContext context) =>
        args.TryNext() is { } link ? context.Link(link) : null;

    private static Command Delay(StepArguments args, StepContext context)
    {
        var range = args.Next("MIN..MAX");
        var (min, max) = context.Value(range, ScenarioValues.DurationRange(range.Span));
        return new DelayCommand(min, max, OptionalLink(args, context));
    }

    private static Command Duplicate(StepArguments args, StepContext context) =>
        new DuplicateCommand(Rate(args, context), OptionalLink(args, context));

    private static Command Wait(StepArguments args, StepContext context)
    {
        var duration = args.Next("DURATION");
        return new WaitCommand(context.Value(duration, ScenarioValues.Duration(duration.Span)));
    }

    private static Command Expect(StepArguments args, StepContext context)
    {
        var what = args.Next("'pins balanced' or 'quiet'");
        if (what.Is("quiet"))
            return new ExpectQuietCommand();
        if (!what.Is("pins"))
        {
            throw context.Error(what, $"unknown check {MessageText.Quote(what.Text)}"
                + $"{Suggestions.DidYouMean(what.Text, ["pins", "quiet"])} "
                + $"(expected: {args.Usage})");
        }
        Keyword(args, context, "balanced");
        return new ExpectPinsBalancedCommand();
    }

    private static void Keyword(StepArguments args, StepContext context, string keyword)
    {
        var word = args.Next($"'{keyword}'");
        if (!word.Is(keyword))
        {
            throw context.Error(word,
                $"expected '{keyword}', found {MessageText.Quote(word.Text)}"
                + $"{Suggestions.DidYouMean(word.Text, [keyword])} (expected: {args.Usage})");
        }
    }
}
