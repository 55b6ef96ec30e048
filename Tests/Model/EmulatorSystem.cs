using Emulator.Host;
using Emulator.Host.Sim;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Processes;

namespace Emulator.Tests.Model;

/// <summary>The actor emulator behind <see cref="IXpmemSystem"/>: a sim machine, one call at a time.</summary>
public sealed class EmulatorSystem(int seed) : IXpmemSystem
{
    private SimMachine? _machine;

    public IReadOnlyList<int> Start(int partitions, bool rawLibrary, IReadOnlyList<ProcessSpec> processes)
    {
        _machine = new SimMachine(partitions, seed, Settings.Defaults);
        var library = rawLibrary ? LibraryMode.Raw : LibraryMode.Libxpmem;
        return processes
            .Select(p => _machine.Spawn(p.Partition, new Credentials(p.Uid, p.Gid), library)
                ?? throw new InvalidOperationException($"process on partition {p.Partition} did not start (seed {seed})"))
            .Select(id => id.Pid)
            .ToList();
    }

    public Outcome Apply(int partition, int pid, Call call)
    {
        var outcome = Machine.Call(new TgId(new PartitionId(partition), pid), call);
        if (Machine.Monitor.Failures.Count > 0)
        {
            throw new InvalidOperationException($"an actor failed (seed {seed}): {string.Join("; ", Machine.Monitor.Failures)}");
        }
        return outcome ?? throw new InvalidOperationException($"{call} on {partition}/{pid} never completed (seed {seed})");
    }

    public PinCounts Pins => new(Machine.Monitor.Pins.Totals.Pinned, Machine.Monitor.Pins.Totals.Unpinned);

    private SimMachine Machine => _machine ?? throw new InvalidOperationException("not started");

    public void Dispose() => _machine?.Dispose();
}
