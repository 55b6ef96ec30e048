namespace Emulator.Host.Scenarios;

/// <summary>The machine and fault-injector commands (no process prefix), as scenario-language.md lists them.</summary>
internal static class MachineCommands
{
    public static readonly IReadOnlyList<CommandSpec> Specs =
    [
        Spec("crash", "crash partition N", (a, c) => new CrashCommand(PartitionAfterKeyword(a, c))),
        Spec("restart", "restart partition N", (a, c) => new RestartCommand(PartitionAfterKeyword(a, c))),
        Spec("cut", "cut P Q", (a, c) => Pair(a, c, (p, q) => new CutCommand(p, q))),
        Spec("heal", "heal P Q", (a, c) => Pair(a, c, (p, q) => new HealCommand(p, q))),
        Spec("drop", "drop RATE [P->Q]", (a, c) => new DropCommand(Rate(a, c), OptionalLink(a, c))),
        Spec("delay", "delay MIN..MAX [P->Q]", Delay),
        Spec("duplicate", "duplicate RATE [P->Q]", (a, c) => new DuplicateCommand(Rate(a, c), OptionalLink(a, c))),
        Spec("wait", "wait DURATION", Wait),
        Spec("expect", "expect pins balanced, or expect quiet", Expect),
    ];

    private static CommandSpec Spec(string name, string usage, Func<StepArguments, StepContext, Command> parse) =>
        new(name, IsMachine: true, Bindable: false, usage, parse);

    private static int PartitionAfterKeyword(StepArguments args, StepContext context)
    {
        var keyword = args.Next("'partition'");
        if (keyword.Text != "partition")
            throw context.Error(keyword, $"expected 'partition', found '{keyword.Text}' (expected: {args.Usage})");
        return context.Partition(args.Next("N"));
    }

    private static Command Pair(StepArguments args, StepContext context, Func<int, int, Command> create)
    {
        var first = args.Next("P");
        int p = context.Partition(first);
        var second = args.Next("Q");
        int q = context.Partition(second);
        return p != q ? create(p, q) : throw context.Error(second, "a link joins two different partitions");
    }

    private static double Rate(StepArguments args, StepContext context)
    {
        var rate = args.Next("RATE");
        return context.Value(rate, ScenarioValues.Rate(rate.Text));
    }

    private static Link? OptionalLink(StepArguments args, StepContext context) =>
        args.TryNext() is { } link ? context.Link(link) : null;

    private static Command Delay(StepArguments args, StepContext context)
    {
        var range = args.Next("MIN..MAX");
        var (min, max) = context.Value(range, ScenarioValues.DurationRange(range.Text));
        return new DelayCommand(min, max, OptionalLink(args, context));
    }

    private static Command Wait(StepArguments args, StepContext context)
    {
        var duration = args.Next("DURATION");
        return new WaitCommand(context.Value(duration, ScenarioValues.Duration(duration.Text)));
    }

    private static Command Expect(StepArguments args, StepContext context)
    {
        var what = args.Next("'pins balanced' or 'quiet'");
        if (what.Text == "quiet")
            return new ExpectQuietCommand();
        if (what.Text != "pins")
            throw context.Error(what, $"unknown check '{what.Text}' (expected: {args.Usage})");
        var balanced = args.Next("'balanced'");
        if (balanced.Text != "balanced")
            throw context.Error(balanced, $"expected 'balanced', found '{balanced.Text}' (expected: {args.Usage})");
        return new ExpectPinsBalancedCommand();
    }
}
