// Proves the scenarios here hold in sim mode under 1,000 seeds each, with every checker watching
// every access: those derived from the public XPMEM test suites (hjelmn test/, openucx gtest;
// each file says which test it follows) and the race-* files, one per window between two
// deliveries that the kernel closes with a lock (docs/protocol.md lists them and how each is
// closed). A failure names the file and the seed that reproduces it with `xpmem-emu run`.
using Emulator.Host;
using Emulator.Host.Cli;
using Emulator.Host.Scenarios;
using Emulator.Tests.Examples;
using Xunit;

namespace Emulator.Tests.Suites;

public sealed class SuitesSpec
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        var folder = ExamplesSpec.RepositoryFolder(Path.Combine("Tests", "Suites"));
        foreach (var file in Directory.GetFiles(folder, "*.hocon").OrderBy(f => f, StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }
        return data;
    }

    /// <summary>Seeds per file; XPMEM_SUITE_SEEDS raises it for a longer local sweep.</summary>
    private static readonly int Seeds =
        int.TryParse(Environment.GetEnvironmentVariable("XPMEM_SUITE_SEEDS"), out var n) ? n : 1000;

    [Theory]
    [MemberData(nameof(Files))]
    public void Suite_scenario_must_hold_under_a_thousand_seeds(string file)
    {
        var path = Path.Combine(ExamplesSpec.RepositoryFolder(Path.Combine("Tests", "Suites")), file);
        var scenario = ScenarioParser.ParseFile(path);
        using var sweep = new SweepRunner(Settings.Defaults);
        for (var seed = 1; seed <= Seeds; seed++)
        {
            var result = sweep.Run(scenario, seed);
            Assert.True(result.Passed, $"{file} with seed {seed}: {result.Failure ?? string.Join("; ", result.Checks.Where(c => !c.Held).Select(c => $"{c.Name}: {c.Detail}"))}");
        }
    }
}
