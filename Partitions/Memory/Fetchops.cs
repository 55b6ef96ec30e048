using Emulator.Protocol.Processes;

namespace Emulator.Partitions.Memory;

/// <summary>What a fetchop stores: pure functions of the word before it, no state.</summary>
public static class Fetchops
{
    /// <summary>A fetchop's word, as wide as its load and its store.</summary>
    public const int WordBytes = 4;

    /// <summary>
    /// The word <paramref name="call"/> leaves where <paramref name="old"/> was: old + K for
    /// fetch-add32 (mod 2^32), New for swap32, and for cas32 New if old was Expected, else old
    /// (a failed compare leaves the word as it was).
    /// </summary>
    public static uint Apply(Atomic32Call call, uint old) => call switch
    {
        FetchAdd32Call add => unchecked(old + add.K),
        Cas32Call cas => old == cas.Expected ? cas.New : old,
        Swap32Call swap => swap.New,
        _ => throw new ArgumentOutOfRangeException(nameof(call), $"{call} is not a fetchop"),
    };

    /// <summary>
    /// Only a naturally aligned word can be changed in one step: ia64 refuses a misaligned
    /// semaphore instruction (fetchadd4, cmpxchg4, xchg4) with SIGBUS, since the kernel's
    /// unaligned-access handler cannot emulate it atomically.
    /// </summary>
    public static bool Aligned(ulong address) => (address & (WordBytes - 1)) == 0;
}
