using Akka.Configuration;

namespace Emulator.Partitions;

/// <summary>The <c>xpmem-emulator</c> section of akka.hocon, read once.</summary>
public sealed record EmulatorSettings(
    int Partitions,
    TimeSpan RequestTimeout,
    int StashCapacityMax,
    int FirstPid)
{
    public static EmulatorSettings Create(Config config)
    {
        var section = config.GetConfig("xpmem-emulator")
            ?? throw new ArgumentException("no xpmem-emulator section");
        return new EmulatorSettings(
            Partitions: section.GetInt("partitions", 1),
            RequestTimeout: section.GetTimeSpan("request-timeout", TimeSpan.FromSeconds(2)),
            StashCapacityMax: section.GetInt("stash-capacity-max", 1024),
            FirstPid: section.GetInt("first-pid", 100));
    }

    public static readonly EmulatorSettings Default = new(1, TimeSpan.FromSeconds(2), 1024, 100);
}
