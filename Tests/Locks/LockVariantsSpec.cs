// Proves the protocol variants are what they say, on the real actors in sim: with
// lock-order = naive, two processes faulting on each other's memory while a writer waits on each
// mm deadlock, the wait-for graph reports the cycle (each task, its lock, whom it waits for), and
// the same seed gives the same report again; with the kernel's order the same scenario holds on
// every seed (Tests/Suites runs it under 1,000). With remove-waits-for-faults = false, a remove
// racing a fault lets a PTE in after it, and the checkers catch the access that follows.
using Emulator.Host;
using Emulator.Host.Cli;
using Emulator.Host.Runner;
using Emulator.Host.Scenarios;
using Emulator.Tests.Examples;
using Xunit;

namespace Emulator.Tests.Locks;

public sealed class LockVariantsSpec
{
    private static Scenario Suite(string file) => ScenarioParser.ParseFile(Path.Combine(
        ExamplesSpec.RepositoryFolder(Path.Combine("Tests", "Suites")), file));

    /// <summary>The seeds 1..<paramref name="seeds"/> that fail, with their results.</summary>
    private static List<RunResult> Failures(string file, string overrides, int seeds)
    {
        var scenario = Suite(file);
        using var sweep = new SweepRunner(Settings.Load(overrides));
        return Enumerable.Range(1, seeds).Select(seed => sweep.Run(scenario, seed))
            .Where(result => !result.Passed).ToList();
    }

    [Fact]
    public void Naive_lock_order_must_deadlock_on_mutual_faults_and_say_so_again_on_replay()
    {
        const string file = "race-mutual-faults-with-writers.hocon";
        var failures = Failures(file, "xpmem-emulator.lock-order = naive", seeds: 40);

        Assert.NotEmpty(failures);
        var first = failures[0];
        Assert.True(first.Failure?.Contains("checker 'no deadlock' failed") == true,
            $"seed {first.Seed}: {first.Failure}");
        Assert.Contains("deadlock: a cycle of waits: ", first.Failure);
        Assert.Contains("waits for mmap_sem of p0/100", first.Failure);
        Assert.Contains("waits for mmap_sem of p1/100", first.Failure);
        // Every failure is the deadlock, nothing else.
        Assert.All(failures, f => Assert.True(f.Failure?.Contains("no deadlock") == true,
            $"seed {f.Seed}: {f.Failure}"));

        using var again = new SweepRunner(Settings.Load("xpmem-emulator.lock-order = naive"));
        Assert.Equal(first.Failure, again.Run(Suite(file), first.Seed).Failure);
    }

    [Fact]
    public void Kernel_lock_order_must_hold_where_the_naive_one_deadlocks()
    {
        var failures = Failures("race-mutual-faults-with-writers.hocon", "", seeds: 200);
        Assert.True(failures.Count == 0,
            string.Join("\n", failures.Select(f => $"seed {f.Seed}: {f.Failure}")));
    }

    [Fact]
    public void Remove_that_does_not_wait_for_faults_must_let_an_access_through_the_dead()
    {
        var failures = Failures("race-remove-during-fault.hocon",
            "xpmem-emulator.remove-waits-for-faults = false", seeds: 300);

        Assert.NotEmpty(failures);
        Assert.All(failures, f => Assert.True(
            f.Failure?.Contains("no access through the dead") == true
            || f.Checks.Any(c => !c.Held), $"seed {f.Seed}: {f.Failure}"));
    }
}
