using Emulator.Protocol;
using Emulator.Protocol.Processes;

namespace Emulator.Host.Scenarios;

/// <summary>
/// Where a step came from, for error messages: 1-based line and column. Line 0 stands for the
/// file as a whole (it cannot be read, or is not a scenario file at all) and shows as the file
/// name alone, never as a made-up position.
/// </summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    public static SourceLocation WholeFile(string file) => new(file, 0, 0);

    public bool IsWholeFile => Line == 0;

    public override string ToString() => IsWholeFile ? File : $"{File}:{Line}:{Column}";
}

/// <summary>A parsed scenario file (language version 1).</summary>
public sealed record Scenario(
    string Name,
    string File,
    int? Seed,
    int Partitions,
    bool RawLibrary,
    IReadOnlyList<ProcessDeclaration> Processes,
    IReadOnlyList<Step> Steps)
{
    /// <summary>
    /// <c>placement = [[0, 2], [1]]</c>: in <c>cluster</c> mode, node i hosts the partitions of
    /// entry i (each partition exactly once); null: round-robin over <c>--nodes</c>.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<int>>? Placement { get; init; }

    /// <summary>Every command step, inside parallel and repeat blocks too, in file order.</summary>
    public IEnumerable<CommandStep> Commands() => CommandsIn(Steps);

    private static IEnumerable<CommandStep> CommandsIn(IEnumerable<Step> steps) =>
        steps.SelectMany(step => step switch
        {
            CommandStep command => [command],
            ParallelStep parallel => parallel.Branches.SelectMany(CommandsIn),
            RepeatStep repeat => CommandsIn(repeat.Steps),
            _ => [],
        });
}

/// <summary>A process declared in <c>processes { }</c>; it starts when the run starts.</summary>
public sealed record ProcessDeclaration(string Name, int Partition, int Uid, int Gid,
    SourceLocation Location);

public abstract record Step(SourceLocation Location);

/// <summary>
/// <c>"[PROCESS:] [NAME =] COMMAND [=> EXPECTATION]"</c>. <see cref="Process"/> is null for
/// machine and fault commands.
/// </summary>
public sealed record CommandStep(
    SourceLocation Location,
    string? Process,
    string? Bind,
    Command Command,
    Expectation Expect,
    string Text) : Step(Location);

/// <summary><c>{ parallel = [ [steps], [steps] ] }</c>: branches run concurrently.</summary>
public sealed record ParallelStep(SourceLocation Location,
    IReadOnlyList<IReadOnlyList<Step>> Branches)
    : Step(Location);

/// <summary><c>{ repeat = N, steps = [ ... ] }</c>.</summary>
public sealed record RepeatStep(SourceLocation Location, int Count, IReadOnlyList<Step> Steps)
    : Step(Location);

/// <summary>
/// What a step must end with. <see cref="DefaultOk"/> when the step says nothing.
/// </summary>
public abstract record Expectation
{
    public static readonly Expectation DefaultOk = new ExpectOk(Explicit: false);
}

public sealed record ExpectOk(bool Explicit) : Expectation;
public sealed record ExpectValue(ulong Value) : Expectation;

/// <summary>
/// <c>=&gt; NAME</c> (an addition to version 1): the value a name was bound to, or
/// <c>NAME+SIZE</c>, read when the step starts; the runner replaces it with an
/// <see cref="ExpectValue"/> then.
/// </summary>
public sealed record ExpectBound(Expr Value) : Expectation;
public sealed record ExpectErrno(Errno Errno) : Expectation;
public sealed record ExpectSignal(Signal Signal) : Expectation;

/// <summary>
/// <c>=&gt; dead</c>: the process ended (another thread's exit, a fatal signal) before the call
/// could finish; for a call racing its own process's end.
/// </summary>
public sealed record ExpectDead : Expectation;

/// <summary>
/// <c>=&gt; A | B</c>: any one of the alternatives, for a step whose outcome depends on how it
/// interleaves with a parallel branch (the checkers still judge every access).
/// </summary>
public sealed record ExpectAny(IReadOnlyList<Expectation> Alternatives) : Expectation
{
    public bool Equals(ExpectAny? other) =>
        other is not null && Alternatives.SequenceEqual(other.Alternatives);

    public override int GetHashCode() => Alternatives.Count;
}

