using System.Buffers.Binary;
using Emulator.Partitions.Memory;
using Xunit;

namespace Emulator.Tests.Memory;

/// <summary>
/// A memory of 4 KiB pages by page address, for driving a <see cref="RangeWalk"/> by hand: it
/// moves each chunk the walk asks for (a fetchop's as <see cref="Page.Fetchop"/> does), checks the
/// chunk stays inside one page (and, given a <see cref="Grain"/>, inside one unit of it), logs it,
/// and can refuse a store once (as a remote segment does) to see the walk make the same bytes
/// again. Set <see cref="Remote"/>, it moves them as a remote attacher does: a load's bytes come
/// in an array of their own that the walk is given, a store's go in the array the walk hands
/// over, and no array once handed over may change.
/// </summary>
internal sealed class FakeMemory
{
    public const int PageBytes = 4096;

    private readonly Dictionary<ulong, byte[]> _pages = [];
    private readonly HashSet<byte[]> _received = new(ReferenceEqualityComparer.Instance);
    private readonly List<(byte[] Array, byte[] AsSent)> _sent = [];

    /// <summary>Every chunk moved, in order (a refused store is logged once, when it is moved).</summary>
    public List<Chunk> Chunks { get; } = [];

    /// <summary>Pages the walk must not reach: a chunk there stops the run, unmoved.</summary>
    public HashSet<ulong> Holes { get; } = [];

    /// <summary>Refuse every store once before taking it (the remote Refused-then-retry path).</summary>
    public bool RefuseEachStoreOnce { get; init; }

    /// <summary>When set, every chunk must stay inside one unit of this grain.</summary>
    public AccessGrain? Grain { get; init; }

    /// <summary>Loads and stores as a remote attacher's (<see cref="RangeWalk.Received"/>,
    /// <see cref="RangeWalk.StoreBytes"/>).</summary>
    public bool Remote { get; init; }

    /// <summary>Remote stores that sent back the very array a remote load brought.</summary>
    public int StoresOfReceivedArrays { get; private set; }

    public byte[] Page(ulong pageAddress)
    {
        Assert.Equal(0UL, pageAddress % PageBytes);
        if (!_pages.TryGetValue(pageAddress, out var page)) _pages[pageAddress] = page = new byte[PageBytes];
        return page;
    }

    public void Write(ulong address, ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length > 0)
        {
            var take = Math.Min(bytes.Length, PageBytes - Offset(address));
            bytes[..take].CopyTo(Page(PageOf(address)).AsSpan(Offset(address)));
            bytes = bytes[take..];
            address += (ulong)take;
        }
    }

    public byte[] Read(ulong address, int length)
    {
        var bytes = new byte[length];
        var into = bytes.AsSpan();
        while (into.Length > 0)
        {
            var take = Math.Min(into.Length, PageBytes - Offset(address));
            Page(PageOf(address)).AsSpan(Offset(address), take).CopyTo(into);
            into = into[take..];
            address += (ulong)take;
        }
        return bytes;
    }

    /// <summary>Moves the walk's chunks until it is over (null) or reaches a hole (that chunk).</summary>
    public Chunk? Run(RangeWalk walk)
    {
        var steps = 0;
        while (walk.TryCurrent(out var chunk))
        {
            Assert.True(++steps < 10_000_000, "the walk does not end");
            Assert.True(chunk.LengthBytes > 0, $"empty chunk at 0x{chunk.Address:x}");
            var offset = Offset(chunk.Address);
            Assert.True(offset + chunk.LengthBytes <= PageBytes,
                $"chunk of {chunk.LengthBytes} bytes at 0x{chunk.Address:x} crosses a page");
            if (Grain is { } grain)
            {
                var inUnit = (int)(chunk.Address % (ulong)grain.Bytes());
                Assert.True(inUnit + chunk.LengthBytes <= grain.Bytes(),
                    $"chunk of {chunk.LengthBytes} bytes at 0x{chunk.Address:x} crosses a {grain}");
            }
            if (Holes.Contains(PageOf(chunk.Address)))
            {
                AssertSentUnchanged();
                return chunk;
            }
            var bytes = Page(PageOf(chunk.Address)).AsSpan(offset, chunk.LengthBytes);
            if (walk.Fetchop is { } fetchop)
            {
                Chunks.Add(chunk);
                var old = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
                BinaryPrimitives.WriteUInt32LittleEndian(bytes, Fetchops.Apply(fetchop, old));
                walk.Fetched(old);
                continue;
            }
            if (!chunk.Write)
            {
                Chunks.Add(chunk);
                if (Remote)
                {
                    var own = bytes.ToArray();
                    _received.Add(own);
                    walk.Received(own);
                }
                else
                {
                    walk.Loaded(bytes);
                }
                continue;
            }
            if (RefuseEachStoreOnce)
            {
                var refused = Store(walk, chunk);
                Assert.True(walk.TryCurrent(out var again) && again == chunk,
                    $"after a refused store the walk asks for {again}, not {chunk}");
                Assert.Equal(refused, Store(walk, chunk));
            }
            Chunks.Add(chunk);
            Store(walk, chunk).CopyTo(bytes);
            walk.Stored();
        }
        AssertSentUnchanged();
        return null;
    }

    /// <summary>The bytes of a store, made as a local or a remote attacher makes them.</summary>
    private byte[] Store(RangeWalk walk, Chunk chunk)
    {
        if (!Remote)
        {
            var bytes = new byte[chunk.LengthBytes];
            walk.Fill(bytes);
            return bytes;
        }
        var sent = walk.StoreBytes(chunk.LengthBytes);
        Assert.Equal(chunk.LengthBytes, sent.Length);
        if (_received.Contains(sent)) StoresOfReceivedArrays++;
        _sent.Add((sent, sent.ToArray()));
        return sent;
    }

    /// <summary>
    /// A remote store's bytes may sit in a packet XPC holds: the walk must leave them as sent.
    /// </summary>
    private void AssertSentUnchanged()
    {
        foreach (var (array, asSent) in _sent)
            Assert.True(array.AsSpan().SequenceEqual(asSent), "a sent store's bytes changed");
    }

    public static ulong PageOf(ulong address) => address & ~(ulong)(PageBytes - 1);

    public static int Offset(ulong address) => (int)(address & (PageBytes - 1));
}
