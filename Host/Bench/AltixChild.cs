using System.Text.Json;
using Emulator.Host.Machines;
using Emulator.Protocol;

namespace Emulator.Host.Bench;

/// <summary>
/// The Altix-shaped scenario run by <c>xpmem-emu run</c> in a child process at page grain, timed
/// and measured from outside (<see cref="TimedChild"/>), with the work the run counted (its
/// <c>--results</c>): what the bench's Altix and memory figures and the ladder are made of.
/// </summary>
internal static class AltixChild
{
    /// <summary>No rung of a ladder should come near it: 18 x 512 takes about 20 s.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(30);

    /// <summary>What one run took and did; the counts are 0 when the child wrote no run.
    /// </summary>
    public sealed record Figures(TimeSpan Wall, long PeakBytes, int ExitCode, TimeSpan Cpu,
        long Faults, long Messages, long XpcMessages);

    public static Figures Run(AltixShape shape, RunMode mode)
    {
        var stem = Path.Combine(Path.GetTempPath(), $"xpmem-bench-{Environment.ProcessId}-"
            + $"{shape.Partitions}x{shape.Processes}x{shape.Pages}");
        var (file, results) = (stem + ".hocon", stem + ".json");
        File.WriteAllText(file, AltixScenario.Text(shape.Partitions, shape.Processes,
            shape.Pages));
        try
        {
            var timed = TimedChild.Run(["run", file, "--quiet", "--set", "access-grain=page",
                "--mode", mode.ToString().ToLowerInvariant(), "--results", results], Limit);
            var (faults, messages, xpc) = Counts(results);
            return new Figures(timed.Wall, timed.PeakBytes, timed.ExitCode, timed.Cpu, faults,
                messages, xpc);
        }
        finally
        {
            File.Delete(file);
            File.Delete(results);
        }
    }

    /// <summary>The first run's faults and messages in a <c>--results</c> file, or zeros when
    /// the child wrote none (it crashed, or was refused).</summary>
    private static (long Faults, long Messages, long Xpc) Counts(string results)
    {
        if (!File.Exists(results)) return (0, 0, 0);
        using var json = JsonDocument.Parse(File.ReadAllText(results));
        if (json.RootElement.GetProperty("runs") is not { ValueKind: JsonValueKind.Array } runs
            || runs.GetArrayLength() == 0)
        {
            return (0, 0, 0);
        }
        var run = runs[0];
        return (run.GetProperty("faults").GetInt64(), run.GetProperty("messages").GetInt64(),
            run.GetProperty("xpcMessages").GetInt64());
    }
}

/// <summary>An Altix-shaped machine: partitions, processes on each, pages of each segment.
/// </summary>
public sealed record AltixShape(int Partitions, int Processes, int Pages)
{
    /// <summary>SGI's partitions, the bench's segment size.</summary>
    public static AltixShape Altix(int processes, int pages = 16) => new(18, processes, pages);

    /// <summary>The emulated pages' bytes: every process makes one segment of its own.</summary>
    public long PageBytes => (long)Partitions * Processes * Pages * (long)Xpmem.PageSize;

    public override string ToString() => $"{Partitions} x {Processes}"
        + (Pages == 16 ? "" : $", {Pages}-page segments");
}
