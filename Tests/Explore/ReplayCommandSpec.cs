// Proves the replay command's contract on schedule files explore wrote (of a copy of the planted
// race, so the scenario can be changed): a file that is missing, not JSON, of another format or
// missing a field, a scenario changed since, and a schedule recorded by another build that no
// longer fits are bad input (exit 2, naming the file and what is wrong); the same build leaving
// its own schedule is a bug (exit 3); a schedule whose run holds now exits 0 and says the
// failure no longer reproduces.
using System.Text.Json.Nodes;
using Emulator.Host.Cli;
using Emulator.Host.Explore;
using Emulator.Partitions.Sim;
using Emulator.Tests.Cli;
using Xunit;

namespace Emulator.Tests.Explore;

public sealed class ReplayCommandSpec : IDisposable
{
    private readonly CliFixture _files = new();
    private readonly string _scenario;

    public ReplayCommandSpec()
    {
        _scenario = _files.Write("racy.hocon", File.ReadAllText(ExploreFiles.RacyRead));
    }

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Replay_must_exit_2_on_a_missing_or_malformed_file()
    {
        var missing = _files.PathOf("missing.json");
        Expect(CliFixture.Run("replay", missing), ExitCodes.BadInput,
            $"bad input: {missing}: no such file");
        var notJson = _files.Write("not.json", "{\n  \"format\": 1,\n  oops\n}");
        Expect(CliFixture.Run("replay", notJson), ExitCodes.BadInput,
            $"bad input: {notJson}: line 3: not JSON");
        var schedule = Explored();
        Expect(CliFixture.Run("replay", Edit(schedule, json => json["format"] = "xyz 2")),
            ExitCodes.BadInput, "\"format\" is \"xyz 2\", expected \"xpmem-emu schedule 1\"");
        Expect(CliFixture.Run("replay", Edit(schedule, json => json.Remove("seed"))),
            ExitCodes.BadInput, "no \"seed\" field");
        Expect(CliFixture.Run("replay", Edit(schedule, json => json["seed"] = "one")),
            ExitCodes.BadInput, "\"seed\" is \"one\", expected a number");
        Expect(CliFixture.Run("replay", Edit(schedule, json => json["choices"] = "0 1 z")),
            ExitCodes.BadInput, "\"choices\": token 3 'z' is not a choice");
    }

    [Fact]
    public void Replay_must_exit_2_when_the_scenario_changed_since()
    {
        var schedule = Explored();
        File.AppendAllText(_scenario, "\n# changed\n");
        Expect(CliFixture.Run("replay", schedule), ExitCodes.BadInput,
            $"the scenario {_scenario} changed since the schedule was recorded");
    }

    [Fact]
    public void Replay_must_say_when_a_schedule_does_not_fit_its_run()
    {
        var schedule = Explored();
        var unfit = Edit(schedule, json => json["choices"] = "0 9*40");
        Expect(CliFixture.Run("replay", unfit), ExitCodes.Bug,
            "the run left its schedule (decision 2 of the schedule takes option 9 of");
        var elsewhere = Edit(unfit, json => json["build"] = "0.9+old");
        Expect(CliFixture.Run("replay", elsewhere), ExitCodes.BadInput,
            "the schedule does not fit this build (decision 2 of the schedule takes option 9");
    }

    [Fact]
    public void Replay_must_exit_0_and_say_so_when_the_failure_no_longer_reproduces()
    {
        // A schedule of a run that holds, marked failed: as a fixed bug's schedule reads.
        var scenario = PreparedScenario.Of(ExploreFiles.RoundTrip, [], [], out var error)
            ?? throw new InvalidOperationException(error);
        var recorder = new SimRecorder();
        ScheduleOutcome run;
        using (var runner = new ScheduleRunner(scenario.Scenario, scenario.AkkaConfig))
            run = runner.Run(5, new RandomStrategy(), SimTimers.Idle, recorder);
        var path = _files.PathOf("fixed.json");
        ScheduleFile.Write(path, new Schedule
        {
            Scenario = scenario.Path,
            File = scenario.Name,
            ScenarioSha256 = scenario.Sha256,
            Build = Emulator.Host.Program.Version,
            Seed = 5,
            Strategy = "random",
            Choices = [.. recorder.Choices],
            Draws = [.. recorder.Draws],
            Digest = run.Digest,
            Deliveries = run.Result.Summary.Messages,
            Verdict = new ScheduleVerdict(false, "Step", "it failed once"),
        });
        var outcome = CliFixture.Run("replay", path, "--out", _files.PathOf("trace"));
        Expect(outcome, ExitCodes.Held, "the failure no longer reproduces (the same deliveries "
            + "as recorded, but another verdict)");
        Assert.True(File.Exists(Path.Combine(_files.PathOf("trace"), "trace.jsonl")), outcome.Out);
    }

    /// <summary>The schedule explore writes for the copy of the planted race.</summary>
    private string Explored()
    {
        var folder = _files.PathOf("explored");
        var outcome = CliFixture.Run("explore", _scenario, "--out", folder, "--no-shrink",
            "--workers", "1");
        Assert.True(outcome.Exit == ExitCodes.ScenarioFailed, outcome.ToString());
        return Directory.EnumerateFiles(folder, "schedule.json", SearchOption.AllDirectories)
            .Single();
    }

    private string Edit(string schedule, Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(File.ReadAllText(schedule))!.AsObject();
        edit(json);
        return _files.Write($"edited-{Guid.NewGuid():N}.json", json.ToJsonString());
    }

    private static void Expect(CliFixture.Outcome outcome, int exit, string text)
    {
        Assert.True(outcome.Exit == exit, outcome.ToString());
        Assert.True((outcome.Out + outcome.Error).Contains(text), $"no '{text}' in {outcome}");
    }
}
