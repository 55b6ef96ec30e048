namespace Emulator.Protocol.Ids;

/// <summary>A partition (one emulated kernel); 0..N-1 within a machine.</summary>
public readonly record struct PartitionId(int Value)
{
    /// <summary>
    /// The highest partition number an id can carry (15 bits, see <see cref="XpmemId"/>).
    /// </summary>
    public const int MaxValue = 0x7FFF;

    public override string ToString() => $"p{Value}";
}
