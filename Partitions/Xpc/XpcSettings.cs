using Akka.Configuration;

namespace Emulator.Partitions.Xpc;

/// <summary>
/// The <c>xpmem-emulator.xpc</c> section of akka.hocon: how XPC keeps its channels reliable over a
/// lossy link. Virtual time in <c>sim</c>. akka.hocon says why each default is what it is.
/// </summary>
/// <param name="RetransmitInterval">How long a sequenced message waits for its ack before it is
/// sent again (the first time; each silent round doubles it).</param>
/// <param name="RetransmitIntervalMax">The backoff's cap: the longest wait between two
/// retransmissions.</param>
/// <param name="AckDelay">How long a receiver waits for a message going back to carry its ack
/// before it sends the ack alone.</param>
/// <param name="HeartbeatInterval">How often an endpoint tells every peer it is alive.</param>
/// <param name="MissedHeartbeatsMax">Heartbeat intervals without a word from a peer after which
/// the peer counts as unreachable.</param>
public sealed record XpcSettings(
    TimeSpan RetransmitInterval,
    TimeSpan RetransmitIntervalMax,
    TimeSpan AckDelay,
    TimeSpan HeartbeatInterval,
    int MissedHeartbeatsMax)
{
    public static readonly XpcSettings Default = new(
        RetransmitInterval: TimeSpan.FromMilliseconds(1),
        RetransmitIntervalMax: TimeSpan.FromMilliseconds(64),
        AckDelay: TimeSpan.FromMicroseconds(100),
        HeartbeatInterval: TimeSpan.FromMilliseconds(50),
        MissedHeartbeatsMax: 10);

    /// <summary>
    /// Reads the section (null: every default) and refuses values that would break the channel:
    /// an ack that waits as long as a retransmission, a cap below the first interval, no beat.
    /// </summary>
    public static XpcSettings Create(Config? section)
    {
        if (section is null) return Default;
        var settings = new XpcSettings(
            RetransmitInterval: Duration(section, "retransmit-interval",
                Default.RetransmitInterval),
            RetransmitIntervalMax: Duration(section, "retransmit-interval-max",
                Default.RetransmitIntervalMax),
            AckDelay: Duration(section, "ack-delay", Default.AckDelay),
            HeartbeatInterval: Duration(section, "heartbeat-interval", Default.HeartbeatInterval),
            MissedHeartbeatsMax: section.GetInt("missed-heartbeats-max",
                Default.MissedHeartbeatsMax));
        settings.Validate();
        return settings;
    }

    private void Validate()
    {
        Refuse(RetransmitInterval <= TimeSpan.Zero, "retransmit-interval must be > 0");
        Refuse(RetransmitIntervalMax < RetransmitInterval,
            "retransmit-interval-max must be >= retransmit-interval");
        Refuse(AckDelay >= RetransmitInterval,
            "ack-delay must be < retransmit-interval (or every ack comes after a retransmission)");
        Refuse(HeartbeatInterval <= TimeSpan.Zero, "heartbeat-interval must be > 0");
        Refuse(MissedHeartbeatsMax < 1, "missed-heartbeats-max must be >= 1");
    }

    private static void Refuse(bool wrong, string rule)
    {
        if (wrong) throw new ArgumentException($"xpmem-emulator.xpc: {rule}");
    }

    // A duration is finite; HOCON itself refuses a negative one.
    private static TimeSpan Duration(Config section, string key, TimeSpan fallback) =>
        section.GetTimeSpan(key, fallback, allowInfinite: false);
}
