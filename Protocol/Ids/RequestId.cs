namespace Emulator.Protocol.Ids;

/// <summary>
/// Names one request chain. Unique per origin partition (Sequence only grows there); every
/// reply echoes it, and a reply whose id is not pending is stale and dropped.
/// </summary>
public readonly record struct RequestId(PartitionId Origin, long Sequence)
{
    /// <summary>
    /// Processes number their requests <c>(pid &lt;&lt; 32) | n</c>: shown as <c>p1/100.3</c>.
    /// </summary>
    public override string ToString() => $"{Origin}/{Sequence >> 32}.{Sequence & 0xFFFFFFFF}";
}
