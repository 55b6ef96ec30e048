using Emulator.Host;
using Emulator.Host.Scenarios;
using Emulator.Host.Sim;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Processes;
using Emulator.Tests.Model;

namespace Emulator.Tests.Xpc;

/// <summary>
/// The actor emulator behind <see cref="IXpmemSystem"/>, as <see cref="EmulatorSystem"/>, with
/// link faults set on every link once its processes run: one call at a time, each to its end
/// (the machine settles: every message it set going has crossed, however often it was lost).
/// </summary>
public sealed class LossyEmulatorSystem(int seed, IReadOnlyList<Command> faults) : IXpmemSystem
{
    private SimMachine? _machine;

    public IReadOnlyList<int> Start(int partitions, bool rawLibrary,
        IReadOnlyList<ProcessSpec> processes)
    {
        _machine = new SimMachine(partitions, seed, Settings.Defaults);
        var library = rawLibrary ? LibraryMode.Raw : LibraryMode.Libxpmem;
        var pids = processes
            .Select(p => _machine.Spawn(p.Partition, new Credentials(p.Uid, p.Gid), library)
                ?? throw new InvalidOperationException(
                    $"process on partition {p.Partition} did not start (seed {seed})"))
            .Select(id => id.Pid)
            .ToList();
        foreach (var fault in faults) _machine.Inject(fault);
        return pids;
    }

    public Outcome Apply(int partition, int pid, Call call)
    {
        var outcome = Machine.Call(new TgId(new PartitionId(partition), pid), call);
        if (Machine.Monitor.Failures.Count > 0)
        {
            throw new InvalidOperationException(
                $"an actor failed (seed {seed}): {string.Join("; ", Machine.Monitor.Failures)}");
        }
        return outcome ?? throw new InvalidOperationException(
            $"{call} on {partition}/{pid} never completed (seed {seed})");
    }

    public PinCounts Pins =>
        new(Machine.Monitor.Pins.Totals.Pinned, Machine.Monitor.Pins.Totals.Unpinned);

    /// <summary>Virtual time so far.</summary>
    public TimeSpan Now => Machine.Loop.Now;

    private SimMachine Machine => _machine ?? throw new InvalidOperationException("not started");

    public void Dispose() => _machine?.Dispose();
}
