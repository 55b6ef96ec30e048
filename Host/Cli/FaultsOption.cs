using System.CommandLine.Parsing;
using Emulator.Host.Scenarios;

namespace Emulator.Host.Cli;

/// <summary>
/// <c>--faults LIST</c>: link faults every run starts with, so any scenario runs as a chaos
/// scenario without editing it (<c>--faults "drop 30%, duplicate 30%, delay 10us..2ms"</c>). The
/// faults are the language's own commands (<c>drop</c>, <c>duplicate</c>, <c>delay</c>, each on
/// every link or one direction), checked against each file's partitions, and become the file's
/// first steps. Loss, duplication and delay change no outcome, only time (docs/faults.md), so a
/// file that holds without them must hold with them.
/// </summary>
public static class FaultsOption
{
    /// <summary>
    /// The commands the option takes: the link faults that last (not cut or crash).
    /// </summary>
    public static readonly IReadOnlyList<string> Commands = ["drop", "duplicate", "delay"];

    /// <summary>What the option's value is, for help and errors.</summary>
    public const string Forms = "a list of drop RATE [P->Q], duplicate RATE [P->Q] and "
        + "delay MIN..MAX [P->Q], separated by commas or semicolons";

    /// <summary>
    /// The <c>--faults</c> option's parser (run and explore): the last value given, or the error
    /// saying what was wrong and what LIST may be.
    /// </summary>
    public static IReadOnlyList<string> Parse(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (TryParse(text, out var faults, out var error)) return faults;
        result.AddError($"--faults '{UserText.Safe(text)}': {error}; LIST is {Forms}");
        return [];
    }

    /// <summary>
    /// Splits <paramref name="text"/> into its faults; false, with <paramref name="error"/>, when
    /// it is empty or names anything but a link fault.
    /// </summary>
    public static bool TryParse(string text, out IReadOnlyList<string> faults, out string error)
    {
        var parts = text.Split([',', ';'], StringSplitOptions.TrimEntries)
            .Where(part => part.Length > 0).ToList();
        faults = parts;
        error = "";
        if (parts.Count == 0)
        {
            error = "no fault given";
            return false;
        }
        foreach (var part in parts)
        {
            var command = part.Split(' ', 2)[0];
            if (Commands.Contains(command)) continue;
            error = $"'{command}' is not a link fault"
                + Suggestions.DidYouMean(command, Commands);
            return false;
        }
        return true;
    }

    /// <summary>
    /// <paramref name="scenario"/> with <paramref name="faults"/> as its first steps; null, with
    /// <paramref name="error"/> naming the fault and what is wrong, when the file cannot take
    /// one (a partition it does not have, a bad rate or duration).
    /// </summary>
    public static Scenario? Apply(Scenario scenario, IReadOnlyList<string> faults,
        out string error)
    {
        var steps = new List<Step>();
        foreach (var fault in faults)
        {
            var quoted = "\"" + fault.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
            try
            {
                steps.AddRange(ScenarioParser.Parse(
                    $"partitions = {scenario.Partitions}\nsteps = [ {quoted} ]", "--faults").Steps);
            }
            catch (ScenarioException bad)
            {
                error = $"--faults '{fault}': {bad.Reason}";
                return null;
            }
        }
        error = "";
        return scenario with { Steps = [.. steps, .. scenario.Steps] };
    }
}
