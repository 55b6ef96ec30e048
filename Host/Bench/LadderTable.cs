using System.Globalization;
using System.Text;
using Emulator.Protocol;

namespace Emulator.Host.Bench;

/// <summary>
/// A ladder as Markdown, to read and to paste into BENCHMARKS.md: a row a rung (its work, its
/// time and memory, each also per fault or per process, whole run and the step from the rung
/// below), then the verdicts of <see cref="LadderFit"/>. MB and KB are 10^6 and 10^3 bytes.
/// </summary>
public static class LadderTable
{
    private static readonly string[] Columns =
    [
        "mode", "processes", "faults", "messages a fault", "wall s", "µs a fault",
        "µs a fault, step", "cpu s", "cpu µs a fault, step", "peak MB", "KB a process",
        "KB a process, step",
    ];

    public static string Markdown(Ladder ladder)
    {
        var text = new StringBuilder();
        text.Append(Invariant($"Altix-shaped, {ladder.Partitions} partitions x N processes, "))
            .Append(Invariant($"{ladder.Pages}-page segments, page grain; {ladder.Build} build, "))
            .Append(Invariant($"{ladder.Cores} cores, {ladder.Date}.\n"));
        text.Append(Invariant($"""
            Each run is a child process timed from outside (wall, JIT included; CPU, user and
            system; peak resident).
            "step": from the rung below (what one more fault or process cost).


            """));
        text.Append("| ").AppendJoin(" | ", Columns).Append(" |\n|")
            .AppendJoin("", Columns.Select(_ => "---|")).Append('\n');
        foreach (var mode in ladder.Modes)
        {
            LadderRung? below = null;
            foreach (var rung in ladder.Of(mode))
            {
                text.Append(Row(rung, below, ladder.Partitions)).Append('\n');
                below = rung;
            }
        }
        text.Append('\n');
        var verdicts = LadderFit.Judge(ladder);
        foreach (var verdict in verdicts)
            text.Append("- ").Append(Say(verdict, ladder)).Append('\n');
        foreach (var mode in ladder.Modes.Where(m => verdicts.All(v => v.Mode != m)))
        {
            text.Append(Invariant($"- {mode}: {ladder.Of(mode).Count} rung(s), too few to judge"))
                .Append(Invariant($" ({LadderFit.RungsMin} needed)\n"));
        }
        return text.ToString();
    }

    private static string Row(LadderRung rung, LadderRung? below, int partitions)
    {
        var processes = (double)partitions * rung.Processes;
        string Step(Func<LadderRung, double> cost, Func<LadderRung, double> work, double scale) =>
            below is null || work(rung) == work(below) ? ""
            : Number((cost(rung) - cost(below)) / (work(rung) - work(below)) * scale);
        return Invariant($"| {rung.Mode} | {partitions} x {rung.Processes} | {rung.Faults:N0} | ")
            + Invariant($"{(double)rung.Messages / rung.Faults:0.0} | {rung.WallSeconds:0.00} | ")
            + $"{Number(rung.WallSeconds / rung.Faults * 1e6)} | "
            + $"{Step(r => r.WallSeconds, r => r.Faults, 1e6)} | "
            + Invariant($"{rung.CpuSeconds:0.00} | ")
            + $"{Step(r => r.CpuSeconds, r => r.Faults, 1e6)} | "
            + $"{Number(rung.PeakBytes / 1e6)} | {Number(rung.PeakBytes / processes / 1e3)} | "
            + $"{Step(r => r.PeakBytes, r => (double)partitions * r.Processes, 1e-3)} |";
    }

    /// <summary>One verdict as a sentence: both halves' marginal costs, their ratio, and what
    /// that makes the growth.</summary>
    public static string Say(LadderVerdict verdict, Ladder ladder)
    {
        var (unit, scale, floor) = verdict.Quantity switch
        {
            LadderQuantity.Time => ("µs a fault", 1e6, ""),
            LadderQuantity.Cpu => ("cpu µs a fault", 1e6, ""),
            LadderQuantity.Memory => ("KB a process", 1e-3,
                $"; a process's floor: its segment's {ladder.Pages} pages, "
                + Invariant($"{ladder.Pages * (double)Xpmem.PageSize / 1e3:0.0} KB")),
            _ => ("messages a fault", 1.0, ""),
        };
        var judged = verdict.Linear switch
        {
            true => Invariant($"linear (within {LadderFit.Tolerance}x)"),
            false => Invariant($"NOT linear (more than {LadderFit.Tolerance}x)"),
            null => "cannot judge: the lower half did not grow",
        };
        var ratio = verdict.Lower > 0 ? Invariant($"{verdict.Ratio:0.00}x, ") : "";
        return Invariant($"{verdict.Mode}, {verdict.Quantity.ToString().ToLowerInvariant()}: ")
            + $"{Number(verdict.Upper * scale)} {unit} in the upper half "
            + $"({ladder.Partitions} x {verdict.Middle}..{verdict.Top}), "
            + $"{Number(verdict.Lower * scale)} in the lower "
            + $"({ladder.Partitions} x {verdict.Bottom}..{verdict.Middle}): {ratio}{judged}{floor}";
    }

    /// <summary>Three significant figures or more, thousands separated.</summary>
    private static string Number(double value) =>
        Math.Abs(value) >= 100 ? value.ToString("N0", CultureInfo.InvariantCulture)
        : Math.Abs(value) >= 10 ? value.ToString("0.0", CultureInfo.InvariantCulture)
        : value.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) =>
        text.ToString(CultureInfo.InvariantCulture);
}
