using System.Buffers.Binary;
using Emulator.Protocol;
using Emulator.Protocol.Processes;

namespace Emulator.Partitions.Memory;

/// <summary>
/// One piece of a memory operation: a load or a store of bytes inside one grain unit (so inside
/// one page); each is a scheduling point of its own.
/// </summary>
public readonly record struct Chunk(ulong Address, int LengthBytes, bool Write);

/// <summary>
/// A load, store, fetchop or range operation (read, write, fetch-add32, cas32, swap32, fill,
/// check, add32, sum32, copy) as a sequence of chunks, each inside one unit of the access grain
/// (<see cref="AccessGrain"/>; a single load or store splits only at a page), walked by whoever
/// holds the memory, one chunk per scheduling point: it asks for the
/// chunk at hand (<see cref="TryCurrent"/>), hands over a read chunk's bytes (<see cref="Loaded"/>)
/// or has a write chunk's bytes made (<see cref="Fill"/>, as often as needed) and says they are
/// stored (<see cref="Stored"/>); then the walk moves on. A chunk that must wait (a fault, a
/// remote page) is asked for again when the wait is over. Memory used is one grain unit of buffer
/// at most, whatever the range: never the range itself.
/// </summary>
public abstract class RangeWalk(AccessGrain grain)
{
    /// <summary>The unit a chunk stays inside.</summary>
    protected AccessGrain Grain => grain;

    /// <summary>The chunk to move now; false when the operation is over.</summary>
    public abstract bool TryCurrent(out Chunk chunk);

    /// <summary>A read chunk's bytes (exactly its length); the walk moves on.</summary>
    public virtual void Loaded(ReadOnlySpan<byte> bytes) =>
        throw new InvalidOperationException($"{GetType().Name} has no read chunk");

    /// <summary>
    /// Makes the current write chunk's bytes (exactly its length); the same bytes each time until
    /// <see cref="Stored"/>.
    /// </summary>
    public virtual void Fill(Span<byte> bytes) =>
        throw new InvalidOperationException($"{GetType().Name} has no write chunk");

    /// <summary>
    /// A read chunk's bytes as a remote load's reply brought them, given to the walk: it may keep
    /// the array (<see cref="UnitWalk"/> changes it and sends it back as the store). The sender
    /// keeps no hold on it.
    /// </summary>
    public virtual void Received(byte[] bytes) => Loaded(bytes);

    /// <summary>
    /// The current write chunk's bytes (exactly <paramref name="lengthBytes"/>) in an array a
    /// remote store can carry: the walk never changes it afterwards, so a store that is refused
    /// and sent again, or a packet XPC still holds for a retransmission, carries the same bytes.
    /// </summary>
    public virtual byte[] StoreBytes(int lengthBytes)
    {
        // Fill sets every byte: no need for the runtime to zero them first.
        var bytes = GC.AllocateUninitializedArray<byte>(lengthBytes);
        Fill(bytes);
        return bytes;
    }

    /// <summary>The current write chunk is stored; the walk moves on.</summary>
    public virtual void Stored() =>
        throw new InvalidOperationException($"{GetType().Name} has no write chunk");

    /// <summary>
    /// The next <paramref name="count"/> bytes to load are zero (untouched memory): a walk that can
    /// take them in one step returns how many it took (from the current chunk on); 0 means load
    /// them chunk by chunk.
    /// </summary>
    public virtual ulong SkipZeros(ulong count) => 0;

    /// <summary>
    /// A fetchop walk's operation: its one chunk is a write that loads, changes and stores the
    /// word in one step (<see cref="Page.Fetchop"/>), then <see cref="Fetched"/>. Null for the
    /// other walks.
    /// </summary>
    public virtual Atomic32Call? Fetchop => null;

    /// <summary>The fetchop ran; <paramref name="old"/> is the word before it.</summary>
    public virtual void Fetched(uint old) =>
        throw new InvalidOperationException($"{GetType().Name} is not a fetchop");

    /// <summary>How the operation ended, once <see cref="TryCurrent"/> said it is over.</summary>
    public virtual Outcome Outcome => Outcome.Ok();

    /// <summary>
    /// The walk for one call, range operations in units of <paramref name="grain"/>; null if the
    /// call is not a memory operation.
    /// </summary>
    public static RangeWalk? For(Call call, AccessGrain grain) => call switch
    {
        ReadCall read => new LoadWalk(read.Address, read.WidthBytes),
        WriteCall write => new StoreWalk(write.Address, write.Value, write.WidthBytes),
        Atomic32Call atomic => new FetchopWalk(atomic),
        FillCall fill => new FillWalk(fill.Address, fill.SizeBytes, fill.Pattern, grain),
        CheckCall check => new CheckWalk(check.Address, check.SizeBytes, check.Pattern, grain),
        Sum32Call sum => new Sum32Walk(sum.Address, sum.SizeBytes, grain),
        Add32Call add => new Add32Walk(add.Address, add.SizeBytes, add.K, grain),
        CopyCall copy => new CopyWalk(copy.Destination, copy.Source, copy.SizeBytes, grain),
        _ => null,
    };

