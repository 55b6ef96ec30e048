// Proves the shrinker on a pure stand-in for a run (no actors): a "run" fails when the choices
// at two positions are off the default order, one link fault and one injected crash are kept,
// and a candidate's recorded schedule is what was asked; the shrinker must keep exactly those and
// drop every other deviation, fault and injection, never accept a candidate that fails another
// way, and stop at its bound.
using Emulator.Host.Explore;
using Emulator.Host.Injection;
using Emulator.Host.Runner;
using Emulator.Host.Scenarios;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Sim;
using Xunit;

namespace Emulator.Tests.Explore;

public sealed class ShrinkerSpec
{
    private static readonly Scenario Nothing = ScenarioParser.Parse("steps = []", "shrink.hocon");

    [Fact]
    public void Shrink_must_keep_only_the_deviations_and_faults_the_failure_needs()
    {
        var random = new Random(5);
        var choices = Enumerable.Range(0, 300).Select(i => i is 40 or 211 ? 2 : random.Next(3))
            .ToList();
        var draws = Enumerable.Range(0, 60).Select(i => new LinkDraw(i % 7 == 3,
            i == 17 ? 1 : random.Next(2))).ToList();
        var needed = new Injection(90, InjectKind.Crash, 1);
        Injection[] injected = [new(12, InjectKind.ReplyDrop), needed,
            new(140, InjectKind.Restart, 1)];
        var runs = 0;
        ScheduleRun Run(ScheduleTry attempt)
        {
            runs++;
            var (c, d) = (attempt.Choices, attempt.Draws);
            var fails = c[40] != 0 && c[211] != 0 && d[17].IsFault
                && attempt.Injected.Contains(needed);
            return new ScheduleRun(c, d, Outcome(fails ? "step 3 failed" : null))
            {
                Injected = attempt.Injected,
            };
        }
        var failing = Run(new ScheduleTry(choices, draws, []) { Injected = injected });
        var result = Shrinker.Shrink(failing, scenario: null, Run, runsMax: 5000,
            TimeSpan.FromMinutes(5));
        var kept = Enumerable.Range(0, 300).Where(i => result.Shrunk.Choices[i] != 0);
        Assert.Equal([40, 211], kept);
        Assert.Equal(1, result.Shrunk.FaultDraws);
        Assert.True(result.Shrunk.Draws[17].IsFault);
        Assert.Equal([needed], result.Shrunk.Injected);
        Assert.Equal(runs - 1, result.Runs);
    }

    [Fact]
    public void Shrink_must_not_slide_to_another_failure_and_must_stop_at_its_bound()
    {
        var choices = Enumerable.Repeat(1, 64).ToList();
        // Every candidate fails, but at another step: nothing may be taken from the original.
        var result = Shrinker.Shrink(new ScheduleRun(choices, [], Outcome("step 3 failed")),
            scenario: null,
            attempt => new ScheduleRun(attempt.Choices, attempt.Draws,
                Outcome("step 4 failed", line: 4)), runsMax: 10,
            TimeSpan.FromMinutes(5));
        Assert.Equal(64, result.Shrunk.Deviations);
        Assert.Equal(10, result.Runs);
    }

    [Fact]
    public void A_step_failing_for_a_name_with_no_value_must_not_fail_the_same_way()
    {
        var found = Outcome("shrink.hocon:3:1: step \"p: exit\": expected ok, got EFAULT").Result;
        var unbound = Outcome($"shrink.hocon:3:1: step \"p: exit\": name 'm' "
            + ScenarioRunner.NoValue).Result;
        var again = Outcome("shrink.hocon:3:1: step \"p: exit\": expected ok, got EINVAL").Result;

        Assert.NotEqual(FailureSignature.Of(found), FailureSignature.Of(unbound));
        Assert.Equal(FailureSignature.Of(found), FailureSignature.Of(again));
    }

    private static ScheduleOutcome Outcome(string? failure, int line = 3)
    {
        var step = new CommandStep(new SourceLocation("shrink.hocon", line, 1), "p", null,
            new ExitCommand(0), new ExpectOk(false), "p: exit");
        var result = new RunResult(Nothing, 1, failure, new RunSummary(0, 0, 0, 0, 0,
            new PinTally(0, 0), TimeSpan.Zero, TimeSpan.Zero), [], null)
        {
            Cause = failure is null ? null : FailureCause.Step,
            FailedStep = failure is null ? null : step,
        };
        return new ScheduleOutcome(result, 0, 0);
    }
}
