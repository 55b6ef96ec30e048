// Proves what the runner puts into a trace: a header naming every process with its thread group,
// process names beside thread-group paths (a forked child under its bound name), each call's
// parallel branch, virtual time that grows with the work and with `wait`, and a verdict line at
// the end of every run: held, a failed step with its location, a failing checker, an emulator
// bug. Each test runs a scenario with --out into a temporary folder and reads trace.jsonl back.
using System.Text.Json;
using Emulator.Host;
using Emulator.Host.Reports;
using Emulator.Host.Runner;
using Emulator.Host.Scenarios;
using Emulator.Partitions.Checks;
using Emulator.Tests.Examples;
using Xunit;

namespace Emulator.Tests.Reports;

public sealed class RunTraceSpec : IDisposable
{
    private const int Seed = 3;

    private const string Nested = """
        processes {
          a { partition = 0 }
          b { partition = 0 }
          c { partition = 0 }
        }
        steps = [
          "a: mmap 0x10000 1p"
          { parallel = [
              [ "a: read32 0x10000 => 0" ]
              [ "b: mmap 0x20000 1p"
                { parallel = [ [ "b: read32 0x20000 => 0" ], [ "c: mmap 0x30000 1p" ] ] } ]
          ] }
          "wait 5ms"
          "a: read32 0x10000 => 0"
        ]
        """;

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("xpmem-run-trace-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public void ScenarioRunner_must_name_processes_in_the_header_and_beside_their_actors()
    {
        var (result, lines) = Run(Example("fork-and-cow.hocon"));

        Assert.True(result.Passed, $"seed {Seed}: {result.Failure}");
        var header = lines[0];
        Assert.Equal("header", header.GetProperty("kind").GetString());
        Assert.Equal(Seed, header.GetProperty("seed").GetInt32());
        var processes = header.GetProperty("processes").EnumerateArray().ToList();
        Assert.Equal(["owner", "user"], processes.Select(p => p.GetProperty("name").GetString()));
        Assert.Equal(["p0/100", "p0/101"], processes.Select(p => p.GetProperty("tg").GetString()));
        Assert.Equal([100, 101], processes.Select(p => p.GetProperty("pid").GetInt32()));
        Assert.Equal("p0/tg-100", processes[0].GetProperty("actor").GetString());
        // A process's own start comes before the runner knows its pid: only the header names it.
        Assert.All(lines.Where(l => Actor(l) is "p0/tg-100" or "p0/tg-100/seg-1"
                && Kind(l) != "thread_group_started"),
            line => Assert.Equal("owner", line.GetProperty("process").GetString()));
        // The first fork's child is pid 102: lines about it after the fork name it "child".
        var child = lines.SkipWhile(l => Kind(l) != "call_started"
                || l.GetProperty("step").GetString() != "child: read32 0x10000 => 0")
            .Where(l => Actor(l) == "p0/tg-102").ToList();
        Assert.NotEmpty(child);
        Assert.All(child, line => Assert.Equal("child", line.GetProperty("process").GetString()));
    }

    [Fact]
    public void ScenarioRunner_must_mark_each_call_with_its_parallel_branch()
    {
        var (result, lines) = Run(ScenarioParser.Parse(Nested, "nested.hocon"));

        Assert.True(result.Passed, $"seed {Seed}: {result.Failure}");
        var branches = lines.Where(l => Kind(l) == "call_started").ToDictionary(
            l => l.GetProperty("location").GetString()!,
            l => l.TryGetProperty("branch", out var branch) ? branch.GetString() : null);
        Assert.Equal(new Dictionary<string, string?>
        {
            ["nested.hocon:7:3"] = null,
            ["nested.hocon:9:9"] = "1",
            ["nested.hocon:10:9"] = "2",
            ["nested.hocon:11:26"] = "2.1",
            ["nested.hocon:11:56"] = "2.2",
            ["nested.hocon:14:3"] = null,
        }, branches);
    }

    [Fact]
    public void ScenarioRunner_must_let_virtual_time_grow_with_the_work_and_with_wait()
    {
        var (_, lines) = Run(ScenarioParser.Parse(Nested, "nested.hocon"));

        var stamps = lines.Where(l => l.TryGetProperty("t_ns", out _))
            .Select(l => l.GetProperty("t_ns").GetInt64()).ToList();
        Assert.True(stamps.SequenceEqual(stamps.Order()), $"seed {Seed}: time went backwards");
        var deliveries = lines.Where(l => Kind(l) == "deliver")
            .Select(l => l.GetProperty("t_ns").GetInt64()).ToList();
        Assert.True(deliveries.Distinct().Count() == deliveries.Count,
            $"seed {Seed}: two deliveries at one instant");
        var calls = lines.Where(l => Kind(l) == "call_started").ToList();
        var beforeWait = calls[^2].GetProperty("t_ns").GetInt64();
        var afterWait = calls[^1].GetProperty("t_ns").GetInt64();
        Assert.True(afterWait - beforeWait >= 5_000_000,
            $"seed {Seed}: wait 5ms took {afterWait - beforeWait} ns");
        Assert.True(lines[^1].GetProperty("virtual_time_ns").GetInt64() >= afterWait);
    }

    [Fact]
    public void ScenarioRunner_must_keep_time_still_when_deliveries_cost_nothing()
    {
        var free = Settings.Load("""
            xpmem-emulator.sim-delivery-time = 0s
            xpmem-emulator.sim-xpc-delivery-time = 0s
            """);
        var (result, lines) = Run(Example("cross-partition-owner-exit.hocon"), free);

        Assert.True(result.Passed, $"seed {Seed}: {result.Failure}");
        Assert.All(lines.Where(l => l.TryGetProperty("t_ns", out _)),
            line => Assert.Equal(0, line.GetProperty("t_ns").GetInt64()));
        Assert.Equal(0, lines[0].GetProperty("delivery_time_ns").GetInt64());
    }

    [Fact]
    public void ScenarioRunner_must_end_a_failed_run_with_a_verdict_naming_the_step()
    {
        var text = File.ReadAllText(ExamplesSpec.RepositoryFolder("examples/quickstart.hocon"))
            .Replace("read32 at+16 => 4", "read32 at+16 => 5");
        var (result, lines) = Run(ScenarioParser.Parse(text, "wrong.hocon"));

        Assert.False(result.Passed);
        var verdict = lines[^1];
        Assert.Equal("verdict", Kind(verdict));
        Assert.False(verdict.GetProperty("held").GetBoolean());
        Assert.Equal("Step", verdict.GetProperty("cause").GetString());
        Assert.Equal("wrong.hocon:16:3", verdict.GetProperty("location").GetString());
        Assert.Equal("user:  read32 at+16 => 5", verdict.GetProperty("step").GetString());
        Assert.Equal(result.Failure, verdict.GetProperty("failure").GetString());
        Assert.Equal(lines.Count - 2, verdict.GetProperty("lines").GetInt64());
    }

    [Fact]
    public void ScenarioRunner_must_end_the_trace_of_an_emulator_bug_with_a_verdict()
    {
        // Partition 3 of a one-partition machine: the machine throws while the run starts.
        var broken = new Scenario("broken", "broken.hocon", null, 1, false,
            [new ProcessDeclaration("lost", 3, 1000, 1000,
                new SourceLocation("broken.hocon", 1, 1))],
            []);

        var (result, lines) = Run(broken);

        Assert.StartsWith("emulator bug:", result.Failure);
        Assert.Equal(["header", "verdict"], lines.Select(Kind));
        Assert.Equal("EmulatorBug", lines[1].GetProperty("cause").GetString());
        Assert.Equal("lost", lines[0].GetProperty("processes")[0].GetProperty("name").GetString());
        Assert.False(File.Exists(Path.Combine(_folder.FullName,
            JsonlTrace.FileName + JsonlTrace.PartialSuffix)));
    }

    [Fact]
    public void TraceVerdict_must_name_a_failing_checker()
    {
        var scenario = new Scenario("s", "s.hocon", null, 1, false, [], []);
        var summary = new RunSummary(1, 1, 0, 9, 0, new PinTally(2, 1), TimeSpan.FromTicks(90),
            TimeSpan.FromSeconds(1));
        var result = new RunResult(scenario, Seed, null, summary,
            [new CheckResult("pins balanced", false, "2 pinned, 1 unpinned")], null);

        var verdict = TraceVerdict.Of(result, 12);

        Assert.False(verdict.Held);
        Assert.Equal(FailureCause.Checker, verdict.Cause);
        Assert.Equal(
            $"checker 'pins balanced' did not hold: 2 pinned, 1 unpinned (seed {Seed})",
            verdict.Failure);
        Assert.Equal(TimeSpan.FromTicks(90), verdict.VirtualTime);
    }

    [Fact]
    public void ScenarioRunner_must_write_no_uid_address_or_object_name_into_a_trace()
    {
        var (_, lines) = Run(Example("cross-partition-owner-exit.hocon"));
        var text = File.ReadAllText(Path.Combine(_folder.FullName, JsonlTrace.FileName));

        Assert.Contains(lines, line => Kind(line) == "deliver"
            && line.GetProperty("type").GetString() == "Carry");
        Assert.DoesNotContain("akka://", text);
        Assert.DoesNotContain("#", text);
        Assert.DoesNotContain("System.", text);
        Assert.DoesNotContain("Emulator.", text);
    }

    private static Scenario Example(string file) =>
        ScenarioParser.ParseFile(ExamplesSpec.RepositoryFolder(Path.Combine("examples", file)));

    private (RunResult Result, List<JsonElement> Lines) Run(Scenario scenario,
        Akka.Configuration.Config? config = null)
    {
        var result = ScenarioRunner.Run(scenario, new RunOptions(Seed, _folder.FullName), config);
        var text = File.ReadAllText(Path.Combine(_folder.FullName, JsonlTrace.FileName));
        return (result, JsonlTraceSpec.Parse(text));
    }

    private static string? Kind(JsonElement line) => line.GetProperty("kind").GetString();

    private static string? Actor(JsonElement line) =>
        line.TryGetProperty("actor", out var actor) ? actor.GetString() : null;
}
