// Proves the step side of shrinking without actors: which pieces of a scenario may be left out
// (blocks before branches before single steps, never what holds the failing step), the scenario
// without them (empty branches and blocks go too), the check that no kept step loses a name it
// uses, and the shrinker leaving out every step a stand-in failure does not need, never running
// a cut that unbinds a name and never cutting the step the failure happens at.
using Emulator.Host.Explore;
using Emulator.Host.Runner;
using Emulator.Host.Scenarios;
using Emulator.Partitions.Checks;
using Xunit;

namespace Emulator.Tests.Explore;

public sealed class StepCutSpec
{
    private const string File = "cut.hocon";

    // Steps on lines 7 to 15, at column 3; the branches' at 9 and 33, the repeat's at 27.
    private static readonly Scenario Scenario = ScenarioParser.Parse("""
        partitions = 2
        processes {
          a { partition = 0 }
          b { partition = 1 }
        }
        steps = [
          "a: m = mmap 1p"
          "a: fill m 1p byte=1"
          "b: n = mmap 1p"
          { parallel = [
              [ "a: check m 1p byte=1", "a: write32 m 2" ]
              [ "b: fill n 1p byte=2" ]
          ] }
          { repeat = 2, steps = [ "b: add32 n 4 1" ] }
          "b: check n 4 byte=3"
        ]
        """, File);

    [Fact]
    public void Pieces_must_go_from_blocks_to_branches_to_steps_and_spare_the_failing_step()
    {
        // A block is its steps; a branch or repeat of one step is that step, tried once.
        Assert.Equal(["7:3", "8:3", "9:3", "11:9 11:33 12:9", "11:9 11:33", "11:9", "11:33",
            "12:9", "14:27", "15:3"], Shown(StepCut.Pieces(Scenario, keep: null)));

        // The failure at the branch's write: its block and branch stay, the rest may go.
        var failing = new SourceLocation(File, 11, 33);
        Assert.Equal(["7:3", "8:3", "9:3", "11:9", "12:9", "14:27", "15:3"],
            Shown(StepCut.Pieces(Scenario, failing)));
    }

    [Fact]
    public void Without_must_drop_the_steps_and_the_branches_and_blocks_left_empty()
    {
        var cut = StepCut.Without(Scenario, [new(12, 9), new(14, 27), new(8, 3)]);

        Assert.Equal(["7:3", "9:3", "11:9", "11:33", "15:3"],
            cut.Commands().Select(step => StepId.Of(step.Location).ToString()));
        var parallel = Assert.IsType<ParallelStep>(cut.Steps[2]);
        Assert.Single(parallel.Branches);
        Assert.Same(Scenario, StepCut.Without(Scenario, []));
        Assert.Equal(8, StepCut.FileSteps(Scenario).Count);
    }

    [Fact]
    public void A_cut_that_leaves_a_used_name_unbound_must_be_refused()
    {
        Assert.Equal("cut.hocon:8:3 \"a: fill m 1p byte=1\" uses 'm', which only a left-out "
            + "step binds", StepCut.Unbound(Scenario, new HashSet<StepId> { new(7, 3) }));
        // Leaving out the bind and every use of it is a fine cut.
        Assert.Null(StepCut.Unbound(Scenario, new HashSet<StepId>
            { new(7, 3), new(8, 3), new(11, 9), new(11, 33) }));
        Assert.Equal("99:1 is not a step of cut.hocon (its steps are at lines 7 to 15)",
            StepCut.Problem(Scenario, [new(99, 1)]));
        Assert.Null(StepCut.Problem(Scenario, [new(15, 3)]));
        Assert.Equal(new StepId(12, 5), StepId.Parse("12:5"));
        Assert.Null(StepId.Parse("12"));
        Assert.Null(StepId.Parse("0:5"));
    }

    [Fact]
    public void Shrink_must_leave_out_every_step_the_failure_does_not_need()
    {
        // A stand-in run fails at the branch's write while the fill of b (12:9) is kept, so the
        // write's own needs (m's mmap) stay by the name check, and everything else may go.
        var failingAt = new SourceLocation(File, 11, 33);
        var unbound = 0;
        ScheduleRun Run(ScheduleTry attempt)
        {
            if (StepCut.Unbound(Scenario, attempt.LeftOut.ToHashSet()) is not null) unbound++;
            var fails = !attempt.LeftOut.Contains(new StepId(12, 9));
            return new ScheduleRun(attempt.Choices, attempt.Draws,
                Outcome(fails ? failingAt : null));
        }
        var failing = Run(new ScheduleTry([], [], []));

        var result = Shrinker.Shrink(failing, Scenario, Run, runsMax: 500,
            TimeSpan.FromMinutes(1));

        Assert.Equal(["8:3", "11:9", "14:27", "15:3"],
            result.Shrunk.LeftOut.Select(id => id.ToString()));
        Assert.Equal(0, unbound);
        Assert.True(result.Runs < 40, $"{result.Runs} runs");
    }

    private static IEnumerable<string> Shown(IReadOnlyList<IReadOnlySet<StepId>> pieces) =>
        pieces.Select(piece => string.Join(" ", piece.Order()));

    private static ScheduleOutcome Outcome(SourceLocation? failedAt)
    {
        var step = failedAt is { } at ? new CommandStep(at, "a", null, new ExitCommand(0),
            new ExpectOk(false), "a: write32 m 2") : null;
        var result = new RunResult(Scenario, 1, step is null ? null : "it failed",
            new RunSummary(0, 0, 0, 0, 0, new PinTally(0, 0), TimeSpan.Zero, TimeSpan.Zero), [],
            null)
        {
            Cause = step is null ? null : FailureCause.Step,
            FailedStep = step,
        };
        return new ScheduleOutcome(result, 0, 0);
    }
}
