namespace Emulator.Protocol.Ids;

/// <summary>
/// A thread group: the process id (tgid) together with the partition it runs on. Pids are
/// allocated per partition, as each partition is its own kernel, so only the pair is unique.
/// </summary>
public readonly record struct TgId(PartitionId Partition, int Pid)
{
    public override string ToString() => $"{Partition}/{Pid}";
}
