using System.Globalization;
using System.Xml.Linq;

namespace Emulator.Host.Bench;

/// <summary>
/// A ladder drawn as SVG: wall time, CPU time and peak memory against processes per partition,
/// one panel each, on log-log axes, a series a mode; beside each series, dashed, the straight line
/// (fixed cost plus a cost per process) fitted through its lower half and carried to the top,
/// so that a growth faster than linear shows as the points rising above it.
/// </summary>
public static class LadderPlot
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private const double Width = 1200, Height = 450, PanelWidth = 300, PanelHeight = 280;
    private const double Left = 80, Top = 70, Gap = 90;

    private static readonly string[] Colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];

    /// <summary>What a panel plots: its title, unit, the value of a rung and how a point's
    /// title writes it.</summary>
    private sealed record Panel(string Title, string Unit, Func<LadderRung, double> Value,
        string Format);

    private static readonly Panel[] Panels =
    [
        new("wall time (whole process)", "s", r => r.WallSeconds, "0.00"),
        new("CPU time (user + system)", "s", r => r.CpuSeconds, "0.00"),
        new("peak memory (resident)", "MB", r => r.PeakBytes / 1e6, "N0"),
    ];

    public static string Draw(Ladder ladder)
    {
        var modes = ladder.Modes.ToList();
        var root = new XElement(Svg + "svg",
            new XAttribute("width", Width), new XAttribute("height", Height),
            new XAttribute("viewBox", Invariant($"0 0 {Width} {Height}")),
            new XAttribute("font-family", "sans-serif"), new XAttribute("font-size", 12),
            new XElement(Svg + "rect", new XAttribute("width", Width),
                new XAttribute("height", Height), new XAttribute("fill", "white")),
            Text(Width / 2, 24, Invariant($"Altix-shaped {ladder.Partitions} x N, ")
                + Invariant($"{ladder.Pages}-page segments, page grain ({ladder.Build}, ")
                + $"{ladder.Date})", "middle", 15),
            Text(Width / 2, 44, "log-log; dashed: linear (fixed cost + cost per process) "
                + "fitted through the lower half of the ladder", "middle", 12));
        for (var p = 0; p < Panels.Length; p++)
            root.Add(DrawPanel(ladder, modes, Panels[p], Left + p * (PanelWidth + Gap)));
        for (var m = 0; m < modes.Count; m++)
        {
            var x = Left + m * 120;
            var y = Height - 14;
            root.Add(new XElement(Svg + "line", Attributes(("x1", x), ("y1", y - 4),
                ("x2", x + 24), ("y2", y - 4)), new XAttribute("stroke", Colour(m)),
                new XAttribute("stroke-width", 2)));
            root.Add(Text(x + 30, y, modes[m], "start", 12));
        }
        root.Add(Text(Left + modes.Count * 120, Height - 14, "dots: the rungs, each a child "
            + "process timed from outside", "start", 12));
        return new XDocument(root).ToString() + "\n";
    }

    private static XElement DrawPanel(Ladder ladder, List<string> modes, Panel panel,
        double left)
    {
        var processes = ladder.Rungs.Select(r => (double)r.Processes).Distinct().Order()
            .ToList();
        var ideals = modes.Select(m => Ideal(ladder.Of(m), panel)).ToList();
        var values = ladder.Rungs.Select(panel.Value)
            .Concat(ideals.SelectMany(i => i.Select(p => p.Y))).Where(v => v > 0).ToList();
        var x = new LogAxis(processes.Min() / 1.3, processes.Max() * 1.3, left,
            left + PanelWidth);
        var y = new LogAxis(values.Min() / 1.3, values.Max() * 1.3, Top + PanelHeight, Top);
        var group = new XElement(Svg + "g", new XAttribute("class", "panel"),
            Text(left + PanelWidth / 2, Top - 8, $"{panel.Title}, {panel.Unit}", "middle", 13),
            new XElement(Svg + "rect", Attributes(("x", left), ("y", Top),
                ("width", PanelWidth), ("height", PanelHeight)), new XAttribute("fill", "none"),
                new XAttribute("stroke", "#888")),
            Text(left + PanelWidth / 2, Top + PanelHeight + 38,
                Invariant($"processes per partition (x {ladder.Partitions} partitions)"),
                "middle", 12));
        foreach (var n in processes)
        {
            group.Add(Tick(x.At(n), Top + PanelHeight, 0, 6), Text(x.At(n),
                Top + PanelHeight + 20, Format(n), "middle", 11));
        }
        foreach (var v in y.Ticks())
        {
            group.Add(Tick(left, y.At(v), -6, 0), Text(left - 9, y.At(v) + 4, Format(v), "end",
                11));
        }
        for (var m = 0; m < modes.Count; m++)
        {
            var rungs = ladder.Of(modes[m]);
            group.Add(Polyline(ideals[m].Where(p => p.Y > 0).Select(p => (x.At(p.X), y.At(p.Y))),
                Colour(m), "ideal", dashed: true));
            group.Add(Polyline(rungs.Select(r => (x.At(r.Processes), y.At(panel.Value(r)))),
                Colour(m), "measured", dashed: false));
            foreach (var rung in rungs)
            {
                group.Add(new XElement(Svg + "circle", new XAttribute("class", "point"),
                    Attributes(("cx", x.At(rung.Processes)), ("cy", y.At(panel.Value(rung))),
                        ("r", 3.5)), new XAttribute("fill", Colour(m)),
                    new XElement(Svg + "title", Invariant($"{rung.Mode}, {ladder.Partitions} x ")
                        + $"{rung.Processes}: " + panel.Value(rung).ToString(panel.Format,
                            CultureInfo.InvariantCulture) + $" {panel.Unit}")));
            }
        }
        return group;
    }

    /// <summary>The line through a mode's lower half, sampled from its first rung to its top
    /// (empty when the mode has one rung).</summary>
    private static List<(double X, double Y)> Ideal(IReadOnlyList<LadderRung> rungs,
        Panel panel)
    {
        if (rungs.Count < 2) return [];
        var line = Line.Fit([.. LadderFit.Halves(rungs).Lower
            .Select(r => ((double)r.Processes, panel.Value(r)))]);
        var (first, last) = (Math.Log(rungs[0].Processes), Math.Log(rungs[^1].Processes));
        const int Samples = 48;
        return [.. Enumerable.Range(0, Samples + 1)
            .Select(i => Math.Exp(first + (last - first) * i / Samples))
            .Select(n => (n, line.At(n)))];
    }

    /// <summary>A logarithmic axis from <paramref name="low"/> to <paramref name="high"/>,
    /// drawn from pixel <paramref name="from"/> to <paramref name="to"/>.</summary>
    private sealed record LogAxis(double Low, double High, double From, double To)
    {
        public double At(double value) =>
            From + (To - From) * Math.Log(value / Low) / Math.Log(High / Low);

        /// <summary>1, 2 and 5 of each decade inside the axis.</summary>
        public IEnumerable<double> Ticks()
        {
            for (var decade = Math.Pow(10, Math.Floor(Math.Log10(Low))); decade <= High;
                decade *= 10)
            {
                foreach (var tick in new[] { 1.0, 2, 5 }.Select(t => t * decade))
                {
                    if (tick >= Low && tick <= High) yield return tick;
                }
            }
        }
    }

    private static XElement Polyline(IEnumerable<(double X, double Y)> points, string colour,
        string kind, bool dashed)
    {
        var line = new XElement(Svg + "polyline", new XAttribute("class", kind),
            new XAttribute("points", string.Join(" ",
                points.Select(p => Invariant($"{p.X:0.#},{p.Y:0.#}")))),
            new XAttribute("fill", "none"), new XAttribute("stroke", colour),
            new XAttribute("stroke-width", dashed ? 1.2 : 2));
        if (dashed) line.Add(new XAttribute("stroke-dasharray", "6 4"));
        return line;
    }

    private static XElement Tick(double x, double y, double dx, double dy) =>
        new(Svg + "line", Attributes(("x1", x), ("y1", y), ("x2", x + dx), ("y2", y + dy)),
            new XAttribute("stroke", "#888"));

    private static XElement Text(double x, double y, string text, string anchor, double size) =>
        new(Svg + "text", Attributes(("x", x), ("y", y)), new XAttribute("text-anchor", anchor),
            new XAttribute("font-size", size), text);

    private static XAttribute[] Attributes(params (string Name, double Value)[] values) =>
        [.. values.Select(v => new XAttribute(v.Name, Math.Round(v.Value, 1)))];

    private static string Colour(int mode) => Colours[mode % Colours.Length];

    private static string Format(double value) =>
        value >= 10 ? value.ToString("N0", CultureInfo.InvariantCulture)
        : value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) =>
        text.ToString(CultureInfo.InvariantCulture);
}
