// Proves shrinking by steps end to end on the real actors: explore finds the naive-order
// deadlock of Tests/Explore/deadlock-with-extras.hocon, the shrink leaves out the third
// process's steps (its branch of the parallel block too) and keeps the four branches the
// deadlock needs, says "N -> M steps", and the shrunk file replays to the same deliveries, trace
// and verdict; a schedule whose left-out steps the file does not have, or whose cut leaves a
// kept step without a name it uses, is refused before anything runs (exit 2).
using System.Text.Json.Nodes;
using Emulator.Host.Cli;
using Emulator.Tests.Cli;
using Xunit;

namespace Emulator.Tests.Explore;

public sealed class ShrinkStepsSpec(ShrinkStepsSpec.Explored explored)
    : IClassFixture<ShrinkStepsSpec.Explored>
{
    private static readonly string Scenario = ExploreFiles.PathOf("deadlock-with-extras.hocon");

    [Fact]
    public void Shrink_must_leave_out_the_steps_the_deadlock_does_not_need_and_replay()
    {
        var outcome = explored.Outcome;
        var line = outcome.OutLines.Single(l => l.StartsWith("  shrunk in "));
        Assert.Matches(@"^  shrunk in \d+ runs?: 24 -> 10 steps, ", line);
        var leftOut = LeftOut(explored.Shrunk);
        // c's steps, its branch's two, the repeat's, and the steps after the block, never run.
        Assert.Equal(["13:3", "14:3", "15:3", "16:3", "18:3", "19:3", "21:27", "26:3", "30:9",
            "30:39", "34:3", "35:3", "36:3", "37:3"], leftOut);
        Assert.Null(JsonNode.Parse(File.ReadAllText(explored.Original))!["leftOutSteps"]);

        var replay = CliFixture.Run("replay", explored.Shrunk);
        Assert.True(replay.Exit == ExitCodes.ScenarioFailed, replay.ToString());
        Assert.Contains("again (the same deliveries, trace and verdict as recorded)", replay.Out);
        Assert.Contains("checker 'no deadlock' failed", replay.Out);
        Assert.Contains("14 steps of the file left out (13:3 14:3 ", replay.Out);
    }

    [Fact]
    public void Replay_must_refuse_left_out_steps_the_file_does_not_have_or_cannot_lose()
    {
        Expect(Edit(leftOut => leftOut.Add("99:1")), "\"leftOutSteps\": 99:1 is not a step of "
            + $"{Scenario} (its steps are at lines 13 to 37)");
        Expect(Edit(leftOut => leftOut.Add("twelve")), "\"leftOutSteps\" has \"twelve\", "
            + "expected a step's LINE:COLUMN in the scenario (as 12:5)");
        Expect(Edit(leftOut => leftOut.Add("13:3")), "\"leftOutSteps\" names a step twice");
        // 17:3 binds sa, which b's get (24:3) uses.
        Expect(Edit(leftOut => leftOut.Add("17:3")), $"\"leftOutSteps\": {Scenario}:24:3 "
            + "\"b: pa = get sa rdwr\" uses 'sa', which only a left-out step binds");
    }

    private string Edit(Action<JsonArray> edit)
    {
        var json = JsonNode.Parse(File.ReadAllText(explored.Shrunk))!.AsObject();
        edit(json["leftOutSteps"]!.AsArray());
        var path = explored.Files.PathOf($"edited-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }

    private static void Expect(string schedule, string text)
    {
        var outcome = CliFixture.Run("replay", schedule);
        Assert.True(outcome.Exit == ExitCodes.BadInput, outcome.ToString());
        Assert.True(outcome.Error.Contains(text), $"no '{text}' in {outcome}");
        Assert.DoesNotContain("FAILED", outcome.Out);
    }

    private static List<string> LeftOut(string schedule) =>
        [.. JsonNode.Parse(File.ReadAllText(schedule))!["leftOutSteps"]!.AsArray()
            .Select(item => item!.GetValue<string>())];

    /// <summary>One explore of the file for the class (seed 1, random: the first schedule
    /// deadlocks), shrunk.</summary>
    public sealed class Explored : IDisposable
    {
        public Explored()
        {
            var folder = Files.PathOf("explored");
            Outcome = CliFixture.Run("explore", Scenario,
                "--set", "lock-order=naive", "--seed", "1", "--workers", "1", "--out", folder);
            Assert.True(Outcome.Exit == ExitCodes.ScenarioFailed, Outcome.ToString());
            Original = Path.Combine(folder, "seed-1", "schedule.json");
            Shrunk = Path.Combine(folder, "seed-1", "schedule.shrunk.json");
            Assert.True(File.Exists(Shrunk), $"seed 1: no shrunk schedule: {Outcome}");
        }

        internal CliFixture Files { get; } = new();

        internal CliFixture.Outcome Outcome { get; }

        public string Original { get; }

        public string Shrunk { get; }

        public void Dispose() => Files.Dispose();
    }
}
