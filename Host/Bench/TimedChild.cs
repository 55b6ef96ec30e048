using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Globalization;
using Emulator.Host.Cli;

namespace Emulator.Host.Bench;

/// <summary>
/// A run of this program in a child process, timed from outside as a user would (wall clock of
/// the whole process, JIT and start included) with its peak resident memory (Linux's VmHWM)
/// and the CPU time it used (user and system, which a busy machine inflates less than the
/// wall), both read until the child ends.
/// </summary>
internal static class TimedChild
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    /// <summary>What one child run took: wall time, peak memory, exit code, CPU time (to the
    /// last poll: up to 20 ms short), and the first lines it wrote to stderr (what a failed child
    /// said: its diagnosis comes first, a usage or a stack after; at most
    /// <see cref="ErrorLinesKept"/>).</summary>
    public sealed record Figures(TimeSpan Wall, long PeakBytes, int ExitCode, TimeSpan Cpu,
        string ErrorHead);

    private const int ErrorLinesKept = 5;

    /// <summary>Linux's USER_HZ, the unit of /proc's CPU times, on every architecture .NET runs.
    /// </summary>
    private const double TicksPerSecond = 100;

    /// <summary>Runs this program with <paramref name="arguments"/>, killed past
    /// <paramref name="limit"/>; <paramref name="environment"/> adds to the child's environment.
    /// </summary>
    public static Figures Run(IReadOnlyList<string> arguments, TimeSpan limit,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var (program, prefix) = ThisProgram.Command();
        var start = new ProcessStartInfo(program, [.. prefix, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment ?? ReadOnlyDictionary<string, string>.Empty)
            start.Environment[name] = value;
        var clock = Stopwatch.StartNew();
        using var child = Process.Start(start)
            ?? throw new InvalidOperationException($"could not start {program}");
        // Drain its output so that it never blocks on a full pipe; keep stderr's first lines.
        var errors = new List<string>();
        child.OutputDataReceived += (_, _) => { };
        child.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is not { } text) return;
            lock (errors)
            {
                if (errors.Count < ErrorLinesKept) errors.Add(text);
            }
        };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        long peak = 0;
        var cpu = TimeSpan.Zero;
        while (!child.WaitForExit(Poll))
        {
            peak = Math.Max(peak, PeakResident(child.Id));
            cpu = Max(cpu, CpuTime(child.Id));
            if (clock.Elapsed <= limit) continue;
            child.Kill(entireProcessTree: true);
            throw new TimeoutException($"{string.Join(' ', arguments)} ran over {limit}");
        }
        clock.Stop();
        // The last lines arrive once the stream ends, after the exit.
        child.WaitForExit();
        lock (errors)
            return new Figures(clock.Elapsed, peak, child.ExitCode, cpu, string.Join('\n', errors));
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>The process's user and system time so far (zero when it cannot be read):
    /// fields 14 and 15 of /proc/PID/stat, counted after the command's closing parenthesis.
    /// </summary>
    private static TimeSpan CpuTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture)
                + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / TicksPerSecond);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // It ended between two polls: the last reading stands.
            return TimeSpan.Zero;
        }
    }

    /// <summary>The process's peak resident set so far, in bytes (0 when it cannot be read).
    /// </summary>
    private static long PeakResident(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
                var kilobytes = line["VmHWM:".Length..].Trim().Split(' ')[0];
                return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // It ended between two polls: the last reading stands.
        }
        return 0;
    }
}
