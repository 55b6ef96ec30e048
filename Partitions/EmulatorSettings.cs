using Akka.Configuration;
using Emulator.Partitions.Locks;
using Emulator.Partitions.Memory;
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
    TimeSpan LiveReplyTimeLimit,
    LockOrder LockOrder,
    bool RemoveWaitsForFaults,
    AccessGrain AccessGrain)
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
        LiveReplyTimeLimit: TimeSpan.FromSeconds(30),
        LockOrder: LockOrder.Kernel,
        RemoveWaitsForFaults: true,
        AccessGrain: AccessGrain.Line);

    /// <summary>The highest first pid: the pids after it must still fit an int.</summary>
    public const int FirstPidMax = int.MaxValue / 2;

    public static EmulatorSettings Create(Config config)
    {
        var section = config.GetConfig("xpmem-emulator")
            ?? throw new ArgumentException("no xpmem-emulator section");
        var settings = new EmulatorSettings(
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
                Default.LiveReplyTimeLimit, allowInfinite: false),
            LockOrder: ReadLockOrder(section),
            RemoveWaitsForFaults: ReadSwitch(section, "remove-waits-for-faults",
                Default.RemoveWaitsForFaults),
            AccessGrain: ReadAccessGrain(section));
        settings.Validate();
        return settings;
    }

    /// <summary>
    /// Values the emulator cannot run with are refused here, by name (akka.hocon, or a
    /// <c>--set</c>), rather than failing a run in some unrelated way.
    /// </summary>
    private void Validate()
    {
        Refuse(RequestTimeout <= TimeSpan.Zero, "request-timeout must be > 0");
        Refuse(StashCapacityMax < 1, "stash-capacity-max must be >= 1");
        // A pid is the low 32 bits of a segid or apid, and 0 is no process.
        Refuse(FirstPid is < 1 or > FirstPidMax,
            $"first-pid must be from 1 to {FirstPidMax} (room for the pids after it)");
        Refuse(PhysicalMemoryBytes < Memory.Page.SizeBytes,
            $"physical-memory must hold at least one page ({Memory.Page.SizeBytes} bytes)");
        Refuse(LiveReplyTimeLimit <= TimeSpan.Zero, "live-reply-time-limit must be > 0");
    }

    /// <summary>
    /// <c>access-grain</c>: one of the words, nothing else (a number of bytes would allow units
    /// that cross a page).
    /// </summary>
    private static AccessGrain ReadAccessGrain(Config section)
    {
        if (section.GetString("access-grain", null) is not { } name) return Default.AccessGrain;
        return AccessGrains.Parse(name) ?? throw new ArgumentException(
            $"xpmem-emulator: access-grain must be word, line or page, not \"{name}\"");
    }

    private static LockOrder ReadLockOrder(Config section) =>
        section.GetString("lock-order", null) switch
        {
            null => Default.LockOrder,
            "kernel" => LockOrder.Kernel,
            "naive" => LockOrder.Naive,
            var name => throw new ArgumentException(
                $"xpmem-emulator: lock-order must be kernel or naive, not \"{name}\""),
        };

    /// <summary>HOCON's booleans (true/false, on/off, yes/no), refused by name otherwise.</summary>
    private static bool ReadSwitch(Config section, string key, bool fallback) =>
        section.GetString(key, fallback ? "true" : "false") switch
        {
            "true" or "on" or "yes" => true,
            "false" or "off" or "no" => false,
            var value => throw new ArgumentException(
                $"xpmem-emulator: {key} must be true or false, not \"{value}\""),
        };

    private static void Refuse(bool wrong, string rule)
    {
        if (wrong) throw new ArgumentException($"xpmem-emulator: {rule}");
    }
}
