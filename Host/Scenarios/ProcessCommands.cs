using Emulator.Protocol;
using Emulator.Protocol.Processes;

namespace Emulator.Host.Scenarios;

/// <summary>The commands a process runs (<c>"PROCESS: COMMAND"</c>).</summary>
internal static class ProcessCommands
{
    private const ulong DefaultMode = 0x180; // 0600
    private const string Index32Plus = "index32+";

    private static readonly string[] PatternNames = ["zero", "byte", "index32", "lfsr32"];

    // The options each command takes, made once: Options is asked for them at every step.
    private static readonly string[] MakeOptions = ["mode", "permit-type"];
    private static readonly string[] GetOptions = ["permit-type"];
    private static readonly string[] AttachOptions = ["at"];
    private static readonly string[] Lfsr32Options = ["seed"];

    public static readonly IReadOnlyList<CommandSpec> Specs =
    [
        Spec("mmap", "mmap ADDR SIZE, or NAME = mmap SIZE", Mmap, bindable: true),
        Spec("munmap", "munmap ADDR SIZE", (a, c) => new MunmapCommand(Address(a, c), Size(a, c))),
        Spec("make", "make ADDR SIZE [mode=0600] [permit-type=1]", Make, bindable: true),
        Spec("remove", "remove SEG", (a, c) => new RemoveCommand(c.Expression(a.Next("SEG")))),
        Spec("get", "get SEG FLAGS [permit-type=1]", Get, bindable: true),
        Spec("release", "release AP", (a, c) => new ReleaseCommand(c.Expression(a.Next("AP")))),
        Spec("attach", "attach AP OFFSET SIZE [at=ADDR]", Attach, bindable: true),
        Spec("detach", "detach ADDR", (a, c) => new DetachCommand(Address(a, c))),
        Spec("version", "version", (_, _) => new VersionCommand()),
        Spec("open", "open", (_, _) => new OpenCommand()),
        Spec("close", "close", (_, _) => new CloseCommand()),
        Spec("fill", "fill ADDR SIZE PATTERN",
            (a, c) => new FillCommand(Address(a, c), Size(a, c), Pattern(a, c))),
        Spec("check", "check ADDR SIZE PATTERN",
            (a, c) => new CheckCommand(Address(a, c), Size(a, c), Pattern(a, c))),
        .. new[] { 1, 2, 4, 8 }.Select(Read),
        .. new[] { 1, 2, 4, 8 }.Select(Write),
        Spec("add32", "add32 ADDR SIZE K", Add32),
        Spec("sum32", "sum32 ADDR SIZE", (a, c) => new Sum32Command(Address(a, c), Size(a, c))),
        Spec("fetch-add32", "fetch-add32 ADDR K",
            (a, c) => new FetchAdd32Command(Address(a, c), Word32(a, c, "K")), bindable: true),
        Spec("cas32", "cas32 ADDR EXPECTED NEW", Cas32, bindable: true),
        Spec("swap32", "swap32 ADDR NEW",
            (a, c) => new Swap32Command(Address(a, c), Word32(a, c, "NEW")), bindable: true),
        Spec("copy", "copy DST SRC SIZE", Copy),
        Spec("fork", "NAME = fork", (_, _) => new ForkCommand(), bindable: true),
        Spec("exit", "exit [CODE]", Exit),
        Spec("kill", "kill [SIGNAL]", Kill),
    ];

    /// <summary>
    /// How wide a command's result is when it is a loaded value: 4 for read32 and the atomics
    /// (the word before); 0 for commands whose result is not a load.
    /// </summary>
    public static int ResultWidthBytes(string command) => command switch
    {
        "read8" => 1,
        "read16" => 2,
        "read32" or "fetch-add32" or "cas32" or "swap32" => 4,
        "read64" => 8,
        _ => 0,
    };

    private static CommandSpec Spec(
        string name, string usage, Func<StepArguments, StepContext, Command> parse,
        bool bindable = false) =>
        new(name, IsMachine: false, bindable, usage, parse);

    private static Command Mmap(StepArguments args, StepContext context)
    {
        var first = args.Next("SIZE");
        if (args.TryNext() is { } size)
            return new MmapCommand(context.Expression(first), context.Size(size));
        // Without a name the emulator's chosen address could never be used again.
        if (!context.Binds)
        {
            throw context.Error(first,
                "mmap without an address needs a name: NAME = mmap SIZE (or: mmap ADDR SIZE)");
        }
        return new MmapCommand(null, context.Size(first));
    }

    private static Command Make(StepArguments args, StepContext context)
    {
        var address = Address(args, context);
        ulong size = Size(args, context);
        var options = args.Options(MakeOptions);
        ulong mode = options.TryGetValue("mode", out var m)
            ? context.Value(m, ScenarioValues.Mode(m.Span))
            : DefaultMode;
        return new MakeCommand(address, size, mode, PermitType(options, context));
    }

