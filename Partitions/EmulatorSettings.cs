using Akka.Configuration;
using Emulator.Partitions.Xpc;

namespace Emulator.Partitions;

/// <summary>The <c>xpmem-emulator</c> section of akka.hocon, read once.</summary>
public sealed record EmulatorSettings(
    TimeSpan RequestTimeout,
    int StashCapacityMax,
    int FirstPid,
    TimeSpan SimDeliveryTime,
    TimeSpan SimXpcDeliveryTime,
    long PhysicalMemoryBytes,
    XpcSettings Xpc,
    TimeSpan LiveReplyTimeLimit)
{
    /// <summary>
    /// The one source of defaults: what a key left out of the section means (akka.hocon spells
    /// out the same values).
    /// </summary>
    public static readonly EmulatorSettings Default = new(
        RequestTimeout: TimeSpan.FromSeconds(2),
        StashCapacityMax: 1024,
        FirstPid: 100,
        SimDeliveryTime: TimeSpan.FromTicks(1),
        SimXpcDeliveryTime: TimeSpan.FromMicroseconds(1),
        PhysicalMemoryBytes: 8L << 30,
        Xpc: XpcSettings.Default,
        LiveReplyTimeLimit: TimeSpan.FromSeconds(30));

    public static EmulatorSettings Create(Config config)
    {
        var section = config.GetConfig("xpmem-emulator")
            ?? throw new ArgumentException("no xpmem-emulator section");
        return new EmulatorSettings(
            RequestTimeout: section.GetTimeSpan("request-timeout", Default.RequestTimeout),
            StashCapacityMax: section.GetInt("stash-capacity-max", Default.StashCapacityMax),
            FirstPid: section.GetInt("first-pid", Default.FirstPid),
            // A cost is finite and never negative; HOCON refuses "-1ms", and "infinite" here.
            SimDeliveryTime: section.GetTimeSpan("sim-delivery-time", Default.SimDeliveryTime,
                allowInfinite: false),
            SimXpcDeliveryTime: section.GetTimeSpan("sim-xpc-delivery-time",
                Default.SimXpcDeliveryTime, allowInfinite: false),
            PhysicalMemoryBytes: section.GetByteSize("physical-memory")
                ?? Default.PhysicalMemoryBytes,
            Xpc: XpcSettings.Create(section.GetConfig("xpc")),
            LiveReplyTimeLimit: section.GetTimeSpan("live-reply-time-limit",
                Default.LiveReplyTimeLimit, allowInfinite: false));
    }
}
