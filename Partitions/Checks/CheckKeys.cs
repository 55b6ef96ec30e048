using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Checks;

/// <summary>
/// Keys of the checkers' big tables (one entry a pin, a page: 147,456 each on the Altix run),
/// each with a hash of one multiply per field. As tuples of id structs they hashed through
/// <see cref="HashCode.Combine{T1,T2}"/> and the ids' generated hashes, field by field, for
/// every fault's events. Fixed constants, so a run hashes alike every time.
/// </summary>
internal static class KeyHash
{
    public static int Of(ulong a, ulong b)
    {
        var mixed = unchecked(a * 0x9E3779B97F4A7C15UL + b * 0xC2B2AE3D27D4EB4FUL);
        return (int)(mixed >> 32) ^ (int)mixed;
    }

    /// <summary>A thread group as one number: the partition above the pid.</summary>
    public static ulong Of(TgId tg) => ((ulong)(uint)tg.Partition.Value << 32) | (uint)tg.Pid;
}

/// <summary>A pin of a segment: the pin checker's key.</summary>
internal readonly record struct SegmentPin(SegId Segment, long PinId)
{
    public bool Equals(SegmentPin other) =>
        Segment.Value == other.Segment.Value && PinId == other.PinId;

    public override int GetHashCode() => KeyHash.Of((ulong)Segment.Value, (ulong)PinId);
}

/// <summary>A page of a thread group's address space: the coherence shadow's key.</summary>
internal readonly record struct TgPage(TgId Tg, ulong Page)
{
    public bool Equals(TgPage other) => Tg == other.Tg && Page == other.Page;

    public override int GetHashCode() => KeyHash.Of(KeyHash.Of(Tg), Page);
}
