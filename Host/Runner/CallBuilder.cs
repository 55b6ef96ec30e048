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
        ulong Eval(Expr expr) => expr switch
        {
            LiteralExpr literal => literal.Value,
            NameExpr name => unchecked(resolve(name.Name) + (ulong)name.OffsetBytes),
            _ => throw new ArgumentOutOfRangeException(nameof(expr)),
        };
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
            ForkCommand => new ForkCall(),
            ExitCommand c => new ExitCall(c.Code),
            KillCommand c => new KillCall(c.Signal),
            _ => throw new ArgumentOutOfRangeException(nameof(command),
                $"{command.GetType().Name} is not a process command"),
        };
    }
}

/// <summary>
/// A step used a name that no step before it bound (for example one bound by a step that failed).
/// </summary>
public sealed class UnboundNameException(string name) : Exception($"name '{name}' has no value")
{
    public string Name { get; } = name;
}
