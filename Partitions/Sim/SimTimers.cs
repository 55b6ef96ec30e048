namespace Emulator.Partitions.Sim;

/// <summary>
/// When the loop offers a virtual-time timer to its <see cref="SimStrategy"/> as one more choice
/// beside the ready mailboxes (inside <see cref="SimLoop.RunUntil"/> only; a timer always fires
/// when nothing is ready and the caller lets timers fire).
/// </summary>
public enum SimTimers
{
    /// <summary>
    /// Never while a mailbox is ready: a timeout never overtakes a message already sent (how
    /// <c>run</c> has always scheduled).
    /// </summary>
    Idle,

    /// <summary>
    /// The earliest timer once its due time has come (the deliveries' cost moved the clock past
    /// it): a due retransmission or timeout may go before work still queued. The clock stays.
    /// </summary>
    Due,

    /// <summary>
    /// The earliest timer, due or not: firing it moves the clock on to its due time, as if every
    /// queued message were that slow, so a timeout can race the reply it guards.
    /// </summary>
    Race,
}
