using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Emulator.Host.Cli;
using Emulator.Host.Machines;
using Emulator.Protocol;
using Spectre.Console;

namespace Emulator.Host.Bench;

/// <summary>
/// <c>xpmem-emu bench [--quick] [--altix N] [--remote] [--json FILE]</c>: the raw ceilings (a
/// local Akka ping-pong, the seeded sim loop on a ping-pong, with --remote a remote one)
/// measured beside the emulator's own figures in one run on one machine, each figure with its
/// ratio to the ceiling it is bounded by. The ceilings run in a child process at the runtime's
/// default tiering, the emulator as the program runs (<see cref="CeilingsChild"/>).
/// </summary>
public static class BenchCommand
{
    public const int AltixDefault = 32;

    /// <summary>How much work each figure times: the full bench, or a quick look. PingPong:
    /// messages of each ceiling's rally; Pages: pages a fault figure touches; Pairs: attach and
    /// detach pairs; Rounds: make-get-release-remove rounds; Altix: processes per partition of
    /// the Altix-shaped runs; Schedules: explore's schedules; MemoryProcesses(More),
    /// MemoryPages: the three memory runs' shapes (<see cref="Memory"/>).</summary>
    private sealed record Sizes(long PingPong, int Pages, int Pairs, int Rounds, int Altix,
        long Schedules, int MemoryProcesses, int MemoryProcessesMore, int MemoryPages);

    private static readonly Sizes Full = new(2_000_000, 2048, 2000, 1000, AltixDefault, 4000,
        32, 128, 64);
    // The quick memory runs still add ~9 MB of pages and ~30 MB of processes: at 18 x 2, segments
    // of 1 and 4 pages peaked within the heap's noise and a page once came out at -303 bytes.
    private static readonly Sizes Quick = new(200_000, 128, 100, 50, 2, 400, 4, 32, 32);

