using System.Diagnostics.CodeAnalysis;

namespace Emulator.Partitions;

/// <summary>
/// A lock for the machine's shortest and most frequent critical sections, nearly always taken by
/// one thread (a sim mailbox's ring, the sim loop's ready set): a word taken by one
/// compare-and-swap and given back by one store, with no owner to look up. <see cref="Lock"/>
/// finds the current thread's id first (a thread-local read through the runtime's helper) and
/// keeps it: ~15 ns a take and release uncontended on this machine against ~6 (the sweep of
/// every example and suite, seeds 1..100, 3.36 -> 3.25 s with the sim's mailboxes and loop on
/// it). Not reentrant, no owner checks, no fairness: hold it for a few stores only, never across
/// a call that waits on another thread. A taker that finds it held spins briefly, then yields
/// its core (the holder may be waiting for it).
/// </summary>
public struct SpinGate
{
    private int _held;

    /// <summary>Takes the gate until the scope is disposed: <c>using (gate.Enter()) ...</c>.
    /// </summary>
    [UnscopedRef]
    public Scope Enter()
    {
        if (Interlocked.CompareExchange(ref _held, 1, 0) != 0) EnterContended();
        return new Scope(ref _held);
    }

    private void EnterContended()
    {
        var spin = new SpinWait();
        // Read before each swap: a spinning taker does not keep pulling the word's line away
        // from the holder.
        while (Volatile.Read(ref _held) != 0 || Interlocked.CompareExchange(ref _held, 1, 0) != 0)
            spin.SpinOnce();
    }

    /// <summary>The gate held; disposing it gives it back.</summary>
    public readonly ref struct Scope
    {
        private readonly ref int _held;

        internal Scope(ref int held) => _held = ref held;

        public void Dispose() => Volatile.Write(ref _held, 0);
    }
}