    private static Command Get(StepArguments args, StepContext context)
    {
        var segment = context.Expression(args.Next("SEG"));
        var flags = args.Next("FLAGS");
        ulong flagValue = context.Value(flags, ScenarioValues.GetFlags(flags.Span));
        return new GetCommand(segment, flagValue, PermitType(args.Options(GetOptions), context));
    }

    private static Command Attach(StepArguments args, StepContext context)
    {
        var permit = context.Expression(args.Next("AP"));
        var offset = context.Expression(args.Next("OFFSET"));
        ulong size = Size(args, context);
        var options = args.Options(AttachOptions);
        var at = options.TryGetValue("at", out var a) ? context.Expression(a) : null;
        return new AttachCommand(permit, offset, size, at);
    }

    private static CommandSpec Read(int widthBytes) =>
        Spec($"read{widthBytes * 8}", $"read{widthBytes * 8} ADDR",
            (a, c) => new ReadCommand(widthBytes, Address(a, c)));

    private static CommandSpec Write(int widthBytes) =>
        Spec($"write{widthBytes * 8}", $"write{widthBytes * 8} ADDR VALUE", (args, context) =>
        {
            var address = Address(args, context);
            return new WriteCommand(widthBytes, address,
                StoreValue(args.Next("VALUE"), widthBytes * 8, context));
        });

    /// <summary>
    /// A value to store: a literal must fit <paramref name="bits"/>; a name (an address, an id, a
    /// word an atomic returned) is the runner's to narrow.
    /// </summary>
    private static Expr StoreValue(StepToken value, int bits, StepContext context)
    {
        char first = value.Span[0];
        bool literal = char.IsAsciiDigit(first) || first == '-';
        return literal ? new LiteralExpr(context.Number(value, bits)) : context.Expression(value);
    }

    private static Command Cas32(StepArguments args, StepContext context)
    {
        var address = Address(args, context);
        var expected = Word32(args, context, "EXPECTED");
        return new Cas32Command(address, expected, Word32(args, context, "NEW"));
    }

    /// <summary>An atomic's operand: a 32-bit literal or a bound name.</summary>
    private static Expr Word32(StepArguments args, StepContext context, string what) =>
        StoreValue(args.Next(what), 32, context);

    private static Command Add32(StepArguments args, StepContext context)
    {
        var address = Address(args, context);
        ulong size = Size(args, context);
        return new Add32Command(address, size, (uint)context.Number(args.Next("K"), 32));
    }

    private static Command Copy(StepArguments args, StepContext context)
    {
        var destination = context.Expression(args.Next("DST"));
        var source = context.Expression(args.Next("SRC"));
        return new CopyCommand(destination, source, Size(args, context));
    }

    private static Command Exit(StepArguments args, StepContext context) =>
        new ExitCommand(args.TryNext() is { } code ? context.Int32(code) : 0);

    private static Command Kill(StepArguments args, StepContext context)
    {
        if (args.TryNext() is not { } signal)
            return new KillCommand(Signal.SIGKILL);
        var named = ScenarioValues.SignalNamed(signal.Span, ScenarioValues.KillSignals);
        return new KillCommand(context.Value(signal, named));
    }

    /// <summary><c>zero</c>, <c>byte=N</c>, <c>index32[+K]</c>, <c>lfsr32 seed=N</c>.</summary>
    private static Pattern Pattern(StepArguments args, StepContext context)
    {
        var word = args.NextWord("PATTERN");
        switch (word.Span)
        {
            case "zero":
                return new ZeroPattern();
            case "byte":
                return new BytePattern((byte)context.Number(args.ValueAfterEquals(word), 8));
            case "index32":
                return new Index32Pattern(0);
            case "lfsr32":
                if (!args.Options(Lfsr32Options).TryGetValue("seed", out var seed))
                    throw context.ErrorAt(word.End, "lfsr32 needs its seed: lfsr32 seed=N");
                return new Lfsr32Pattern((uint)context.Number(seed, 32));
            case var text when text.StartsWith(Index32Plus, StringComparison.Ordinal):
                var k = word.Part(Index32Plus.Length, word.Length);
                return new Index32Pattern((uint)context.Number(k, 32));
            default:
                throw context.Error(word, $"unknown pattern {MessageText.Quote(word.Text)}"
                    + Suggestions.DidYouMean(word.Text, PatternNames)
                    + " (expected zero, byte=N, index32, index32+K or lfsr32 seed=N)");
        }
    }

    private static Expr Address(StepArguments args, StepContext context) =>
        context.Expression(args.Next("ADDR"));

    private static ulong Size(StepArguments args, StepContext context) =>
        context.Size(args.Next("SIZE"));

    private static int PermitType(
        StepOptions options, StepContext context) =>
        options.TryGetValue("permit-type", out var p) ? context.Int32(p) : Xpmem.PermitMode;
}
