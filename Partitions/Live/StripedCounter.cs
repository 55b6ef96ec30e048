namespace Emulator.Partitions.Live;

/// <summary>
/// A count that many threads add to at once and few read: each thread adds to a slot of its own
/// cache line, so the threads running a live machine do not pass one line back and forth on
/// every message they deliver (an interlocked add on a shared line costs each of them a transfer).
/// <see cref="Sum"/> adds the slots up: exact once the adds it should see have returned.
/// </summary>
public sealed class StripedCounter
{
    /// <summary>Longs per 64-byte cache line: slots this far apart never share one.</summary>
    private const int LineLongs = 8;

    private readonly long[] _slots;
    private readonly int _stripes;

    public StripedCounter()
    {
        // A power of two at least twice the cores, so two busy threads rarely share a stripe.
        _stripes = (int)Math.Min(
            System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount * 2),
            64u);
        // One spare line ahead, so the first slot does not share the array header's line.
        _slots = new long[(_stripes + 1) * LineLongs];
    }

    public void Increment()
    {
        var stripe = Environment.CurrentManagedThreadId & (_stripes - 1);
        Interlocked.Increment(ref _slots[(stripe + 1) * LineLongs]);
    }

    public long Sum
    {
        get
        {
            long sum = 0;
            for (var stripe = 0; stripe < _stripes; stripe++)
                sum += Interlocked.Read(ref _slots[(stripe + 1) * LineLongs]);
            return sum;
        }
    }
}
