// Proves scenarios derived from the public XPMEM test suites (hjelmn test/, openucx gtest) hold
// in sim mode under several seeds; each file says which test it follows.
using Emulator.Host.Runner;
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

    [Theory]
    [MemberData(nameof(Files))]
    public void Suite_scenario_must_hold_under_several_seeds(string file)
    {
        var path = Path.Combine(ExamplesSpec.RepositoryFolder(Path.Combine("Tests", "Suites")), file);
        var scenario = ScenarioParser.ParseFile(path);
        for (var seed = 1; seed <= 8; seed++)
        {
            var result = ScenarioRunner.Run(scenario, new RunOptions(seed));
            Assert.True(result.Passed, $"{file} with seed {seed}: {result.Failure ?? string.Join("; ", result.Checks.Where(c => !c.Held).Select(c => $"{c.Name}: {c.Detail}"))}");
        }
    }
}
