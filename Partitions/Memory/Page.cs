namespace Emulator.Partitions.Memory;

/// <summary>
/// One 4 KiB frame of real bytes. <see cref="Sharers"/> counts the address spaces that map it
/// copy-on-write after fork; <see cref="Pins"/> counts attacher pins. A pinned page is never left
/// shared by fork (it is copied for the child at once, as modern kernels do for pinned pages), so
/// an attacher's view and the owner's current page stay the same frame.
/// </summary>
public sealed class Page
{
    public const int SizeBytes = 4096;

    private int _sharers = 1;
    private int _pins;

    public byte[] Bytes { get; } = new byte[SizeBytes];

    public int Sharers => Volatile.Read(ref _sharers);

    public int Pins => Volatile.Read(ref _pins);

    public void Share() => Interlocked.Increment(ref _sharers);

    public void Unshare() => Interlocked.Decrement(ref _sharers);

    public void Pin() => Interlocked.Increment(ref _pins);

    public void Unpin() => Interlocked.Decrement(ref _pins);

    public Page Copy()
    {
        var copy = new Page();
        Bytes.AsSpan().CopyTo(copy.Bytes);
        return copy;
    }
}
