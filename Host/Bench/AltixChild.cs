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

    /// <summary>
    /// Page grain, and a live run's deadlines far out of a busy machine's reach: at a load
    /// average of 60 on 2 cores, a live 18 x 512 had a fault chain wait over the default 2 s
    /// (SIGBUS), and 0.5 s without a heartbeat declares a partition down. Neither fires in a run
    /// that holds, so the work measured is the same. The ladder's hint to run a failed rung
    /// again repeats them, so that it reruns what failed.
    /// </summary>
    public static readonly string[] Settings =
    [
        "--set", "access-grain=page", "--set", "request-timeout=60s",
        "--set", "xpc.missed-heartbeats-max=400", "--set", "live-reply-time-limit=120s",
    ];

    /// <summary>What one run took and did; the counts are 0 when the child wrote no run, the
    /// failure is the run's own (null when it held or wrote none).</summary>
    public sealed record Figures(TimeSpan Wall, long PeakBytes, int ExitCode, TimeSpan Cpu,
        long Faults, long Messages, string? Failure);

    public static Figures Run(AltixShape shape, RunMode mode)
    {
        var stem = Path.Combine(Path.GetTempPath(), $"xpmem-bench-{Environment.ProcessId}-"
            + $"{shape.Partitions}x{shape.Processes}x{shape.Pages}");
        var (file, results) = (stem + ".hocon", stem + ".json");
        File.WriteAllText(file, shape.Scenario());
        try
        {
            var timed = TimedChild.Run(["run", file, "--quiet", .. Settings, "--mode",
                mode.ToString().ToLowerInvariant(), "--results", results], Limit);
            var (faults, messages, failure) = Counts(results);
            return new Figures(timed.Wall, timed.PeakBytes, timed.ExitCode, timed.Cpu, faults,
                messages, failure);
        }
        finally
        {
            File.Delete(file);
            File.Delete(results);
        }
    }

    /// <summary>The first run's faults, messages and failure in a <c>--results</c> file, or
    /// zeros when the child wrote none (it crashed, or was refused).</summary>
    private static (long Faults, long Messages, string? Failure) Counts(string results)
    {
        if (!File.Exists(results)) return (0, 0, null);
        using var json = JsonDocument.Parse(File.ReadAllText(results));
        if (json.RootElement.GetProperty("runs") is not { ValueKind: JsonValueKind.Array } runs
            || runs.GetArrayLength() == 0)
        {
            return (0, 0, null);
        }
        var run = runs[0];
        return (run.GetProperty("faults").GetInt64(), run.GetProperty("messages").GetInt64(),
            run.GetProperty("failure").GetString());
    }
}

/// <summary>An Altix-shaped machine: partitions, processes on each, pages of each segment.
/// </summary>
public sealed record AltixShape(int Partitions, int Processes, int Pages)
{
    /// <summary>SGI's largest Altix: its partitions.</summary>
    public const int SgiPartitions = 18;

    /// <summary>The bench's and the generator's segment size, in pages.</summary>
    public const int PagesDefault = 16;

    /// <summary>SGI's partitions, the bench's segment size.</summary>
    public static AltixShape Altix(int processes, int pages = PagesDefault) =>
        new(SgiPartitions, processes, pages);

    /// <summary>The scenario of this shape, as a file's text.</summary>
    public string Scenario() => AltixScenario.Text(Partitions, Processes, Pages);

    /// <summary>The emulated pages' bytes: every process makes one segment of its own.</summary>
    public long PageBytes => (long)Partitions * Processes * Pages * (long)Xpmem.PageSize;

    public override string ToString() => $"{Partitions} x {Processes}"
        + (Pages == PagesDefault ? "" : $", {Pages}-page segments");
}
