using Emulator.Tests.Examples;

namespace Emulator.Tests.Explore;

/// <summary>The scenario files of the explorer's specs, in Tests/Explore.</summary>
internal static class ExploreFiles
{
    /// <summary>Holds under every schedule: the speed figure's scenario.</summary>
    public static string RoundTrip => PathOf("two-partition-round-trip.hocon");

    /// <summary>Fails under some schedules only: a load races a store.</summary>
    public static string RacyRead => PathOf("racy-read.hocon");

    public static string PathOf(string name) =>
        Path.Combine(ExamplesSpec.RepositoryFolder(Path.Combine("Tests", "Explore")), name);
}