    /// <summary>Bytes from <paramref name="address"/> to the end of its unit.</summary>
    protected ulong ToUnitEnd(ulong address) => AccessGrains.ToUnitEnd(address, grain);

    /// <summary>
    /// A buffer for one chunk of a walk over <paramref name="sizeBytes"/>: no chunk is longer than
    /// the range or a unit (a page-sized one was 4 KiB a call at any grain, held as long as the
    /// call waits on its faults).
    /// </summary>
    protected static byte[] ChunkBuffer(ulong sizeBytes, AccessGrain grain) =>
        new byte[Math.Min(sizeBytes, (ulong)grain.Bytes())];

    /// <summary>The chunk at <paramref name="address"/>: at most to the end of the unit.</summary>
    protected Chunk ChunkAt(ulong address, ulong left, bool write) =>
        new(address, (int)Math.Min(left, ToUnitEnd(address)), write);
}

/// <summary>
/// A range walked from its first byte to its last, one chunk per unit (fill, check, sum32).
/// </summary>
public abstract class ForwardWalk(ulong address, ulong sizeBytes, bool write, AccessGrain grain)
    : RangeWalk(grain)
{
    protected ulong Address => address;

    protected ulong Done { get; private set; }

    public override bool TryCurrent(out Chunk chunk)
    {
        chunk = Over ? default : ChunkAt(address + Done, sizeBytes - Done, write);
        return !Over;
    }

    protected virtual bool Over => Done >= sizeBytes;

    protected void Advance(int lengthBytes) => Done += (ulong)lengthBytes;

    /// <summary>How many of <paramref name="count"/> bytes are still to walk.</summary>
    protected ulong Left(ulong count) => Math.Min(count, Over ? 0 : sizeBytes - Done);

    protected void Advance(ulong lengthBytes) => Done += lengthBytes;

    public override void Stored()
    {
        if (TryCurrent(out var chunk)) Advance(chunk.LengthBytes);
    }
}

/// <summary>readN: one load of 1 to 8 bytes (two chunks if it straddles a page).</summary>
public sealed class LoadWalk(ulong address, int widthBytes)
    : ForwardWalk(address, (ulong)widthBytes, write: false, AccessGrain.Page)
{
    // The bytes so far, little endian, in a field: a buffer was 32 bytes more per load.
    private ulong _value;

    public override void Loaded(ReadOnlySpan<byte> bytes)
    {
        Span<byte> wide = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(wide, _value);
        bytes.CopyTo(wide[(int)Done..]);
        _value = BinaryPrimitives.ReadUInt64LittleEndian(wide);
        Advance(bytes.Length);
    }

    public override Outcome Outcome => Outcome.Ok(_value);
}

/// <summary>writeN: one store of 1 to 8 bytes (two chunks if it straddles a page).</summary>
public sealed class StoreWalk(ulong address, ulong value, int widthBytes)
    : ForwardWalk(address, (ulong)widthBytes, write: true, AccessGrain.Page)
{
    public override void Fill(Span<byte> bytes)
    {
        Span<byte> wide = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(wide, value);
        wide.Slice((int)Done, bytes.Length).CopyTo(bytes);
    }
}

/// <summary>fill: the pattern over the range, a unit at a time.</summary>
public sealed class FillWalk(ulong address, ulong sizeBytes, Pattern pattern, AccessGrain grain)
    : ForwardWalk(address, sizeBytes, write: true, grain)
{
    private readonly PatternCursor _pattern = new(pattern);
    private readonly byte[] _chunk = ChunkBuffer(sizeBytes, grain);
    private ulong _chunkAt = ulong.MaxValue;

    public override void Fill(Span<byte> bytes)
    {
        if (_chunkAt != Done)
        {
            _pattern.Next(_chunk.AsSpan(0, bytes.Length));
            _chunkAt = Done;
        }
        _chunk.AsSpan(0, bytes.Length).CopyTo(bytes);
    }
}

