using BenchmarkDotNet.Attributes;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Memory;
using Emulator.Partitions.Processes;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Processes;

namespace Emulator.Benchmarks;

/// <summary>
/// One process's page table and memory (<see cref="AddressSpace"/>, <see cref="MemoryAccess"/>):
/// the lookups every access makes, the first touch of a page (a frame, zero-filled, entered in
/// the table) and a whole load or store of a word as a thread group runs one, from its call to
/// its outcome. The address space holds <see cref="Mappings"/> mappings of
/// <see cref="PagesPerMapping"/> pages, the first page of each touched, as a process of the
/// Altix scenario does after its faults.
/// </summary>
[MemoryDiagnoser]
public class MemoryBenchmarks
{
    public const int Mappings = 64;
    public const int PagesPerMapping = 16;

    /// <summary>Pages one first-touch invocation touches (then drops, for the next one).</summary>
    public const int PagesPerTouchRun = 256;

    private readonly AddressSpace _memory = new(new FrameCounter());
    private readonly AddressSpace _fresh = new(new FrameCounter());
    private MemoryAccess _access = null!;
    private ulong _address;
    private ReadCall _load = null!;
    private WriteCall _store = null!;

    [GlobalSetup]
    public void Setup()
    {
        const ulong mappingBytes = PagesPerMapping * Xpmem.PageSize;
        for (var i = 0; i < Mappings; i++)
        {
            var at = _memory.ChooseAddress(mappingBytes)
                ?? throw new InvalidOperationException("no room for a mapping");
            _memory.Insert(new AnonymousVma(at, at + mappingBytes));
            _memory.PageForWrite(at);
        }
        // The middle mapping's touched page: a binary search of average depth.
        _address = _memory.Vmas[Mappings / 2].Start + 64;
        _access = new MemoryAccess(_memory, new TgId(new PartitionId(0), 100), Ignore);
        _load = new ReadCall(_address, 4);
        _store = new WriteCall(_address, 4, 0xC0FFEE);
    }

    /// <summary>The VMA holding an address (every chunk of every access starts here).</summary>
    [Benchmark]
    public Vma? Find() => _memory.Find(_address);

    /// <summary>The touched page at an address (every load of anonymous memory).</summary>
    [Benchmark]
    public Page? PageAt() => _memory.PageAt(_address);

    /// <summary>
    /// A store's first touch of a page: a frame, 4 KiB of zeros, its entries in the page table
    /// (per page; each invocation maps a fresh range, touches every page and unmaps them all).
    /// </summary>
    [Benchmark(OperationsPerInvoke = PagesPerTouchRun)]
    public int FirstTouch()
    {
        const ulong start = AddressSpace.MmapBase;
        _fresh.Insert(new AnonymousVma(start, start + PagesPerTouchRun * Xpmem.PageSize));
        for (var i = 0UL; i < PagesPerTouchRun; i++)
        {
            if (!_fresh.TryPageForWrite(start + i * Xpmem.PageSize, out _))
                throw new InvalidOperationException("no frame left");
        }
        var touched = _fresh.PageCount;
        _fresh.Clear();
        return touched;
    }

    /// <summary>read4 of a touched word: its walk, through the page table, to its value.</summary>
    [Benchmark]
    public Outcome LoadWord() => Walk(_load);

    /// <summary>write4 of a touched word: its walk, through the page table, to its end.</summary>
    [Benchmark]
    public Outcome StoreWord() => Walk(_store);

    /// <summary>What the thread group does with a memory call: its walk, run to the end.</summary>
    private Outcome Walk(Call call)
    {
        var walk = RangeWalk.For(call, AccessGrain.Line)
            ?? throw new InvalidOperationException($"{call} is not a memory call");
        AccessStop stop;
        do stop = _access.Run(walk);
        while (stop.Kind == AccessStopKind.UnitMoved);
        if (stop.Kind != AccessStopKind.Done)
            throw new InvalidOperationException($"{call} stopped: {stop.Kind}");
        return walk.Outcome;
    }

    /// <summary>Anonymous memory reports nothing to the checkers.</summary>
    private static void Ignore(MachineEvent e)
    {
    }
}
