using System.CommandLine;
using System.Text.Json;
using Emulator.Host.Cli;

namespace Emulator.Host.Bench;

/// <summary>
/// The raw ceilings (<see cref="Ceilings"/>) measured in a child process under the runtime's
/// default tiering. This program turns the runtime's profile-guided optimization off
/// (Host.csproj: explore and the Altix run are faster without it), and that halves a raw Akka
/// message: a bare Akka console program's one local ping-pong pair made 1.8-1.9 M messages a
/// second here with it off and 3.6-3.7 M with it on, and the bench's own figure, measured in
/// this process, was the first. A ceiling is what Akka (and the sim loop) does at its best, as
/// anyone measuring it would find it, so the child runs with <c>DOTNET_TieredPGO=1</c>; the
/// emulator's own figures are measured as the program runs.
/// <c>xpmem-emu bench ceilings --messages N [--remote] --json FILE</c> is that child: a hidden
/// command, not for users.
/// </summary>
internal static class CeilingsChild
{
    /// <summary>The runtime's switch of profile-guided tiering (on unless a program says).
    /// </summary>
    private const string TieringVariable = "DOTNET_TieredPGO";

    /// <summary>What the child's environment adds: the runtime's default tiering.</summary>
    private static readonly IReadOnlyDictionary<string, string> ChildEnvironment =
        new Dictionary<string, string> { [TieringVariable] = "1" };

    /// <summary>Far beyond the full bench's rallies (seconds each).</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(20);

    private const string LocalKey = "local";
    private const string SimLoopKey = "sim_loop";
    private const string RemoteKey = "remote";
    private const string RemoteOneKey = "remote_one_in_flight";

    /// <summary>1 when the child ran at the default tiering, as asked: a check that the
    /// environment reached it.</summary>
    private const string DefaultTieringKey = "default_tiering";

    public static Command CommandLine()
    {
        var messages = new Option<long>("--messages")
        {
            HelpName = "N",
            Description = "Messages of each local rally (the remote one sends a tenth)",
            Required = true,
            CustomParser = r => NumberOptions.Whole(r, "--messages", 1000L, 1_000_000_000L),
        };
        var remote = new Option<bool>("--remote") { Description = "Also the remote rallies" };
        var json = new Option<string>("--json")
        {
            HelpName = "FILE",
            Description = "Write the ceilings to FILE",
            Required = true,
        };
        var command = new Command("ceilings", "The bench's raw ceilings, as its child process")
        {
            messages, remote, json,
        };
        command.Hidden = true;
        command.SetAction(parsed =>
        {
            var path = parsed.GetValue(json)!;
            if (OutputPaths.CheckFile("--json", path) is { } bad)
            {
                Console.Error.WriteLine($"xpmem-emu: bench ceilings: {UserText.Safe(bad)}");
                return ExitCodes.BadInput;
            }
            var figures = MeasureHere(parsed.GetValue(messages), parsed.GetValue(remote));
            File.WriteAllText(path, JsonSerializer.Serialize(figures));
            return ExitCodes.Held;
        });
        return command;
    }

    /// <summary>
    /// The ceilings, from a child process started with <see cref="ChildEnvironment"/>: each local
    /// rally of <paramref name="messages"/> messages, the remote ones too if
    /// <paramref name="remote"/>.
    /// </summary>
    public static CeilingFigures Measure(long messages, bool remote)
    {
        var path = Path.Combine(Path.GetTempPath(),
            $"xpmem-bench-{Environment.ProcessId}-ceilings.json");
        try
        {
            string[] arguments = ["bench", "ceilings", "--messages", $"{messages}", "--json", path];
            var run = TimedChild.Run(remote ? [.. arguments, "--remote"] : arguments, Limit,
                ChildEnvironment);
            if (run.ExitCode != 0 || !File.Exists(path))
            {
                throw new InvalidOperationException(
                    $"the ceilings' child process ended with exit code {run.ExitCode}: "
                    + run.ErrorHead);
            }
            var figures = JsonSerializer.Deserialize<Dictionary<string, double>>(
                File.ReadAllText(path))!;
            if (figures[DefaultTieringKey] != 1)
            {
                throw new InvalidOperationException(
                    $"the ceilings' child process ran without {TieringVariable}=1");
            }
            return new CeilingFigures(figures[LocalKey], figures[SimLoopKey],
                remote ? new RemoteCeilings(figures[RemoteKey], figures[RemoteOneKey]) : null);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static Dictionary<string, double> MeasureHere(long messages, bool remote)
    {
        var figures = new Dictionary<string, double>
        {
            [LocalKey] = Ceilings.LocalMessagesPerSecond(messages),
            [SimLoopKey] = Ceilings.SimLoopDeliveriesPerSecond(messages),
            [DefaultTieringKey] =
                Environment.GetEnvironmentVariable(TieringVariable) == "1" ? 1 : 0,
        };
        if (!remote) return figures;
        var raw = Ceilings.RemoteMessagesPerSecond(messages / 10);
        figures[RemoteKey] = raw.Saturated;
        figures[RemoteOneKey] = raw.OneInFlight;
        return figures;
    }
}

/// <summary>
/// The raw ceilings: a local Akka message, a sim-loop delivery, and the remote ones when asked.
/// </summary>
internal sealed record CeilingFigures(double Local, double SimLoop, RemoteCeilings? Remote);
