namespace Emulator.Protocol.Ids;

/// <summary>
/// Names one request chain. Unique per origin partition (Sequence only grows there); every
/// reply echoes it, and a reply whose id is not pending is stale and dropped.
/// </summary>
public readonly record struct RequestId(PartitionId Origin, long Sequence)
{
    public override string ToString() => $"{Origin}-{Sequence}";
}
