namespace Emulator.Host.Cli;

/// <summary>What <c>xpmem-emu</c> exits with; the README lists them.</summary>
public static class ExitCodes
{
    /// <summary>Every run's steps and checkers held (or help and version were shown).</summary>
    public const int Held = 0;

    /// <summary>A step or a checker failed in at least one run.</summary>
    public const int ScenarioFailed = 1;

    /// <summary>Bad input: the command line, a scenario or an output path; nothing ran.</summary>
    public const int BadInput = 2;

    /// <summary>An unexpected exception: a bug in xpmem-emu (stack trace on stderr).</summary>
    public const int Bug = 3;

    /// <summary>
    /// <c>node</c>: its actor system stopped without a signal (the cluster downed the node, or
    /// it could not join); a signal ends it with <see cref="Held"/> after a graceful leave.
    /// </summary>
    public const int NodeRemoved = 1;
}
