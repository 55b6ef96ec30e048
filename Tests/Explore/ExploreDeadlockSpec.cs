// Proves the headline of protocol exploration on the real actors: with lock-order = naive the
// explorer finds the mutual-fault deadlock (two processes faulting on each other's memory while a
// writer waits on each mm) within a few schedules under every strategy, writes its schedule,
// replay shows the same deadlock again (exit 1), and the shrunk schedule is no longer than the
// original; with the kernel's lock order it finds nothing in 10,000 schedules.
using System.Text.Json;
using Emulator.Host.Cli;
using Emulator.Tests.Cli;
using Emulator.Tests.Examples;
using Xunit;

namespace Emulator.Tests.Explore;

public sealed class ExploreDeadlockSpec : IDisposable
{
    private static readonly string Scenario = Path.Combine(
        ExamplesSpec.RepositoryFolder(Path.Combine("Tests", "Suites")),
        "race-mutual-faults-with-writers.hocon");

    private readonly CliFixture _files = new();

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData("random")]
    [InlineData("pct")]
    [InlineData("round-robin")]
    public void Explore_must_find_the_naive_order_deadlock_and_replay_it(string strategy)
    {
        var folder = _files.PathOf(strategy);
        var outcome = CliFixture.Run("explore", Scenario, "--set", "lock-order=naive",
            "--strategy", strategy, "--schedules", "200", "--out", folder);

        Assert.True(outcome.Exit == ExitCodes.ScenarioFailed, outcome.ToString());
        Assert.Contains("checker 'no deadlock' failed", outcome.Out);
        Assert.Contains("deadlock: a cycle of waits: ", outcome.Out);
        var replayLine = outcome.OutLines.First(l => l.StartsWith("  replay: xpmem-emu replay "));
        var schedule = replayLine["  replay: xpmem-emu replay ".Length..];

        var replay = CliFixture.Run("replay", schedule);
        Assert.True(replay.Exit == ExitCodes.ScenarioFailed, $"{strategy}: {replay}");
        Assert.Contains("again (the same deliveries, trace and verdict as recorded)", replay.Out);
        Assert.Contains("checker 'no deadlock' failed", replay.Out);

        var shrunk = Path.ChangeExtension(schedule, ".shrunk.json");
        if (File.Exists(shrunk))
        {
            Assert.True(Deviations(shrunk) <= Deviations(schedule), $"{strategy}: shrunk to "
                + $"{Deviations(shrunk)} deviations from {Deviations(schedule)}");
            Assert.Equal(ExitCodes.ScenarioFailed, CliFixture.Run("replay", shrunk).Exit);
        }
    }

    [Fact]
    public void Explore_must_find_no_deadlock_in_ten_thousand_schedules_in_kernel_order()
    {
        var outcome = CliFixture.Run("explore", Scenario, "--schedules", "10000");

        Assert.True(outcome.Exit == ExitCodes.Held, outcome.ToString());
        Assert.Contains("10000 schedules", outcome.Out);
        Assert.Contains("no schedule failed", outcome.Out);
    }

    private static int Deviations(string schedule) => JsonDocument
        .Parse(File.ReadAllText(schedule)).RootElement.GetProperty("deviations").GetInt32();
}
