// Proves crash, restart and start do what docs/faults.md says in a scenario: a crashed
// partition's processes are dead from that step on (a call in flight ends as dead, a later step
// fails naming the step where they died), its peers notice it from missed heartbeats within
// missed-heartbeats-max x heartbeat-interval (one interval more at most) and then give SIGBUS;
// a restart reboots a running partition, and `start` runs a declared process again only once it
// ended and its partition runs; the same seed gives the same trace, crash and restart included.
// How: scenarios run through the scenario runner under several seeds (named on failure).
using Emulator.Host.Runner;
using Emulator.Host.Scenarios;
using Emulator.Partitions.Xpc;
using Xunit;

namespace Emulator.Tests.Runner;

public sealed class PartitionFailureSpec
{
    private const int Seeds = 30;

    private const string Header = """
        partitions = 2
        processes {
          owner { partition = 0 }
          user  { partition = 1 }
        }
        """;

    private const string Attached = """
          "owner: mmap 0x10000 4p"
          "owner: fill 0x10000 4p index32"
          "owner: seg = make 0x10000 4p mode=0666"
          "user:  ap = get seg rdwr"
          "user:  at = attach ap 0 4p"
        """;

    [Fact]
    public void Peers_must_notice_a_crash_within_the_heartbeat_timeout()
    {
        var scenario = Parse("notice", $$"""
            {{Header}}
            steps = [
            {{Attached}}
              "crash partition 0"
              "user: read32 at+4 => SIGBUS"
            ]
            """);
        var xpc = XpcSettings.Default;
        var silence = xpc.HeartbeatInterval * xpc.MissedHeartbeatsMax;
        for (var seed = 1; seed <= Seeds; seed++)
        {
            var result = ScenarioRunner.Run(scenario, new RunOptions(seed));
            Assert.True(result.Passed, $"seed {seed}: {result.Failure}");
            var noticed = result.Summary.VirtualTime;
            Assert.True(noticed >= silence && noticed <= silence + xpc.HeartbeatInterval * 1.1,
                $"seed {seed}: the load ended at {noticed}, not within {silence} + one beat");
        }
    }

    [Fact]
    public void A_call_in_flight_at_the_crash_must_end_as_dead()
    {
        var steps = """
              "owner: mmap 0x10000 64p"
              { parallel = [
                  [ "owner: fill 0x10000 64p index32 EXPECT" ]
                  [ "crash partition 0" ]
              ] }
            """;
        var allowed = Parse("dead-allowed",
            $"{Header}\nsteps = [\n{steps.Replace("EXPECT", "=> ok | dead")}\n]");
        var outcomes = new HashSet<string>();
        var failures = new List<string>();
        var strict = Parse("dead-not-allowed", $"{Header}\nsteps = [\n{steps.Replace("EXPECT", "")}\n]");
        for (var seed = 1; seed <= Seeds; seed++)
        {
            var result = ScenarioRunner.Run(allowed, new RunOptions(seed));
            Assert.True(result.Passed, $"seed {seed}: {result.Failure}");
            if (ScenarioRunner.Run(strict, new RunOptions(seed)).Failure is { } failure)
                failures.Add(failure);
        }
        Assert.NotEmpty(failures);
        Assert.All(failures, failure => Assert.Contains(
            "process 'owner' is dead (it ended at dead-not-allowed.hocon:", failure));
    }

    [Fact]
    public void A_step_by_a_process_of_a_crashed_partition_must_fail_naming_where_it_died()
    {
        var result = Run($$"""
            {{Header}}
            steps = [
              "owner: mmap 0x10000 1p"
              "crash partition 0"
              "crash partition 0"
              "owner: read32 0x10000 => 0"
            ]
            """);
        Assert.Equal(FailureCause.Step, result.Cause);
        Assert.Contains("test.hocon:10:3: step \"owner: read32 0x10000 => 0\": process 'owner' is "
            + "dead (it ended at test.hocon:8:3)", result.Failure);
    }

    [Fact]
    public void Restart_must_reboot_a_running_partition_and_start_run_its_process_again()
    {
        var result = Run($$"""
            {{Header}}
            steps = [
              "owner: mmap 0x10000 1p"
              "owner: write32 0x10000 5"
              "restart partition 0"
              "owner: read32 0x10000 => dead"
              "start owner"
              "owner: read32 0x10000 => SIGSEGV"
              "start owner"
              "owner: version => 0x26005"
            ]
            """);
        Assert.True(result.Passed, result.Failure);
    }

    [Theory]
    [InlineData("\"start owner\"", "process 'owner' is running; start takes a process that ended")]
    [InlineData("\"crash partition 0\", \"start owner\"",
        "partition 0 is crashed; restart it first")]
    public void Start_must_refuse_a_running_process_and_a_crashed_partition(string steps,
        string why)
    {
        var result = Run($"{Header}\nsteps = [ {steps} ]");
        Assert.Equal(FailureCause.Step, result.Cause);
        Assert.Contains(why, result.Failure);
    }

    [Theory]
    [InlineData("partition-crash.hocon")]
    [InlineData("partition-restart.hocon")]
    [InlineData("partition-cut.hocon")]
    public void The_same_seed_must_give_the_same_trace_with_crash_restart_and_cut(string file)
    {
        var path = Path.Combine(Examples.ExamplesSpec.RepositoryFolder("examples"), file);
        var scenario = ScenarioParser.ParseFile(path);
        foreach (var seed in new[] { 3, 11 })
        {
            var first = ScenarioRunner.Run(scenario, new RunOptions(seed, Trace: true));
            var second = ScenarioRunner.Run(scenario, new RunOptions(seed, Trace: true));
            Assert.True(first.Passed, $"seed {seed}: {first.Failure}");
            Assert.True(first.Trace == second.Trace, $"{file} seed {seed}: two traces");
        }
    }

    private static RunResult Run(string text) =>
        ScenarioRunner.Run(ScenarioParser.Parse(text, "test.hocon"), new RunOptions(1));

    private static Scenario Parse(string name, string text) =>
        ScenarioParser.Parse(text, $"{name}.hocon");
}
