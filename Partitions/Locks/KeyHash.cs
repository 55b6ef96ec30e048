using Emulator.Protocol.Ids;

namespace Emulator.Partitions.Locks;

/// <summary>
/// A hash of one multiply a field for the keys the checkers look up on every lock event
/// (<see cref="LockId"/>, <see cref="LockTask"/>): their generated hashes chained
/// a multiply-add over each field's own generated hash, a nested id's in turn. Fixed constants,
/// so a run hashes alike every time.
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
