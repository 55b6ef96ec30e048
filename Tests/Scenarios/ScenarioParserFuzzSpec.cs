using System.Text.RegularExpressions;
using Emulator.Host.Scenarios;
using Xunit;
using static Emulator.Tests.Scenarios.ScenarioFiles;

namespace Emulator.Tests.Scenarios;

// Proves that no input makes the parser raise anything but ScenarioException, hang, or hit its
// own "internal parser error" safety net: every truncation of the two examples, seeded random
// mutations of them (HOCON's and the step language's own characters, substitutions, includes,
// unbalanced brackets), seeded random text, and long runs of letters, digits, control
// characters or any code unit inserted anywhere. Every error it gives is located, in file order,
// at most ErrorsMax of them, each line free of control characters and short. And seeded typos in
// the command words of several steps give one error each, on its line, with a suggestion one
// edit away. A failure names the seed and the input.
public sealed partial class ScenarioParserFuzzSpec
{
    private const int Seed = 20261126;
    private static readonly TimeSpan BatchTimeout = TimeSpan.FromSeconds(120);

    // "fuzz.hocon:LINE:COLUMN: " and the longest reason a message keeps.
    private const int MessageLineLengthMax = 40 + MessageText.ReasonLengthMax + 1;

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

    [Fact]
    public async Task ScenarioParser_must_only_raise_short_escaped_errors_on_huge_tokens()
    {
        var random = new Random(Seed + 2);
        var inputs = Enumerable.Range(0, 30).Select(_ => ScenarioMutations.WithHugeToken(random));

        await CheckAll(inputs, $"huge tokens, seed {Seed + 2}");
    }

    [Fact]
    public void ScenarioParser_must_report_each_typo_in_a_command_on_its_own_line()
    {
        var random = new Random(Seed + 3);
        var lines = DesignExample.Split('\n');
        var stepLines = Enumerable.Range(0, lines.Length)
            .Where(i => lines[i].TrimStart().StartsWith('"'))
            .ToList();
        for (int file = 0; file < 300; file++)
        {
            var mutated = (string[])lines.Clone();
            var chosen = stepLines.OrderBy(_ => random.Next()).Take(random.Next(1, 6)).ToList();
            var typos = chosen.ToDictionary(line => line + 1, line => TypoInCommand(
                random, ref mutated[line]));
            string text = string.Join('\n', mutated);

            var error = Assert.Throws<ScenarioException>(() => Parse(text));

            string what = $"seed {Seed + 3}, file {file}: {error.Message}";
            Assert.True(typos.Keys.Order().SequenceEqual(error.Errors.Select(e => e.Location.Line)),
                what);
            Assert.All(error.Errors, e =>
            {
                string typo = typos[e.Location.Line];
                Assert.StartsWith($"unknown command '{typo}'; did you mean '", e.Reason);
                string suggested = e.Reason.Split('\'')[3];
                Assert.True(Suggestions.Distance(typo, suggested, ignoreCase: true) <= 1, what);
            });
        }
    }

    // The step's command word (after "PROCESS:" and "NAME =") replaced by a typo that is no
    // command; returns the typo.
    private static string TypoInCommand(Random random, ref string line)
    {
        var match = CommandWord().Match(line);
        string word = match.Groups[1].Value;
        string typo;
        do
        {
            typo = ScenarioMutations.Typo(random, word);
        }
        while (CommandTable.Find(typo) is not null);
        line = line[..match.Groups[1].Index] + typo + line[(match.Groups[1].Index + word.Length)..];
        return typo;
    }

    [GeneratedRegex("\"\\w+:\\s*(?:\\w+\\s*=\\s*)?(\\w+)")]
    private static partial Regex CommandWord();

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
            return Problem(e);
        }
        catch (Exception e)
        {
            return $"raised {e.GetType().Name}: {e.Message}";
        }
    }

    private static string? Problem(ScenarioException e)
    {
        if (e.Errors.Any(error => error.Location.Line < 1 || error.Location.Column < 1))
            return $"gave a location that is no line and column: {e.Message}";
        if (e.Errors.Count > ScenarioParser.ErrorsMax)
            return $"gave {e.Errors.Count} errors";
        var positions = e.Errors.Select(error => (error.Location.Line, error.Location.Column));
        if (!positions.SequenceEqual(positions.Order()))
            return $"gave errors out of file order: {e.Message}";
        var lines = e.Message.Split('\n');
        if (lines.Any(line => line.Any(char.IsControl)))
            return $"gave a control character in: {MessageText.Escape(e.Message)}";
        if (lines.Any(line => line.Length > MessageLineLengthMax))
            return $"gave a line of {lines.Max(line => line.Length)} characters";
        return null;
    }

    private static bool IsInternalError(ScenarioException e) =>
        e.Reason.StartsWith("internal parser error", StringComparison.Ordinal);
}
