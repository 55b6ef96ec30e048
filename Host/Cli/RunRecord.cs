using System.Text.RegularExpressions;
using Emulator.Host.Machines;
using Emulator.Host.Runner;

namespace Emulator.Host.Cli;

/// <summary>One run of a file under a seed, as the command reports it.</summary>
public sealed partial record RunRecord(SweepFile File, int Seed, RunResult Result,
    string? TracePath)
{
    public bool Passed => Result.Passed;

    /// <summary>The mode the run ran in.</summary>
    public RunMode Mode { get; init; } = RunMode.Sim;

    /// <summary>The <c>--faults</c> the run started with.</summary>
    public IReadOnlyList<string> Faults { get; init; } = [];

    /// <summary>The <c>--set</c> overrides the run had.</summary>
    public IReadOnlyList<string> Overrides { get; init; } = [];

    /// <summary>
    /// The command that runs this file under this seed again (in live, the same setting: not
    /// the same run).
    /// </summary>
    public string Reproduce => ReproduceCommand(File.Path, Seed, Mode, Faults, Overrides);

    /// <summary>
    /// What failed, one message per line: the step (or the machine), then each checker that did
    /// not hold, then the run's remark on them if it has one. Empty when the run held.
    /// </summary>
    public IReadOnlyList<string> Failures
    {
        get
        {
            var failures = new List<string>();
            if (Result.Failure is { } failure) failures.Add(failure);
            foreach (var check in Result.Checks.Where(c => !c.Held))
            {
                failures.Add($"checker '{check.Name}' did not hold: {check.Detail} "
                    + $"(seed {Seed})");
            }
            if (failures.Count > 0 && Result.Remark is { } remark) failures.Add(remark);
            return failures;
        }
    }

    /// <summary>
    /// <c>xpmem-emu run FILE --seed N</c> (and <c>--mode live</c> or <c>cluster</c> for such a
    /// run, <c>--faults LIST</c> for a run with faults, <c>--set KEY=VALUE</c> for each
    /// override), with FILE, LIST and each setting quoted for a POSIX shell where needed.
    /// </summary>
    public static string ReproduceCommand(string path, int seed, RunMode mode = RunMode.Sim,
        IReadOnlyList<string>? faults = null, IReadOnlyList<string>? overrides = null) =>
        $"xpmem-emu run {ShellWord(path)} --seed {seed}"
        + (mode == RunMode.Sim ? "" : $" --mode {mode.ToString().ToLowerInvariant()}")
        + (faults is { Count: > 0 } ? $" --faults {ShellWord(string.Join(", ", faults))}" : "")
        + string.Concat((overrides ?? []).Select(setting => $" --set {ShellWord(setting)}"));

    internal static string ShellWord(string path)
    {
        // A path that starts with '-' would read as an option.
        if (path.StartsWith('-')) path = "./" + path;
        return PlainWord().IsMatch(path) ? path : "'" + path.Replace("'", "'\\''") + "'";
    }

    [GeneratedRegex("^[A-Za-z0-9_./=:@%+,-]+$")]
    private static partial Regex PlainWord();
}
