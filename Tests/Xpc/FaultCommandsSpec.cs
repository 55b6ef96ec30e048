// Proves the link fault commands run in a scenario and do what docs/faults.md says: drop,
// duplicate and delay (on every link and on one direction), cut and heal all run, and the results
// are the perfect link's; a cut shorter than the request timeout only delays a remote read; a cut
// longer than it makes the fault chain's outcome unknown (the toucher gets SIGBUS, as the kernel
// gives for a fault it cannot finish), and after the heal the fault's late Pin and its Abandon
// reach the segment in the order sent, so the late pin is given back (pins balance, nothing is
// left in flight), with the endpoints telling their partitions the peer went unreachable and
// came back; crash and restart are refused with a clear message.
// How: scenarios run through the scenario runner, under several seeds each (named on failure),
// traced in memory where the test reads the deliveries.
using Emulator.Host.Runner;
using Emulator.Host.Scenarios;
using Xunit;

namespace Emulator.Tests.Xpc;

public sealed class FaultCommandsSpec
{
    private const int Seeds = 40;

    private const string Header = """
        partitions = 2
        processes {
          owner { partition = 0 }
          user  { partition = 1 }
        }
        """;

    private const string Shared = """
          "owner: mmap 0x10000 1p"
          "owner: fill 0x10000 1p index32"
          "owner: seg = make 0x10000 1p mode=0666"
          "user:  ap = get seg rdwr"
          "user:  at = attach ap 0 1p"
        """;

    [Fact]
    public void Runner_must_run_every_link_fault_command()
    {
        var scenario = Parse("every-fault", $$"""
            {{Header}}
            steps = [
              "drop 30%"
              "drop 60% 1->0"
              "duplicate 25%"
              "duplicate 50% 0->1"
              "delay 1us..3ms"
              "delay 0us..0us 1->0"
            {{Shared}}
              "user:  read32 at+8 => 2"
              "user:  write32 at+8 77"
              "cut 1 0"
              "heal 0 1"
              "owner: read32 0x10008 => 77"
              "drop 0%"
              "duplicate 0%"
              "delay 0us..0us"
              "user:  detach at"
              "expect pins balanced"
              "expect quiet"
            ]
            """);
        for (var seed = 1; seed <= Seeds; seed++)
        {
            var result = ScenarioRunner.Run(scenario, new RunOptions(seed));
            Assert.True(result.Passed, $"seed {seed}: {result.Failure}");
        }
    }

    [Fact]
    public void Cut_shorter_than_the_request_timeout_must_only_delay_a_remote_read()
    {
        var scenario = Parse("short-cut", $$"""
            {{Header}}
            steps = [
            {{Shared}}
              { parallel = [
                  [ "cut 0 1", "wait 300ms", "heal 0 1" ]
                  [ "user: read32 at+4 => 1" ]
              ] }
              "user: detach at"
              "expect pins balanced"
            ]
            """);
        for (var seed = 1; seed <= Seeds; seed++)
        {
            var result = ScenarioRunner.Run(scenario, new RunOptions(seed));
            Assert.True(result.Passed, $"seed {seed}: {result.Failure}");
            Assert.True(result.Summary.VirtualTime >= TimeSpan.FromMilliseconds(300),
                $"seed {seed}: the read ended at {result.Summary.VirtualTime}, inside the cut");
        }
    }

    [Fact]
    public void Cut_longer_than_the_request_timeout_must_give_SIGBUS_and_give_the_late_pin_back()
    {
        var scenario = Parse("long-cut", $$"""
            {{Header}}
            steps = [
            {{Shared}}
              { parallel = [
                  [ "cut 0 1", "wait 3s", "heal 0 1" ]
                  [ "user: read32 at+4 => SIGBUS" ]
              ] }
              "expect pins balanced"
              "expect quiet"
            ]
            """);
        for (var seed = 1; seed <= Seeds; seed++)
        {
            var result = ScenarioRunner.Run(scenario, new RunOptions(seed, Trace: true));
            Assert.True(result.Passed, $"seed {seed}: {result.Failure}");
            var trace = result.Trace!;
            foreach (var told in new[] { "PeerUnreachable", "PeerReachable" })
            {
                Assert.True(trace.Contains($"\"actor\":\"p0\",\"kind\":\"deliver\",\"type\":\"{told}\"")
                    && trace.Contains($"\"actor\":\"p1\",\"kind\":\"deliver\",\"type\":\"{told}\""),
                    $"seed {seed}: a partition was not told {told}");
            }
            // After the heal the segment gets the fault's Pin, then its Abandon: in the order sent.
            var pin = trace.IndexOf("\"kind\":\"deliver\",\"type\":\"Pin\"", StringComparison.Ordinal);
            var abandon = trace.IndexOf("\"kind\":\"deliver\",\"type\":\"Abandon\"", StringComparison.Ordinal);
            Assert.True(pin > 0 && abandon > pin, $"seed {seed}: the segment got Pin at {pin}, Abandon at {abandon}");
        }
    }

    [Theory]
    [InlineData("crash partition 1")]
    [InlineData("restart partition 0")]
    public void Runner_must_refuse_crash_and_restart_until_partition_failure_comes(string step)
    {
        var scenario = Parse("crash", $$"""
            {{Header}}
            steps = [ "{{step}}" ]
            """);
        var result = ScenarioRunner.Run(scenario, new RunOptions(1));
        Assert.False(result.Passed, $"seed 1: '{step}' ran");
        Assert.Equal(FailureCause.Step, result.Cause);
        Assert.Contains($"'{step}': crash and restart come with partition failure, in progress",
            result.Failure);
    }

    private static Scenario Parse(string name, string text) =>
        ScenarioParser.Parse(text, $"{name}.hocon");
}
