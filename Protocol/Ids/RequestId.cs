namespace Emulator.Protocol.Ids;

/// <summary>
/// Names one request chain. Unique per origin partition (Sequence only grows there); every
/// reply echoes it, and a reply whose id is not pending is stale and dropped. Ordered by origin,
/// then sequence: the order requests of one origin were made in.
/// </summary>
public readonly record struct RequestId(PartitionId Origin, long Sequence)
    : IComparable<RequestId>
{
    public int CompareTo(RequestId other) => Origin.Value != other.Origin.Value
        ? Origin.Value.CompareTo(other.Origin.Value)
        : Sequence.CompareTo(other.Sequence);

    /// <summary>
    /// Processes number their requests <c>(pid &lt;&lt; 32) | n</c>: shown as <c>p1/100.3</c>.
    /// </summary>
    public override string ToString() => $"{Origin}/{Sequence >> 32}.{Sequence & 0xFFFFFFFF}";
}
