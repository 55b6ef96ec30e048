using BenchmarkDotNet.Attributes;
using Emulator.Protocol.Ids;

namespace Emulator.Benchmarks;

/// <summary>
/// The segid / apid codec (<see cref="XpmemId"/>): make and get compose an id; every call that
/// names one (get, release, attach, remove) and the runner decode its owner to route it.
/// </summary>
[MemoryDiagnoser]
public class IdCodecBenchmarks
{
    private PartitionId _partition = new(17);
    private int _pid = 4_242;
    private int _uniq = 513;
    private long _id = XpmemId.Compose(new PartitionId(17), 4_242, 513);

    [Benchmark]
    public long Compose() => XpmemId.Compose(_partition, _pid, _uniq);

    /// <summary>The owner's partition and pid: what routing a call by its id reads.</summary>
    [Benchmark]
    public TgId OwnerOf() => XpmemId.OwnerOf(_id);

    [Benchmark]
    public int UniqOf() => XpmemId.UniqOf(_id);

    /// <summary>The owner through the typed id, as the actors reach it.</summary>
    [Benchmark]
    public TgId SegIdOwner() => new SegId(_id).Owner;
}
