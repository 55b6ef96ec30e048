using System.Text;
using Emulator.Protocol.Processes;

namespace Emulator.Tests.Model;

/// <summary>
/// Who makes a call in a <see cref="ModelRun"/>: a declared process (its index in
/// <see cref="ModelRun.Processes"/>) or the child made by the fork at step <see cref="Number"/>.
/// Pids are not used because each system under test allocates its own.
/// </summary>
public readonly record struct ModelActor
{
    private ModelActor(bool isChild, int number) => (IsChild, Number) = (isChild, number);

    public bool IsChild { get; }

    /// <summary>
    /// Declared: the index into the run's processes. Child: the index of the fork step.
    /// </summary>
    public int Number { get; }

    public static ModelActor Declared(int index) => new(false, index);

    public static ModelActor ChildOf(int forkStep) => new(true, forkStep);

    public override string ToString() => IsChild ? $"child of step {Number}" : $"process {Number}";
}

/// <summary>One call of a run and who makes it.</summary>
public sealed record ModelStep(ModelActor Actor, Call Call)
{
    public override string ToString() => $"{Actor}: {Call}";
}

/// <summary>A whole machine run: its shape and the calls, in order, one at a time.</summary>
public sealed record ModelRun(
    int Partitions, bool Raw, IReadOnlyList<ProcessSpec> Processes, IReadOnlyList<ModelStep> Steps)
{
    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine($"{Partitions} partition(s), library {(Raw ? "raw" : "libxpmem")}");
        for (var i = 0; i < Processes.Count; i++)
        {
            text.AppendLine($"  process {i}: {Processes[i]}");
        }
        for (var i = 0; i < Steps.Count; i++)
        {
            text.AppendLine($"  {i,3} {Steps[i]}");
        }
        return text.ToString();
    }
}
