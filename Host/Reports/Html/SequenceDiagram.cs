using Emulator.Host.Reports.Timeline;

namespace Emulator.Host.Reports.Html;

/// <summary>
/// The run as a sequence diagram in SVG: a lifeline per actor (the runner, each partition, each
/// thread group with its faults, each segment, each XPC endpoint), each delivery an arrow from
/// its sender to its receiver in delivery order, each call's answer a dashed arrow back to the
/// runner, each fault chain's arrows grouped in a band of the chain's colour, and each lock visit
/// a bar on its holder's lifeline (faint while it waits, solid while it holds). Bounded: it keeps
/// the first and the last <see cref="RowsAtEachEnd"/> arrows (a failed run stops where it
/// failed, so the last ones are the window around the failure) and says what it left out.
/// </summary>
public sealed class SequenceDiagram(int rowsAtEachEnd = SequenceDiagram.DefaultRowsAtEachEnd)
    : ITimelineView
{
    public const int DefaultRowsAtEachEnd = 150;

    /// <summary>Fault chains' colours, in the order chains begin (then again).</summary>
    public static readonly IReadOnlyList<string> ChainColours =
        ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#17becf", "#e377c2", "#8c564b"];

    private const double RowHeight = 22;
    private const double HeaderHeight = 58;
    private const double GapHeight = 44;
    private const double ColumnWidth = 132;
    private const double LeftMargin = 112;
    private const string ReadColour = "#2e86de";
    private const string WriteColour = "#c0392b";

    private readonly List<Row> _head = [];
    private readonly Queue<Row> _tail = new();
    private readonly List<Hold> _headHolds = [];
    private readonly Queue<Hold> _tailHolds = new();
    private readonly Dictionary<string, string> _names = [];
    private long _rows;
    private long _firstLeftOut;
    private long _lastLeftOut;

    public int RowsAtEachEnd { get; } = Math.Max(1, rowsAtEachEnd);

    private int HoldsAtEachEnd => 4 * RowsAtEachEnd;

    /// <summary>Arrows in the whole run.</summary>
    public long Messages => _rows;

    /// <summary>Arrows left out of the middle of the diagram.</summary>
    public long LeftOut => _rows - _head.Count - _tail.Count;

    public void Begin(RunHeader header)
    {
        foreach (var (name, actor) in header.Processes)
        {
            if (actor is not null) _names[actor] = name;
        }
    }

    public void Delivered(Delivery delivery, TraceLine line)
    {
        if (line.Process is { } process && TraceActors.IsThreadGroup(line.Actor))
            _names.TryAdd(TraceActors.LocalOf(line.Actor), process);
        var from = delivery.Sender is { } sender ? TraceActors.LifelineOf(sender) : null;
        Add(new Row(delivery.Seq, delivery.TimeNs, from, TraceActors.LifelineOf(delivery.Actor),
            delivery.Label, delivery.RequestId, delivery.Chain, Return: false));
    }

    public void CallEnded(CallSpan call)
    {
        if (!call.Ended || call.ThreadGroup is not { } tg) return;
        Add(new Row(call.EndSeq, call.EndNs, tg, TraceActors.Runner,
            $"{call.Kind}: {call.Outcome}", call.RequestId, null, Return: true)
        {
            Detail = $"the answer to \"{call.Step}\"" + (call.Location is { } at ? $" ({at})" : ""),
        });
    }

    public void LockLeft(LockSpan visit)
    {
        var hold = new Hold(TraceActors.LifelineOf(visit.Holder), visit);
        // A visit that began by the head's last arrow is drawn there (and in the tail if it lasts).
        // Bounded as the arrows are: a trace of few arrows and many lock events (a cluster
        // trace has no deliveries) draws the first and the last visits.
        if (_head.Count < RowsAtEachEnd || visit.StartSeq <= _head[^1].Seq)
        {
            if (_headHolds.Count < HoldsAtEachEnd)
            {
                _headHolds.Add(hold);
                return;
            }
        }
        _tailHolds.Enqueue(hold);
        if (_tailHolds.Count > HoldsAtEachEnd) _tailHolds.Dequeue();
    }

    /// <summary>
    /// Writes the diagram's SVG (nothing but an explaining line when it has no arrows).
    /// </summary>
    public void WriteSvg(TextWriter svg)
    {
        var rows = _head.Concat(_tail).ToList();
        if (rows.Count == 0)
        {
            svg.WriteLine("<p class=\"note\">No messages in this trace (a cluster trace gathers "
                + "events only).</p>");
            return;
        }
        var layout = new Layout(rows, _head.Count, LeftOut, _firstLeftOut);
        var holds = _headHolds.Concat(_tailHolds)
            .Select(hold => new PlacedHold(hold, layout.YOf(hold.Visit.StartSeq),
                hold.Visit.AcquiredSeq is { } acquired ? layout.YOf(acquired)
                    : layout.YOf(hold.Visit.EndSeq),
                layout.YOf(hold.Visit.EndSeq)))
            .Where(h => h.Bottom > h.Top)
            .ToList();
        var lifelines = rows.SelectMany(r => new[] { r.From, r.To }).OfType<string>()
            .Concat(holds.Select(h => h.Hold.Lifeline))
            .Distinct()
            .OrderBy(TraceActors.OrderOf)
            .ToList();
        var column = lifelines.Select((name, index) => (name, index))
            .ToDictionary(l => l.name, l => LeftMargin + ColumnWidth / 2 + l.index * ColumnWidth);
        var width = LeftMargin + lifelines.Count * ColumnWidth + 16;
        var height = layout.Height + 12;
        svg.WriteLine($"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"sequence\" "
            + $"width=\"{C(width)}\" height=\"{C(height)}\" viewBox=\"0 0 {C(width)} {C(height)}\" "
            + "font-family=\"sans-serif\" font-size=\"11\" role=\"img\" "
            + "aria-label=\"sequence diagram of the run\">");
        WriteLifelines(svg, lifelines, column, layout.Height);
        WriteHolds(svg, holds, column);
        WriteChains(svg, rows, layout, column);
        svg.WriteLine("<g class=\"messages\">");
        for (var index = 0; index < rows.Count; index++)
        {
            if (rows[index].Chain is null) WriteArrow(svg, rows[index], layout.Y(index), column,
                rows[index].Return ? "#888" : "#444");
        }
        svg.WriteLine("</g>");
        WriteRowLabels(svg, rows, layout);
        if (LeftOut > 0)
        {
            var y = layout.GapTop;
            svg.WriteLine($"<g class=\"gap\"><rect x=\"0\" y=\"{C(y + 4)}\" width=\"{C(width)}\" "
                + $"height=\"{C(GapHeight - 8)}\" fill=\"#f4f4f4\"/>"
                + $"<text x=\"{C(LeftMargin)}\" y=\"{C(y + GapHeight / 2 + 4)}\" "
                + "font-style=\"italic\">… "
                + $"{HtmlText.Count(LeftOut)} messages left out (seq {_firstLeftOut} to "
                + $"{_lastLeftOut}) …</text></g>");
        }
        svg.WriteLine("</svg>");
    }

    private void WriteLifelines(TextWriter svg, List<string> lifelines,
        Dictionary<string, double> column, double bottom)
    {
        svg.WriteLine("<g class=\"lifelines\">");
        foreach (var lifeline in lifelines)
        {
            var x = column[lifeline];
            var name = _names.GetValueOrDefault(TraceActors.LocalOf(lifeline));
            svg.WriteLine($"<g class=\"lifeline\" data-actor=\"{HtmlText.Escape(lifeline)}\">"
                + $"<line x1=\"{C(x)}\" y1=\"{C(HeaderHeight - 12)}\" x2=\"{C(x)}\" "
                + $"y2=\"{C(bottom)}\" stroke=\"#bbb\" stroke-dasharray=\"4 3\"/>"
                + $"<rect x=\"{C(x - ColumnWidth / 2 + 6)}\" y=\"6\" "
                + $"width=\"{C(ColumnWidth - 12)}\" height=\"{C(HeaderHeight - 18)}\" rx=\"4\" "
                + "fill=\"#fafafa\" stroke=\"#888\"/>"
                + $"<text x=\"{C(x)}\" y=\"22\" text-anchor=\"middle\" font-weight=\"bold\">"
                + $"{HtmlText.Escape(Clip(lifeline, 20))}</text>"
                + (name is null ? "" : $"<text x=\"{C(x)}\" y=\"36\" text-anchor=\"middle\">"
                    + $"{HtmlText.Escape(Clip(name, 20))}</text>")
                + "</g>");
        }
        svg.WriteLine("</g>");
    }

    /// <summary>
    /// Each lock visit as a bar on its holder's lifeline; visits that overlap on one lifeline
    /// stand side by side.
    /// </summary>
    private static void WriteHolds(TextWriter svg, List<PlacedHold> holds,
        Dictionary<string, double> column)
    {
        svg.WriteLine("<g class=\"locks\">");
        var lanes = new Dictionary<string, List<double>>();
        foreach (var (hold, top, granted, bottom) in holds.OrderBy(h => h.Top))
        {
            if (!lanes.TryGetValue(hold.Lifeline, out var ends)) lanes[hold.Lifeline] = ends = [];
            var lane = ends.FindIndex(end => end <= top);
            if (lane < 0)
            {
                lane = ends.Count;
                ends.Add(bottom);
            }
            else ends[lane] = bottom;
            var visit = hold.Visit;
            var x = column[hold.Lifeline] + 3 + lane * 9;
            var colour = visit.Mode == "Write" ? WriteColour : ReadColour;
            var what = $"{visit.Lock} ({visit.Mode.ToLowerInvariant()}), task {visit.Task}"
                + (visit.Released ? "" : ", still there when the trace ended");
            svg.Write($"<g class=\"lock-hold\" data-lock=\"{HtmlText.Escape(visit.Lock)}\">"
                + $"<title>{HtmlText.Escape(what)}</title>");
            // Waiting until granted (or given up: then the wait is all there is), then held.
            if (visit.WaitSeq is not null) svg.Write(Bar(x, top, granted, colour, waiting: true));
            if (visit.AcquiredSeq is not null)
                svg.Write(Bar(x, visit.WaitSeq is null ? top : granted, bottom, colour,
                    waiting: false));
            svg.WriteLine("</g>");
        }
        svg.WriteLine("</g>");
    }

    private static string Bar(double x, double top, double bottom, string colour, bool waiting) =>
        waiting
            ? $"<rect class=\"waiting\" x=\"{C(x)}\" y=\"{C(top)}\" width=\"7\" "
                + $"height=\"{C(Math.Max(2, bottom - top))}\" fill=\"{colour}\" "
                + "fill-opacity=\"0.18\" "
                + $"stroke=\"{colour}\" stroke-dasharray=\"2 2\"/>"
            : $"<rect class=\"held\" x=\"{C(x)}\" y=\"{C(top)}\" width=\"7\" "
                + $"height=\"{C(Math.Max(2, bottom - top))}\" fill=\"{colour}\" "
                + "fill-opacity=\"0.75\"/>";

    /// <summary>
    /// Each fault chain's arrows in one group over a band of its colour (one band per part of
    /// the diagram the chain shows in).
    /// </summary>
    private static void WriteChains(TextWriter svg, List<Row> rows, Layout layout,
        Dictionary<string, double> column)
    {
        var parts = Enumerable.Range(0, rows.Count)
            .Where(index => rows[index].Chain is not null)
            .GroupBy(index => (rows[index].Chain!, layout.PartOf(index)))
            .OrderBy(group => group.First());
        foreach (var part in parts)
        {
            var chain = part.Key.Item1;
            var colour = ChainColours[chain.Index % ChainColours.Count];
            var xs = part.SelectMany(index => new[] { rows[index].From, rows[index].To })
                .OfType<string>().Select(name => column[name]).ToList();
            var left = xs.Min() - ColumnWidth / 2 + 3;
            var right = xs.Max() + ColumnWidth / 2 - 3;
            var top = layout.Y(part.First()) - 17;
            var bottom = layout.Y(part.Last()) + 7;
            svg.WriteLine("<g class=\"fault-chain\" "
                + $"data-chain=\"{HtmlText.Escape(chain.RequestId)}\" "
                + $"data-colour=\"{colour}\">"
                + $"<rect class=\"band\" x=\"{C(left)}\" y=\"{C(top)}\" "
                + $"width=\"{C(right - left)}\" "
                + $"height=\"{C(bottom - top)}\" rx=\"6\" fill=\"{colour}\" fill-opacity=\"0.08\" "
                + $"stroke=\"{colour}\" stroke-opacity=\"0.5\"/>"
                + $"<text x=\"{C(left + 4)}\" y=\"{C(top + 10)}\" fill=\"{colour}\" "
                + "font-size=\"9\" "
                + $"font-weight=\"bold\">fault {HtmlText.Escape(chain.RequestId)}</text>");
            foreach (var index in part)
                WriteArrow(svg, rows[index], layout.Y(index), column, colour);
            svg.WriteLine("</g>");
        }
    }

    private static void WriteArrow(TextWriter svg, Row row, double y,
        Dictionary<string, double> column, string colour)
    {
        var to = column[row.To];
        var title = $"#{row.Seq} at {HtmlText.Duration(row.TimeNs)}: "
            + $"{row.From ?? "(sender not in the trace)"} → {row.To}: {row.Label}"
            + (row.RequestId is null ? "" : $" [{row.RequestId}]")
            + (row.Detail is null ? "" : $", {row.Detail}");
        var dash = row.Return ? " stroke-dasharray=\"5 3\"" : "";
        svg.Write($"<g class=\"{(row.Return ? "return" : "message")}\" data-seq=\"{row.Seq}\">"
            + $"<title>{HtmlText.Escape(title)}</title>");
        double labelX;
        if (row.From is null)
        {
            // A found message: the trace does not say who sent it.
            var start = to - 44;
            svg.Write($"<circle cx=\"{C(start)}\" cy=\"{C(y)}\" r=\"3\" fill=\"{colour}\"/>"
                + Line(start, to, y, colour, dash) + Head(to, y, start < to, colour));
            labelX = to - 22;
        }
        else if (row.From == row.To)
        {
            svg.Write($"<path d=\"M{C(to)} {C(y - 6)} h26 v8 h-26\" fill=\"none\" "
                + $"stroke=\"{colour}\"{dash}/>" + Head(to, y + 2, rightwards: false, colour));
            labelX = to + 30;
        }
        else
        {
            var from = column[row.From];
            svg.Write(Line(from, to, y, colour, dash) + Head(to, y, from < to, colour));
            labelX = (from + to) / 2;
        }
        var anchor = row.From == row.To ? "start" : "middle";
        svg.WriteLine($"<text x=\"{C(labelX)}\" y=\"{C(y - 4)}\" text-anchor=\"{anchor}\" "
            + $"fill=\"{colour}\">{HtmlText.Escape(Clip(row.Label, 28))}</text></g>");
    }

    private static string Line(double from, double to, double y, string colour, string dash) =>
        $"<line x1=\"{C(from)}\" y1=\"{C(y)}\" x2=\"{C(to)}\" y2=\"{C(y)}\" "
        + $"stroke=\"{colour}\" stroke-width=\"1.3\"{dash}/>";

    private static string Head(double x, double y, bool rightwards, string colour)
    {
        var back = rightwards ? x - 7 : x + 7;
        return $"<polygon points=\"{C(x)},{C(y)} {C(back)},{C(y - 3.5)} {C(back)},{C(y + 3.5)}\" "
            + $"fill=\"{colour}\"/>";
    }

    private static void WriteRowLabels(TextWriter svg, List<Row> rows, Layout layout)
    {
        svg.WriteLine("<g class=\"rows\" fill=\"#777\" font-size=\"10\">");
        for (var index = 0; index < rows.Count; index++)
        {
            var y = layout.Y(index);
            svg.WriteLine($"<text x=\"4\" y=\"{C(y + 3)}\">#{rows[index].Seq}</text>"
                + $"<text x=\"{C(LeftMargin - 8)}\" y=\"{C(y + 3)}\" text-anchor=\"end\">"
                + $"{HtmlText.Escape(HtmlText.Duration(rows[index].TimeNs))}</text>");
        }
        svg.WriteLine("</g>");
    }

    private void Add(Row row)
    {
        _rows++;
        if (_head.Count < RowsAtEachEnd)
        {
            _head.Add(row);
            return;
        }
        _tail.Enqueue(row);
        if (_tail.Count <= RowsAtEachEnd) return;
        _lastLeftOut = _tail.Dequeue().Seq;
        if (_firstLeftOut == 0) _firstLeftOut = _lastLeftOut;
    }

    private static string C(double value) => HtmlText.Coordinate(value);

    private static string Clip(string text, int length) =>
        text.Length <= length ? text : text[..(length - 1)] + "…";

    private sealed record Row(long Seq, long TimeNs, string? From, string To, string Label,
        string? RequestId, FaultChain? Chain, bool Return)
    {
        /// <summary>More for the arrow's tooltip (the step a call's answer ends).</summary>
        public string? Detail { get; init; }
    }

    private sealed record Hold(string Lifeline, LockSpan Visit);

    /// <summary>
    /// A lock visit's bar: from its start, granted at, to its end (y coordinates).
    /// </summary>
    private readonly record struct PlacedHold(Hold Hold, double Top, double Granted,
        double Bottom);

    /// <summary>
    /// Where each kept row goes, and where a line of the trace falls between them.
    /// </summary>
    private sealed class Layout(List<Row> rows, int headCount, long leftOut, long firstLeftOut)
    {
        private bool HasGap => leftOut > 0;

        public double GapTop => HeaderHeight + headCount * RowHeight;

        public double Height => HeaderHeight + rows.Count * RowHeight + (HasGap ? GapHeight : 0);

        /// <summary>0 for the head, 1 for the tail.</summary>
        public int PartOf(int index) => HasGap && index >= headCount ? 1 : 0;

        public double Y(int index) =>
            HeaderHeight + (index + 0.6) * RowHeight + (PartOf(index) == 1 ? GapHeight : 0);

        /// <summary>
        /// Where trace line <paramref name="seq"/> happened: just below the last arrow at or
        /// before it (an event happens in the delivery before it), in the gap if it was left out.
        /// </summary>
        public double YOf(long seq)
        {
            var low = 0;
            var high = rows.Count - 1;
            var found = -1;
            while (low <= high)
            {
                var middle = (low + high) / 2;
                if (rows[middle].Seq <= seq)
                {
                    found = middle;
                    low = middle + 1;
                }
                else high = middle - 1;
            }
            if (found < 0) return HeaderHeight;
            if (HasGap && found == headCount - 1 && seq >= firstLeftOut)
                return GapTop + GapHeight / 2;
            return Y(found) + RowHeight * 0.4;
        }
    }
}