    public static Command CommandLine(CliConsole console)
    {
        var quick = new Option<bool>("--quick")
        {
            Description = "Small sizes: a look in seconds, not figures to compare",
        };
        var altix = new Option<int>("--altix")
        {
            HelpName = "N",
            Description = "Processes per partition of the Altix-shaped run ("
                + $"{AltixShape.SgiPartitions} partitions; "
                + $"default {AltixDefault}; 512 is SGI's full machine), run as a child process "
                + "in sim and in live, timed and measured from outside",
            DefaultValueFactory = _ => AltixDefault,
            CustomParser = r => NumberOptions.Whole(r, "--altix", 1, AltixScenario.ProcessesMax),
        };
        var remote = new Option<bool>("--remote")
        {
            Description = "Also measure across processes: a ping-pong between two ActorSystems "
                + $"over loopback, and cross-node faults in cluster mode ({EmulatorFigures
                    .ClusterNodes} local nodes on 127.0.0.1)",
        };
        var json = new Option<string?>("--json")
        {
            HelpName = "FILE",
            Description = "Write the figures to FILE as one JSON object (keys as printed)",
        };
        var bench = new Command("bench", "Measure the emulator beside the raw Akka and sim-loop "
            + "ceilings on this machine, in one run")
        {
            quick, altix, remote, json, LadderCommand.CommandLine(console),
            CeilingsChild.CommandLine(),
        };
        bench.SetAction(parsed =>
        {
            var sizes = parsed.GetValue(quick) ? Quick : Full;
            if (parsed.GetResult(altix) is { Implicit: false })
                sizes = sizes with { Altix = parsed.GetValue(altix) };
            return Execute(console, sizes, parsed.GetValue(remote), parsed.GetValue(json));
        });
        return bench;
    }

    private static int Execute(CliConsole console, Sizes sizes, bool remote, string? jsonPath)
    {
        // Before the minutes of measuring: a bad path is refused and runs nothing.
        if (jsonPath is not null && OutputPaths.CheckFile("--json", jsonPath) is { } bad)
        {
            console.Diagnostic($"bench: {UserText.Safe(bad)}");
            return ExitCodes.BadInput;
        }
        var figures = Measure(sizes, remote, what => console.Diagnostic($"bench: {what}"));
        var table = new Table().AddColumns("figure", "value", "ratio");
        foreach (var figure in figures)
        {
            table.AddRow(Markup.Escape(figure.Key), Format(figure.Value),
                Markup.Escape(figure.Ratio ?? ""));
        }
        console.Out.Write(table);
        if (jsonPath is null) return ExitCodes.Held;
        var values = figures.ToDictionary(f => f.Key, f => f.Value);
        try
        {
            File.WriteAllText(jsonPath, JsonSerializer.Serialize(values,
                new JsonSerializerOptions { WriteIndented = true }) + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            console.Diagnostic($"bench: cannot write {UserText.Safe(jsonPath)}: "
                + UserText.Safe(e.Message));
            return ExitCodes.BadInput;
        }
        return ExitCodes.Held;
    }

    /// <summary>One printed figure: its key, its value, and how it compares with its ceiling.
    /// </summary>
    private sealed record Figure(string Key, double Value, string? Ratio = null);

    private static List<Figure> Measure(Sizes sizes, bool remote, Action<string> progress)
    {
        var config = Settings.Load("xpmem-emulator.access-grain = page");
        var emulator = new EmulatorFigures(config, progress);
        progress("the raw ceilings' ping-pongs (local, the sim loop" + (remote ? ", remote" : "")
            + "), in a child process at the runtime's default tiering");
        var ceilings = CeilingsChild.Measure(sizes.PingPong, remote);
        var (local, loop) = (ceilings.Local, ceilings.SimLoop);
        // A warm-up: the first runs of the emulator pay for its JIT.
        emulator.SimFaults(Math.Max(1, sizes.Pages / 8), cross: true);
        var (samePerSecond, sameMessages, _) = emulator.SimFaults(sizes.Pages, cross: false);
        var (crossPerSecond, crossMessages, crossXpc) = emulator.SimFaults(sizes.Pages, true);
        var liveCross = emulator.LiveFaultsPerSecond(sizes.Pages, true);
        var simAltix = emulator.AltixDeliveriesPerSecond(sizes.Altix);
        var explore2 = emulator.ExploreSchedulesPerSecond(2, sizes.Schedules);
        var figures = new List<Figure>
        {
            new("ceiling.local_msgs_per_s", local),
            new("ceiling.sim_loop_deliveries_per_s", loop),
            new("faults.same_partition_per_s", samePerSecond),
            new("faults.cross_partition_per_s", crossPerSecond),
            new("faults.same_partition_live_per_s",
                emulator.LiveFaultsPerSecond(sizes.Pages, false)),
            new("faults.cross_partition_live_per_s", liveCross,
                Ratio(liveCross * crossMessages, local, "of raw local messages, per message")),
            new("messages_per_fault.same_partition", sameMessages),
            new("messages_per_fault.cross_partition", crossMessages),
            new("messages_per_fault.cross_partition_xpc", crossXpc, "of them between partitions"),
            new("calls.attach_detach_pairs_per_s",
                emulator.AttachDetachPerSecond(sizes.Pairs, RunMode.Sim)),
            new("calls.make_get_release_remove_per_s",
                emulator.PermitCallsPerSecond(sizes.Rounds, RunMode.Sim)),
            new("sim.deliveries_per_s", simAltix,
                Ratio(simAltix, loop,
                    $"of the sim loop's (altix {AltixShape.Altix(sizes.Altix)})")),
            new("explore.schedules_per_s_1_worker",
                emulator.ExploreSchedulesPerSecond(1, sizes.Schedules)),
            new("explore.schedules_per_s", explore2, "2 workers"),
        };
        if (ceilings.Remote is { } raw)
        {
            var pairs = EmulatorFigures.ClusterPairs;
            var cluster = emulator.ClusterFaultsPerSecond(sizes.Pages, pairs);
            var chain = emulator.ClusterFaultsPerSecond(sizes.Pages / 4, 1);
            figures.Add(new("ceiling.remote_msgs_per_s", raw.Saturated,
                $"{Ceilings.RemoteInFlight} in flight"));
            figures.Add(new("ceiling.remote_msgs_one_in_flight_per_s", raw.OneInFlight,
                "one in flight: the round trip"));
            figures.Add(new("cluster.faults_per_s", cluster, Ratio(cluster * crossXpc,
                raw.Saturated, $"of raw remote messages, per cross-node message ({pairs} "
                    + "faults in flight)")));
            figures.Add(new("cluster.faults_one_in_flight_per_s", chain, Ratio(chain * crossXpc,
                raw.OneInFlight, "of raw remote messages one in flight, per cross-node message")));
        }
        figures.AddRange(Altix(sizes.Altix, progress));
        figures.AddRange(Memory(sizes, progress));
        return figures;
    }

    /// <summary>The Altix-shaped run in sim and in live, as child processes.</summary>
    private static IEnumerable<Figure> Altix(int processes, Action<string> progress)
    {
        var shape = AltixShape.Altix(processes);
        progress($"altix {shape}, sim, in a child process");
        var sim = AltixChild.Run(shape, RunMode.Sim);
        progress($"altix {shape}, live, in a child process");
        var live = AltixChild.Run(shape, RunMode.Live);
        var failed = sim.ExitCode != 0 || live.ExitCode != 0
            ? $"exit codes {sim.ExitCode} (sim), {live.ExitCode} (live)" : null;
        var peak = Math.Max(sim.PeakBytes, live.PeakBytes);
        return
        [
            new("altix.sim_s", sim.Wall.TotalSeconds, failed ?? shape.ToString()),
            new("altix.live_s", live.Wall.TotalSeconds, failed ?? shape.ToString()),
            new("altix.peak_bytes", peak, Ratio(peak, shape.PageBytes,
                "of the emulated pages' bytes")),
        ];
    }

    /// <summary>
    /// Memory per emulated process and per mapped page, from the peak memory of three sim runs
    /// in child processes: more processes at 1-page segments, and more pages at the fewer
    /// processes. A difference cancels what every run pays (the runtime, the JIT, the heap's
    /// first growth), so neither size may be tiny: from 18 x 4 to 18 x 32 a process looked
    /// three times dearer than from 18 x 32 to 18 x 128, the heap growing to its working size.
    /// </summary>
    private static IEnumerable<Figure> Memory(Sizes sizes, Action<string> progress)
    {
        var few = AltixShape.Altix(sizes.MemoryProcesses, pages: 1);
        var many = few with { Processes = sizes.MemoryProcessesMore };
        var paged = few with { Pages = sizes.MemoryPages };
        var peaks = new[] { few, many, paged }.Select(shape =>
        {
            progress($"memory, altix {shape}, sim, in a child process");
            var run = AltixChild.Run(shape, RunMode.Sim);
            return run.ExitCode == 0 ? (double)run.PeakBytes
                : throw new InvalidOperationException($"altix {shape} exited with {run.ExitCode}");
        }).ToArray();
        var perProcess = (peaks[1] - peaks[0])
            / ((double)few.Partitions * (many.Processes - few.Processes));
        var perPage = (peaks[2] - peaks[0])
            / ((double)few.Partitions * few.Processes * (paged.Pages - few.Pages));
        return
        [
            new("memory.bytes_per_process", perProcess, $"{few.Partitions} x {few.Processes}"
                + $" to {many.Processes}, each making a 1-page segment and attaching one"),
            new("memory.bytes_per_mapped_page", perPage, Ratio(perPage, Xpmem.PageSize,
                $"of its {Xpmem.PageSize} bytes ({few.Partitions} x {few.Processes}, segments "
                + $"of {few.Pages} to {paged.Pages} pages)")),
        ];
    }

    private static string Ratio(double value, double ceiling, string of) =>
        ceiling > 0 ? $"{value / ceiling:0.00}x {of}" : "";

    private static string Format(double value) =>
        value >= 100 ? value.ToString("N0", CultureInfo.InvariantCulture)
        : value.ToString("0.00", CultureInfo.InvariantCulture);
}