/// <summary>
/// check: every byte must equal the pattern; the first differing byte ends it (later pages are not
/// touched).
/// </summary>
public sealed class CheckWalk(ulong address, ulong sizeBytes, Pattern pattern, AccessGrain grain)
    : ForwardWalk(address, sizeBytes, write: false, grain)
{
    private readonly PatternCursor _pattern = new(pattern);
    private readonly byte[] _expected = ChunkBuffer(sizeBytes, grain);
    private string? _mismatch;

    protected override bool Over => _mismatch is not null || base.Over;

    public override void Loaded(ReadOnlySpan<byte> bytes)
    {
        var expected = _expected.AsSpan(0, bytes.Length);
        _pattern.Next(expected);
        var index = bytes.CommonPrefixLength(expected);
        if (index < bytes.Length)
        {
            _mismatch = $"0x{Address + Done + (ulong)index:x}: expected 0x{expected[index]:x2}, "
                + $"found 0x{bytes[index]:x2}";
        }
        Advance(bytes.Length);
    }

    public override ulong SkipZeros(ulong count)
    {
        if (!_pattern.ZeroFromHere) return 0;
        var skipped = Left(count);
        _pattern.Skip(skipped);
        Advance(skipped);
        return skipped;
    }

    public override Outcome Outcome =>
        _mismatch is null ? Outcome.Ok() : Outcome.Mismatch(_mismatch);
}

/// <summary>sum32: the 64-bit sum of the range's whole 32-bit words.</summary>
public sealed class Sum32Walk(ulong address, ulong sizeBytes, AccessGrain grain)
    : ForwardWalk(address, sizeBytes & ~3UL, write: false, grain)
{
    private ulong _sum;
    private uint _partial;
    private int _partialBytes;

    public override void Loaded(ReadOnlySpan<byte> bytes)
    {
        Advance(bytes.Length);
        // Chunks start word-aligned except after a word that straddles a unit.
        while (_partialBytes > 0 && bytes.Length > 0) AddByte(ref bytes);
        var whole = bytes.Length & ~3;
        _sum += Words.Sum32(bytes[..whole]);
        bytes = bytes[whole..];
        while (bytes.Length > 0) AddByte(ref bytes);
    }

    /// <summary>Zeros add nothing: whole words are skipped, a word begun is finished.</summary>
    public override ulong SkipZeros(ulong count)
    {
        var skipped = Left(count);
        if (skipped < 8) return 0;
        Span<byte> zeros = stackalloc byte[4];
        var head = (ulong)((4 - _partialBytes) & 3);
        Loaded(zeros[..(int)head]);
        var words = (skipped - head) & ~3UL;
        Advance(words);
        return head + words;
    }

    private void AddByte(ref ReadOnlySpan<byte> bytes)
    {
        _partial |= (uint)bytes[0] << (8 * _partialBytes);
        bytes = bytes[1..];
        if (++_partialBytes < 4) return;
        _sum += _partial;
        _partial = 0;
        _partialBytes = 0;
    }

    public override Outcome Outcome => Outcome.Ok(_sum);
}

/// <summary>
/// A load then a store of each unit (a stretch of bytes inside a grain unit, or a 32-bit word
/// that straddles two units and is loaded whole before any of it is stored): add32 and copy. The
/// load and the store are separate chunks, so others may run between them, as between a CPU's
/// load and its store: racing read-modify-writes lose updates unit by unit.
/// </summary>
public abstract class UnitWalk(AccessGrain grain) : RangeWalk(grain)
{
    /// <summary>
    /// The unit loaded chunk by chunk (local memory, or a remote unit that came in pieces); made
    /// at the first such load, so a walk whose every unit comes whole from a remote load never
    /// has one (a page-sized buffer made with every walk was 38 MB of the Altix run's 9,216
    /// add32 walks, all of it copied into the collector's older generations for nothing).
    /// </summary>
    private byte[]? _buffer;

    /// <summary>
    /// The unit as one remote load's reply brought it whole: changed in place and sent back as
    /// the store's bytes, so a remote read-modify-write copies nothing (at page grain it was two
    /// 4 KiB arrays and two copies a page: 600 MB of the Altix run's 3.2 GB allocated). Null
    /// while the unit sits in <see cref="_buffer"/>; never changed once a store may carry it.
    /// </summary>
    private byte[]? _received;
    private ulong _loadAt;
    private ulong _storeAt;
    private int _length;
    private int _loaded;
    private int _stored;
    private bool _open;

    public override bool TryCurrent(out Chunk chunk)
    {
        chunk = default;
        if (!_open && !NextUnit(out _loadAt, out _storeAt, out _length)) return false;
        _open = true;
        chunk = _loaded < _length
            ? ChunkAt(_loadAt + (ulong)_loaded, (ulong)(_length - _loaded), write: false)
            : ChunkAt(_storeAt + (ulong)_stored, (ulong)(_length - _stored), write: true);
        return true;
    }

