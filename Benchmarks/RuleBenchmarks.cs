using BenchmarkDotNet.Attributes;
using Emulator.Partitions.Memory;
using Emulator.Partitions.Rules;
using Emulator.Protocol;

namespace Emulator.Benchmarks;

/// <summary>
/// The argument checks every make, get and attach runs (<see cref="CallRules"/>), and the chunk
/// arithmetic a fault's walk runs per unit (<see cref="AccessGrains"/>). Each takes the inputs of
/// a call that passes, as nearly every call does: the whole chain of checks runs. Inputs are
/// fields, so the JIT cannot fold a call into a constant.
/// </summary>
[MemoryDiagnoser]
public class RuleBenchmarks
{
    private ulong _address = AddressSpace.MmapBase;
    private ulong _sizeBytes = 16 * Xpmem.PageSize;
    private ulong _mode = 0x1B6; // 0666: what the examples make with
    private long _segid = 0x0001_0001_0000_0064;
    private long _apid = 0x0002_0001_0000_00C8;
    private ulong _flags = Xpmem.RdWr;
    private int _permitType = Xpmem.PermitMode;
    private Credentials _owner = new(1000, 100);
    private Credentials _caller = new(1001, 100);
    private ulong? _at = AddressSpace.MmapBase + 64 * Xpmem.PageSize;

    [Benchmark]
    public (Errno Errno, ulong SizeBytes) Make() =>
        CallRules.Make(_address, _sizeBytes, _permitType, _mode, hasTg: true);

    [Benchmark]
    public Errno Get() => CallRules.Get(_segid, _flags, _permitType);

    [Benchmark]
    public bool PermitAllows() => CallRules.PermitAllows(_owner, _caller, _mode, (int)_flags);

    [Benchmark]
    public (Errno Errno, ulong SizeBytes) AttachArguments() =>
        CallRules.AttachArguments(_apid, 0, _sizeBytes, _at);

    [Benchmark]
    public Errno AttachAccess() => CallRules.AttachAccess((int)_flags, 0, _sizeBytes, _sizeBytes);

    [Benchmark]
    public Errno AttachPlacement() =>
        CallRules.AttachPlacement(_at, _sizeBytes, selfAttach: true, _address,
            rangeHoldsAttachment: false);

    /// <summary>Where a fault's chunk ends: once per unit a walk moves (a 128-byte line).</summary>
    [Benchmark]
    public ulong ToUnitEnd() => AccessGrains.ToUnitEnd(_address + 200, AccessGrain.Line);
}
