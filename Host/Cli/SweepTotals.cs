namespace Emulator.Host.Cli;

/// <summary>
/// The figures of a whole command: runs that held, failed, and did not run (a sweep stopped at
/// its first failure), the seeds spec, the exit code, the wall-clock time.
/// </summary>
public sealed record SweepTotals(string? Seeds, int Files, long Held, long Failed, long NotRun,
    TimeSpan Elapsed)
{
    public long Runs => Held + Failed;

    public int ExitCode => Failed == 0 ? ExitCodes.Held : ExitCodes.ScenarioFailed;

    /// <summary>Runs per second of wall-clock time.</summary>
    public double RunsPerSecond =>
        Elapsed > TimeSpan.Zero ? Runs / Elapsed.TotalSeconds : 0;
}