/// <summary>An address or id: a number, or a bound name plus or minus an offset in bytes.</summary>
public abstract record Expr;
public sealed record LiteralExpr(ulong Value) : Expr;
public sealed record NameExpr(string Name, long OffsetBytes) : Expr;

public abstract record Command;

// Process commands ------------------------------------------------------------------------

/// <summary>
/// <c>mmap ADDR SIZE</c>, or <c>NAME = mmap SIZE</c> (Address null: the emulator chooses).
/// </summary>
public sealed record MmapCommand(Expr? Address, ulong SizeBytes) : Command;
public sealed record MunmapCommand(Expr Address, ulong SizeBytes) : Command;
/// <summary>
/// <c>make ADDR SIZE [mode=0600] [permit-type=1]</c>; <c>max</c> size is ulong.MaxValue.
/// </summary>
public sealed record MakeCommand(Expr Address, ulong SizeBytes, ulong Mode, int PermitType)
    : Command;
public sealed record RemoveCommand(Expr Segment) : Command;
/// <summary><c>get SEG FLAGS [permit-type=1]</c>; rdonly = 1, rdwr = 2, or a raw number.</summary>
public sealed record GetCommand(Expr Segment, ulong Flags, int PermitType) : Command;
public sealed record ReleaseCommand(Expr Permit) : Command;
public sealed record AttachCommand(Expr Permit, Expr Offset, ulong SizeBytes, Expr? At) : Command;
public sealed record DetachCommand(Expr Address) : Command;
public sealed record VersionCommand : Command;
public sealed record OpenCommand : Command;
public sealed record CloseCommand : Command;
public sealed record FillCommand(Expr Address, ulong SizeBytes, Pattern Pattern) : Command;
public sealed record CheckCommand(Expr Address, ulong SizeBytes, Pattern Pattern) : Command;
/// <summary><c>read8|16|32|64 ADDR</c>.</summary>
public sealed record ReadCommand(int WidthBytes, Expr Address) : Command;
/// <summary><c>write8|16|32|64 ADDR V</c>.</summary>
public sealed record WriteCommand(int WidthBytes, Expr Address, Expr Value) : Command;
public sealed record Add32Command(Expr Address, ulong SizeBytes, uint K) : Command;
public sealed record Sum32Command(Expr Address, ulong SizeBytes) : Command;
public sealed record CopyCommand(Expr Destination, Expr Source, ulong SizeBytes) : Command;

/// <summary>
/// <c>fetch-add32 ADDR K</c> (an addition to version 1, as are cas32 and swap32): an atomic on an
/// aligned 32-bit word; the result is the word before. Operands are a literal that fits 32 bits
/// or a bound name (its low 32 bits).
/// </summary>
public sealed record FetchAdd32Command(Expr Address, Expr K) : Command;

/// <summary><c>cas32 ADDR EXPECTED NEW</c>.</summary>
public sealed record Cas32Command(Expr Address, Expr Expected, Expr New) : Command;

/// <summary><c>swap32 ADDR NEW</c>.</summary>
public sealed record Swap32Command(Expr Address, Expr New) : Command;
public sealed record ForkCommand : Command;
public sealed record ExitCommand(int Code) : Command;
public sealed record KillCommand(Signal Signal) : Command;

// Machine and fault commands (no process prefix) -------------------------------------------

public sealed record CrashCommand(int Partition) : Command;
public sealed record RestartCommand(int Partition) : Command;
/// <summary>
/// <c>start PROCESS</c> (an addition to language v1): a declared process that ended (exit, kill,
/// a signal, or its partition's crash) starts again, as a new process: a new pid on its declared
/// partition, fresh memory, no device open, nothing of the old one.
/// </summary>
public sealed record StartCommand(string Process) : Command;
public sealed record CutCommand(int P, int Q) : Command;
public sealed record HealCommand(int P, int Q) : Command;
/// <summary>
/// A directed link P->Q a message fault applies to; null on a command means every link.
/// </summary>
public sealed record Link(int From, int To);
/// <summary><c>drop RATE [P->Q]</c>; rate in percent, 0 ends the fault.</summary>
public sealed record DropCommand(double RatePercent, Link? Link) : Command;
public sealed record DelayCommand(TimeSpan Min, TimeSpan Max, Link? Link) : Command;
public sealed record DuplicateCommand(double RatePercent, Link? Link) : Command;
public sealed record WaitCommand(TimeSpan Duration) : Command;
public sealed record ExpectPinsBalancedCommand : Command;
public sealed record ExpectQuietCommand : Command;
