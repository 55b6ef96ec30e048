namespace Emulator.Partitions.Memory;

/// <summary>
/// A machine's page-sized arrays for the bytes of remote loads and stores, used again. A remote
/// read-modify-write's page goes out in the owner's <c>Frames.Data</c>, comes back changed in
/// place in the attacher's <c>Frames.Write</c> (<see cref="UnitWalk"/>), and once the owner has
/// moved it into its page nothing reads the array again: XPC hands a packet over once and drops
/// its duplicates unread (a packet it still holds for a retransmission is such a duplicate). So
/// the owner gives the array back (<see cref="Page.Recycle"/>) and its next remote load fills it
/// (unless traced: <see cref="MachineContext.ReusesCarriedBytes"/>).
/// The Altix run (18 x 512) allocated 2,627 MB with them made new each time, 2,020 MB this way.
/// Left to itself the collector then ran gen0 18 times instead of 152, letting ~110 MB of
/// garbage build up each time, and the peak grew by it: the program caps that budget
/// (<c>System.GC.Gen0MaxBudget</c> in Host.csproj), and with both the run is faster and its
/// peak lower than with neither. Thread safe: in <c>live</c> owners and their segments run on
/// many threads.
/// </summary>
public sealed class TransferBuffers
{
    /// <summary>
    /// At most this many kept (4 MiB), so a burst of remote stores leaves no more behind.
    /// </summary>
    public const int KeptMax = 1024;

    private readonly Lock _gate = new();
    private readonly Stack<byte[]> _free = new();

    /// <summary>Arrays handed out again so far (tests, reports).</summary>
    public long Reused { get; private set; }

    /// <summary>
    /// An array of <paramref name="lengthBytes"/> whose bytes the caller sets, every one of them.
    /// </summary>
    public byte[] Take(int lengthBytes)
    {
        if (lengthBytes == Page.SizeBytes)
        {
            lock (_gate)
            {
                if (_free.TryPop(out var kept))
                {
                    Reused++;
                    return kept;
                }
            }
        }
        return GC.AllocateUninitializedArray<byte>(lengthBytes);
    }

    /// <summary>
    /// An array nobody reads any more: a page-sized one is kept for a later take.
    /// </summary>
    public void Return(byte[] bytes)
    {
        if (bytes.Length != Page.SizeBytes) return;
        lock (_gate)
        {
            if (_free.Count < KeptMax) _free.Push(bytes);
        }
    }
}
