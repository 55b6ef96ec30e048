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
    /// Mixes both halves of <see cref="Sequence"/>: the generated hash folded them together,
    /// and a process's <c>(pid &lt;&lt; 32) | n</c> made that <c>pid ^ n</c>, so one origin's
    /// requests shared a few thousand hashes (the stores checker's set of recent stores had
    /// chains of eight). Fixed constants, so a run hashes alike every time.
    /// </summary>
    public override int GetHashCode()
    {
        var mixed = unchecked((ulong)Sequence * 0x9E3779B97F4A7C15UL
            + (ulong)(uint)Origin.Value * 0xC2B2AE3D27D4EB4FUL);
        return (int)(mixed >> 32) ^ (int)mixed;
    }

    /// <summary>
    /// Processes number their requests <c>(pid &lt;&lt; 32) | n</c>: shown as <c>p1/100.3</c>.
    /// </summary>
    public override string ToString() => $"{Origin}/{Sequence >> 32}.{Sequence & 0xFFFFFFFF}";
}
