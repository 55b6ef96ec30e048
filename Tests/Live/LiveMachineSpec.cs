// Proves the live driver on its own: it starts processes, runs calls on real threads, settles
// once everything a call set going has ended, and finishes with every checker's report; its
// clock and delivery count move; a step whose reply does not come within live-reply-time-limit
// (here a get across a cut link, with the limit set below the time a peer takes to count as
// unreachable) fails the run as stuck, naming the step, instead of hanging.
using Emulator.Host;
using Emulator.Host.Live;
using Emulator.Host.Machines;
using Emulator.Host.Runner;
using Emulator.Host.Scenarios;
using Emulator.Partitions.Live;
using Emulator.Protocol;
using Emulator.Protocol.Processes;
using Xunit;

namespace Emulator.Tests.Live;

public sealed class LiveMachineSpec
{
    [Fact]
    public void LiveMachine_must_run_calls_settle_and_finish_with_every_checker_held()
    {
        using var machine = new LiveMachine(2, seed: 1, Settings.Defaults);
        var owner = machine.Spawn(0, new Credentials(1000, 1000), LibraryMode.Libxpmem);
        var user = machine.Spawn(1, new Credentials(1000, 1000), LibraryMode.Libxpmem);
        Assert.NotNull(owner);
        Assert.NotNull(user);

        var id = machine.Start(owner.Value, new MmapCall(0x10000, 0x4000));
        Assert.True(machine.TryNextReply(machine.ReplyTimeLimit, out var reply), "no reply");
        var (replyId, outcome) = MachineReplies.OutcomeOf(reply);
        Assert.Equal(id, replyId);
        Assert.Equal(OutcomeKind.Ok, outcome.Kind);
        Assert.True(machine.Settle(), "the machine did not settle");
        Assert.Equal(0, machine.Monitor.Read(m => m.InFlight.Count));

        var reports = machine.Finish([owner.Value, user.Value]);
        Assert.All(reports, report => Assert.True(report.Held, $"{report.Name}: {report.Saw}"));
        Assert.True(machine.Deliveries > 0);
        Assert.True(machine.Now > TimeSpan.Zero);
    }

    [Fact]
    public void LiveRun_must_fail_as_stuck_when_no_reply_comes_within_its_bound()
    {
        var scenario = ScenarioParser.Parse("""
            partitions = 2
            processes {
              owner { partition = 0 }
              user  { partition = 1 }
            }
            steps = [
              "owner: mmap 0x10000 1p"
              "owner: seg = make 0x10000 1p mode=0666"
              "cut 0 1"
              "user: ap = get seg rdwr"
            ]
            """, "stuck.hocon");
        // Nothing else may end the get first: the cut is never noticed (no heartbeat timeout, no
        // request deadline within the test), so only the reply bound can end it. The bound also
        // holds each step's settling, so it must leave a loaded machine time to settle the steps
        // before (with 200ms the spec failed twice under the whole suite, never alone).
        var config = Settings.Load("xpmem-emulator.live-reply-time-limit = 2s\n"
            + "xpmem-emulator.request-timeout = 1h\n"
            + "xpmem-emulator.xpc.missed-heartbeats-max = 100000");
        var result = ScenarioRunner.Run(scenario, new RunOptions(7, Mode: RunMode.Live), config);
        Assert.False(result.Passed);
        Assert.Equal(FailureCause.Stuck, result.Cause);
        Assert.Contains("no reply came within", result.Failure);
        Assert.Contains("user: ap = get seg rdwr", result.Failure);
        Assert.Contains("(seed 7)", result.Failure);
    }
}
