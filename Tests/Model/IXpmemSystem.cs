using Emulator.Protocol.Processes;

namespace Emulator.Tests.Model;

/// <summary>A process the system starts with: which partition, which credentials.</summary>
public sealed record ProcessSpec(int Partition, int Uid, int Gid);

/// <summary>Pins taken and released so far, machine-wide.</summary>
public readonly record struct PinCounts(long Pinned, long Unpinned)
{
    public bool Balanced => Pinned == Unpinned;
}

/// <summary>
/// What the model-based test drives: the reference model and the actor emulator both implement
/// it, and every call's outcome must agree. Calls run one at a time, each to its end.
/// </summary>
public interface IXpmemSystem : IDisposable
{
    /// <summary>Starts the machine; returns each process's pid, in the order given.</summary>
    IReadOnlyList<int> Start(int partitions, bool rawLibrary, IReadOnlyList<ProcessSpec> processes);

    /// <summary>Process <paramref name="pid"/> on <paramref name="partition"/> makes one call.</summary>
    Outcome Apply(int partition, int pid, Call call);

    PinCounts Pins { get; }
}
