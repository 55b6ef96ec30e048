namespace Emulator.Protocol.Ids;

/// <summary>
/// The shared layout of segids and apids. The modern driver packs <c>(uniq &lt;&lt; 32) | tgid</c>
/// into a signed 64-bit value; SGI's 2.0 ids carried a partition id in the top 16 bits with a
/// 16-bit uniq. We keep both: bits 0-31 the owner's tgid, bits 32-47 uniq (1..65535), bits 48-62
/// the partition, bit 63 clear. On partition 0 an id is bit-for-bit the kernel's id, so decoding a
/// random positive number (the tests' <c>xpmem_remove(12345)</c>) gives tgid 12345, uniq 0.
/// </summary>
public static class XpmemId
{
    /// <summary>
    /// Past this, make and get answer EBUSY (SGI 2.0's cap; the id has 16 bits for it).
    /// </summary>
    public const int MaxUniq = 0xFFFF;

    public static long Compose(PartitionId partition, int pid, int uniq) =>
        ((long)partition.Value << 48) | ((long)(uniq & 0xFFFF) << 32) | (uint)pid;

    public static PartitionId PartitionOf(long id) => new((int)((id >> 48) & 0x7FFF));

    public static int PidOf(long id) => unchecked((int)(uint)id);

    public static int UniqOf(long id) => (int)((id >> 32) & 0xFFFF);

    public static TgId OwnerOf(long id) => new(PartitionOf(id), PidOf(id));

    /// <summary>The driver treats any id at or below zero as invalid (EINVAL).</summary>
    public static bool IsValid(long id) => id > 0;
}

/// <summary>
/// A segment id, made by <c>xpmem_make</c>. See <see cref="XpmemId"/> for the layout.
/// </summary>
public readonly record struct SegId(long Value)
{
    public TgId Owner => XpmemId.OwnerOf(Value);
    public override string ToString() => $"0x{Value:x}";
}

/// <summary>An access permit id, made by <c>xpmem_get</c>; the owner is the getter.</summary>
public readonly record struct ApId(long Value)
{
    public TgId Owner => XpmemId.OwnerOf(Value);
    public override string ToString() => $"0x{Value:x}";
}
