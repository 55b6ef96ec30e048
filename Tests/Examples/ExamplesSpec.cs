// Proves every scenario in examples/ holds in sim mode under 300 seeds with every checker watching
// (each example is what a newcomer runs first, so each must keep working), and that a run's trace
// is byte-identical for the same seed.
using Emulator.Host;
using Emulator.Host.Cli;
using Emulator.Host.Runner;
using Emulator.Host.Scenarios;
using Xunit;

namespace Emulator.Tests.Examples;

public sealed class ExamplesSpec
{
    /// <summary>Seeds 1..300: each example on one reused system costs well under a second.</summary>
    private static readonly IEnumerable<int> Seeds = Enumerable.Range(1, 300);

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(RepositoryFolder("examples"), "*.hocon").OrderBy(f => f, StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Example_must_hold_under_several_seeds(string file)
    {
        var scenario = ScenarioParser.ParseFile(Path.Combine(RepositoryFolder("examples"), file));
        using var sweep = new SweepRunner(Settings.Defaults);
        foreach (var seed in Seeds)
        {
            var result = sweep.Run(scenario, seed);
            Assert.True(result.Passed,
                $"{file} with seed {seed}: {result.Failure ?? string.Join("; ", result.Checks.Where(c => !c.Held).Select(c => $"{c.Name}: {c.Detail}"))}");
        }
    }

    [Fact]
    public void Examples_must_number_at_least_ten()
    {
        Assert.True(Files().Count >= 10, $"only {Files().Count} examples");
    }

    [Fact]
    public void Parallel_cross_faults_must_never_deadlock_whatever_the_interleaving()
    {
        var scenario = ScenarioParser.ParseFile(Path.Combine(RepositoryFolder("examples"), "parallel-cross-faults.hocon"));
        using var sweep = new SweepRunner(Settings.Defaults);
        for (var seed = 1; seed <= 200; seed++)
        {
            var result = sweep.Run(scenario, seed);
            Assert.True(result.Passed, $"seed {seed}: {result.Failure}");
        }
    }

    [Theory]
    [InlineData("parallel-cross-faults.hocon", 7)]
    [InlineData("cross-partition-owner-exit.hocon", 3)]
    public void Example_must_give_the_same_trace_for_the_same_seed(string file, int seed)
    {
        var scenario = ScenarioParser.ParseFile(Path.Combine(RepositoryFolder("examples"), file));
        var first = ScenarioRunner.Run(scenario, new RunOptions(seed, Trace: true)).Trace;
        var second = ScenarioRunner.Run(scenario, new RunOptions(seed, Trace: true)).Trace;
        Assert.False(string.IsNullOrEmpty(first), $"{file} seed {seed}: no trace");
        Assert.True(first == second, $"{file} seed {seed}: traces differ");
    }

    /// <summary>A folder at the repository's root, found by walking up from the test binary.</summary>
    internal static string RepositoryFolder(string name)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Emulator.sln"))) return Path.Combine(directory.FullName, name);
        }
        throw new DirectoryNotFoundException($"no Emulator.sln above {AppContext.BaseDirectory}");
    }
}
