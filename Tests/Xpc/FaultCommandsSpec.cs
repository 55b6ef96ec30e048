// Proves the link fault commands run in a scenario and do what docs/faults.md says: drop,
// duplicate and delay (on every link and on one direction), cut and heal all run, and the results
// are the perfect link's; a cut shorter than the heartbeat timeout only delays a remote read; a
// longer cut makes the fault chain's outcome unknown (the toucher gets SIGBUS, as the kernel gives
// for a fault it cannot finish) once the heartbeats declare the peer down, each side sees
// the other GOINGDOWN, DOWN, then UP after the heal, pins balance, nothing is left in flight, and
// the segment can be attached again in the new session.
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
    public void Cut_longer_than_the_heartbeat_timeout_must_give_SIGBUS_and_rejoin_at_the_heal()
    {
        var scenario = Parse("long-cut", $$"""
            partitions = 2
            processes {
              owner { partition = 0 }
              user  { partition = 1 }
              later { partition = 1 }
            }
            steps = [
            {{Shared}}
              { parallel = [
                  [ "cut 0 1", "wait 3s", "heal 0 1", "wait 200ms" ]
                  [ "user: read32 at+4 => SIGBUS" ]
              ] }
              "expect pins balanced"
              "expect quiet"
              "later: ap2 = get seg rdwr"
              "later: at2 = attach ap2 0 1p"
              "later: read32 at2+4 => 1"
            ]
            """);
        for (var seed = 1; seed <= Seeds; seed++)
        {
            var result = ScenarioRunner.Run(scenario, new RunOptions(seed, Trace: true));
            Assert.True(result.Passed, $"seed {seed}: {result.Failure}");
            var trace = result.Trace!;
            foreach (var state in new[] { "GoingDown", "Down", "Up" })
            {
                foreach (var (side, peer) in new[] { (0, 1), (1, 0) })
                {
                    Assert.True(trace.Contains($"\"kind\":\"peer_state_changed\","
                        + $"\"partition\":\"p{side}\",\"peer\":\"p{peer}\",\"state\":\"{state}\""),
                        $"seed {seed}: p{side} never saw p{peer} {state}");
                }
            }
        }
    }

    private static Scenario Parse(string name, string text) =>
        ScenarioParser.Parse(text, $"{name}.hocon");
}