    public override void Loaded(ReadOnlySpan<byte> bytes)
    {
        // No unit is longer than the grain's (a word straddling two units is 4 bytes).
        _buffer ??= new byte[Grain.Bytes()];
        bytes.CopyTo(_buffer.AsSpan(_loaded));
        _loaded += bytes.Length;
        if (_loaded == _length) Modify(_buffer.AsSpan(0, _length));
    }

    public override void Received(byte[] bytes)
    {
        if (_loaded != 0 || bytes.Length != _length)
        {
            Loaded(bytes);
            return;
        }
        _received = bytes;
        _loaded = _length;
        Modify(bytes);
    }

    public override void Fill(Span<byte> bytes) =>
        (_received ?? _buffer!).AsSpan(_stored, bytes.Length).CopyTo(bytes);

    public override byte[] StoreBytes(int lengthBytes) =>
        _received is { } whole && _stored == 0 && lengthBytes == _length
            ? whole
            : base.StoreBytes(lengthBytes);

    public override void Stored()
    {
        if (!TryCurrent(out var chunk) || !chunk.Write) return;
        _stored += chunk.LengthBytes;
        if (_stored < _length) return;
        _open = false;
        _loaded = _stored = 0;
        _received = null;
    }

    /// <summary>The next unit: where to load it from, where to store it, its length.</summary>
    protected abstract bool NextUnit(out ulong loadAt, out ulong storeAt, out int lengthBytes);

    /// <summary>Changes a loaded unit before it is stored.</summary>
    protected virtual void Modify(Span<byte> unit) { }
}

/// <summary>
/// add32: a load and a store of every whole 32-bit word, a unit's worth of words at a time; a word
/// that straddles two units (a range not 4-byte aligned) goes alone, so a fault in a second page
/// leaves it unstored.
/// </summary>
public sealed class Add32Walk(ulong address, ulong sizeBytes, uint k, AccessGrain grain)
    : UnitWalk(grain)
{
    private readonly ulong _wordsBytes = sizeBytes & ~3UL;
    private ulong _done;

    protected override bool NextUnit(out ulong loadAt, out ulong storeAt, out int lengthBytes)
    {
        loadAt = storeAt = address + _done;
        lengthBytes = 0;
        if (_done >= _wordsBytes) return false;
        var inUnit = ToUnitEnd(loadAt);
        lengthBytes = inUnit < 4 ? 4 : (int)Math.Min(_wordsBytes - _done, inUnit & ~3UL);
        _done += (ulong)lengthBytes;
        return true;
    }

    protected override void Modify(Span<byte> unit) => Words.Add32(unit, k);
}

/// <summary>
/// copy (memmove): each unit is loaded from the source, then stored to the destination; units go
/// from the end when the destination overlaps the source from above, so no byte is read after it
/// was overwritten.
/// </summary>
public sealed class CopyWalk(ulong destination, ulong source, ulong sizeBytes, AccessGrain grain)
    : UnitWalk(grain)
{
    private readonly bool _backward =
        destination > source && destination - source < sizeBytes;
    private ulong _done;

    protected override bool NextUnit(out ulong loadAt, out ulong storeAt, out int lengthBytes)
    {
        loadAt = storeAt = 0;
        lengthBytes = 0;
        if (_done >= sizeBytes) return false;
        var left = sizeBytes - _done;
        ulong offset;
        if (_backward)
        {
            // The unit ends where the copied part begins, and starts no lower than either
            // address's unit start.
            var end = left;
            var length = Math.Min(end, Math.Min(AccessGrains.FromUnitStart(source + end, Grain),
                AccessGrains.FromUnitStart(destination + end, Grain)));
            offset = end - length;
            lengthBytes = (int)length;
        }
        else
        {
            offset = _done;
            lengthBytes = (int)Math.Min(left, Math.Min(ToUnitEnd(source + offset),
                ToUnitEnd(destination + offset)));
        }
        loadAt = source + offset;
        storeAt = destination + offset;
        _done += (ulong)lengthBytes;
        return true;
    }
}

/// <summary>
/// fetch-add32, cas32, swap32: one chunk, the aligned word, loaded, changed and stored in one
/// step wherever its page is (<see cref="Page.Fetchop"/> here, or at the owner's segment for a
/// remote PTE); the outcome is the word before.
/// </summary>
public sealed class FetchopWalk(Atomic32Call call) : RangeWalk(AccessGrain.Word)
{
    private uint _old;
    private bool _done;

    public override Atomic32Call Fetchop => call;

    public override bool TryCurrent(out Chunk chunk)
    {
        chunk = new Chunk(call.Address, Fetchops.WordBytes, Write: true);
        return !_done;
    }

    public override void Fetched(uint old)
    {
        _old = old;
        _done = true;
    }

    public override Outcome Outcome => Outcome.Ok(_old);
}
