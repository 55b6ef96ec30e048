using Emulator.Host.Scenarios;
using Emulator.Protocol.Processes;

namespace Emulator.Host.Runner;

/// <summary>
/// Turns a process command into the call it makes, with every name replaced by its value.
/// </summary>
public static class CallBuilder
{
    /// <summary>
    /// Resolves a name to its bound value; throws <see cref="UnboundNameException"/> when it has
    /// none.
    /// </summary>
    public delegate ulong Resolve(string name);

    public static Call Build(Command command, Resolve resolve)
    {
        ulong Eval(Expr expr) => Evaluate(expr, resolve);
        ulong? EvalOptional(Expr? expr) => expr is null ? null : Eval(expr);

        return command switch
        {
            MmapCommand c => new MmapCall(EvalOptional(c.Address), c.SizeBytes),
            MunmapCommand c => new MunmapCall(Eval(c.Address), c.SizeBytes),
            MakeCommand c => new MakeCall(Eval(c.Address), c.SizeBytes, c.PermitType, c.Mode),
            RemoveCommand c => new RemoveCall((long)Eval(c.Segment)),
            GetCommand c => new GetCall((long)Eval(c.Segment), c.Flags, c.PermitType),
            ReleaseCommand c => new ReleaseCall((long)Eval(c.Permit)),
            AttachCommand c => new AttachCall((long)Eval(c.Permit), Eval(c.Offset), c.SizeBytes,
                EvalOptional(c.At)),
            DetachCommand c => new DetachCall(Eval(c.Address)),
            VersionCommand => new VersionCall(),
            OpenCommand => new OpenCall(),
            CloseCommand => new CloseCall(),
            FillCommand c => new FillCall(Eval(c.Address), c.SizeBytes, c.Pattern),
            CheckCommand c => new CheckCall(Eval(c.Address), c.SizeBytes, c.Pattern),
            ReadCommand c => new ReadCall(Eval(c.Address), c.WidthBytes),
            WriteCommand c => new WriteCall(Eval(c.Address), c.WidthBytes, Eval(c.Value)),
            Add32Command c => new Add32Call(Eval(c.Address), c.SizeBytes, c.K),
            Sum32Command c => new Sum32Call(Eval(c.Address), c.SizeBytes),
            CopyCommand c => new CopyCall(Eval(c.Destination), Eval(c.Source), c.SizeBytes),
            // A name's value is narrowed to the word, as write32 narrows it.
            FetchAdd32Command c => new FetchAdd32Call(Eval(c.Address), (uint)Eval(c.K)),
            Cas32Command c => new Cas32Call(Eval(c.Address), (uint)Eval(c.Expected),
                (uint)Eval(c.New)),
            Swap32Command c => new Swap32Call(Eval(c.Address), (uint)Eval(c.New)),
            ForkCommand => new ForkCall(),
            ExitCommand c => new ExitCall(c.Code),
            KillCommand c => new KillCall(c.Signal),
            _ => throw new ArgumentOutOfRangeException(nameof(command),
                $"{command.GetType().Name} is not a process command"),
        };
    }

    /// <summary>
    /// An expectation with every name replaced by its value (<c>=&gt; old</c> becomes the
    /// number bound to <c>old</c>), read, like the call's names, when the step starts.
    /// </summary>
    public static Expectation Resolved(Expectation expect, Resolve resolve) => expect switch
    {
        ExpectBound bound => new ExpectValue(Evaluate(bound.Value, resolve)),
        ExpectAny any when any.Alternatives.Any(a => a is ExpectBound) =>
            new ExpectAny([.. any.Alternatives.Select(a => Resolved(a, resolve))]),
        _ => expect,
    };

    private static ulong Evaluate(Expr expr, Resolve resolve) => expr switch
    {
        LiteralExpr literal => literal.Value,
        NameExpr name => unchecked(resolve(name.Name) + (ulong)name.OffsetBytes),
        _ => throw new ArgumentOutOfRangeException(nameof(expr)),
    };
}

/// <summary>
/// A step used a name that no step before it bound (for example one bound by a step that failed).
/// </summary>
public sealed class UnboundNameException(string name) : Exception($"name '{name}' has no value")
{
    public string Name { get; } = name;
}
