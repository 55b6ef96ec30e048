using Emulator.Host.Scenarios;
using Xunit;
using static Emulator.Tests.Scenarios.ScenarioFiles;

namespace Emulator.Tests.Scenarios;

// Proves that no input makes the parser raise anything but ScenarioException, hang, or hit its
// own "internal parser error" safety net: every truncation of the two examples, seeded random
// mutations of them (HOCON's and the step language's own characters, substitutions, includes,
// unbalanced brackets) and seeded random text. A failure names the seed and the input.
public sealed class ScenarioParserFuzzSpec
{
    private const int Seed = 20261126;
    private static readonly TimeSpan BatchTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task ScenarioParser_must_only_raise_ScenarioException_on_truncated_files()
    {
        var inputs = new[] { DesignExample, LanguageFileExample }
            .SelectMany(text => Enumerable.Range(0, text.Length).Select(n => text[..n]));

        await CheckAll(inputs, "every truncation of the examples");
    }

    [Fact]
    public async Task ScenarioParser_must_only_raise_ScenarioException_on_mutated_files()
    {
        var random = new Random(Seed);
        var inputs = Enumerable.Range(0, 6000).Select(_ => ScenarioMutations.Mutate(random));

        await CheckAll(inputs, $"mutations of the examples, seed {Seed}");
    }

    [Fact]
    public async Task ScenarioParser_must_only_raise_ScenarioException_on_random_text()
    {
        var random = new Random(Seed + 1);
        var inputs = Enumerable.Range(0, 2000).Select(_ => ScenarioMutations.RandomText(random));

        await CheckAll(inputs, $"random text, seed {Seed + 1}");
    }

    // One task for the whole batch, so a parse that hangs fails the test (naming its input)
    // instead of hanging the run.
    private static async Task CheckAll(IEnumerable<string> inputs, string what)
    {
        string current = "";
        int index = -1;
        string? failure = null;
        var batch = Task.Run(() =>
        {
            foreach (string input in inputs)
            {
                (current, index) = (input, index + 1);
                failure = Check(input);
                if (failure is not null)
                    return;
            }
        });
        try
        {
            await batch.WaitAsync(BatchTimeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{what}: input {index} did not finish within {BatchTimeout}: "
                + ScenarioMutations.Escape(current));
        }
        Assert.True(failure is null,
            $"{what}: input {index} {failure}: {ScenarioMutations.Escape(current)}");
    }

    private static string? Check(string input)
    {
        try
        {
            ScenarioParser.Parse(input, "fuzz.hocon");
            return null;
        }
        catch (ScenarioException e) when (!IsInternalError(e))
        {
            bool located = e.Location.Line >= 1 && e.Location.Column >= 1;
            return located ? null : $"gave location {e.Location}";
        }
        catch (Exception e)
        {
            return $"raised {e.GetType().Name}: {e.Message}";
        }
    }

    private static bool IsInternalError(ScenarioException e) =>
        e.Reason.StartsWith("internal parser error", StringComparison.Ordinal);
}
