using Emulator.Host.Reports.Coverage;
using Emulator.Host.Reports.Timeline;

namespace Emulator.Host.Reports.Html;

/// <summary>
/// <c>report.html</c>: one self-contained page (inline CSS and SVG, no script, nothing fetched)
/// that any browser shows: the run's summary, each checker's verdict and the failure with the
/// events that led to it, the sequence diagram, the latency histograms and the protocol-state
/// coverage. It reads the header and the verdict; the diagram and the histograms are views of
/// their own, fed by the same pass over the trace.
/// </summary>
public sealed class ReportPage(SequenceDiagram diagram, LatencyHistograms latencies)
    : ITimelineView
{
    public const string FileName = "report.html";

    private const string Style = """
        body { font-family: system-ui, sans-serif; margin: 24px; color: #222; max-width: none; }
        h1 { font-size: 22px; margin-bottom: 4px; }
        h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ddd; }
        h3 { font-size: 15px; margin-bottom: 4px; }
        table { border-collapse: collapse; margin: 8px 0 16px; }
        th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left;
          vertical-align: top; font-size: 13px; }
        th { background: #f3f3f3; }
        caption { text-align: left; font-weight: bold; padding: 4px 0; }
        .verdict { display: inline-block; padding: 2px 10px; border-radius: 4px;
          color: white; font-weight: bold; }
        .held { background: #2e7d32; }
        .broken, .failed { background: #c62828; }
        td.held, td.broken { color: white; font-weight: bold; }
        .violation { border: 2px solid #c62828; padding: 8px 12px; background: #fff5f5; }
        pre { white-space: pre-wrap; font-size: 12px; }
        .note { color: #555; font-size: 13px; }
        .diagram { overflow: auto; max-height: 900px; border: 1px solid #ddd; }
        tr.missed td { color: #999; }
        tr.reached td:last-child { font-weight: bold; }
        .legend span { display: inline-block; margin-right: 14px; font-size: 13px; }
        .swatch { display: inline-block; width: 12px; height: 12px; vertical-align: middle;
          margin-right: 4px; border-radius: 2px; }
        """;

    private RunHeader? _header;
    private RunVerdict? _verdict;

    public void Begin(RunHeader header) => _header = header;

    public void End(RunVerdict? verdict) => _verdict = verdict;

    /// <summary>
    /// Writes the page. <paramref name="coverage"/> may be this run's or a sum over many
    /// (an explore's); <paramref name="wallTime"/> is how long the run took, when known.
    /// </summary>
    public void Write(TextWriter html, ProtocolCoverage coverage, TimeSpan? wallTime)
    {
        var header = _header ?? new RunHeader("", "(no header)", 0, "?", 0, "", 0, 0, []);
        var title = $"xpmem-emu: {(header.Name.Length > 0 ? header.Name : header.File)}";
        html.WriteLine("<!DOCTYPE html>");
        html.WriteLine("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.WriteLine($"<title>{HtmlText.Escape(title)}</title>");
        html.WriteLine($"<style>{Style}</style></head><body>");
        var (badge, @class) = _verdict is null ? ("NO VERDICT", "failed")
            : _verdict.Held ? ("HELD", "held") : ("FAILED", "failed");
        html.WriteLine($"<h1>{HtmlText.Escape(title)} <span id=\"verdict\" "
            + $"class=\"verdict {@class}\">{badge}</span></h1>");
        WriteSummary(html, header, wallTime);
        WriteChecks(html);
        WriteDiagram(html);
        html.WriteLine("<section id=\"latency\"><h2>Latency</h2>");
        latencies.WriteHtml(html, header.ClockName);
        html.WriteLine("</section>");
        coverage.WriteHtml(html);
        html.WriteLine($"<p class=\"note\">Written by xpmem-emu {HtmlText.Escape(header.Emulator)} "
            + "from trace.jsonl; the whole run, every delivery, is in trace.chrome.json (open it "
            + "in ui.perfetto.dev).</p>");
        html.WriteLine("</body></html>");
    }

    private void WriteSummary(TextWriter html, RunHeader header, TimeSpan? wallTime)
    {
        var verdict = _verdict;
        var rows = new List<(string, string)>
        {
            ("scenario", header.Name),
            ("file", header.File),
            ("seed", header.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("mode", header.Mode),
            ("partitions", HtmlText.Count(header.Partitions)),
        };
        if (verdict is not null)
        {
            rows.Add(("steps", HtmlText.Count(verdict.Steps)));
            rows.Add(("calls", HtmlText.Count(verdict.Calls)));
            rows.Add(("faults", HtmlText.Count(verdict.Faults)));
            rows.Add(("messages", HtmlText.Count(verdict.Deliveries)));
            rows.Add(("across XPC", HtmlText.Count(verdict.XpcMessages)));
            rows.Add(("pins", $"{HtmlText.Count(verdict.Pinned)} pinned, "
                + $"{HtmlText.Count(verdict.Unpinned)} unpinned"));
            rows.Add((header.Mode == "Sim" ? "virtual time" : "run time (trace clock)",
                HtmlText.Duration(verdict.VirtualTimeNs)));
        }
        if (wallTime is { } wall) rows.Add(("wall time", HtmlText.Duration(wall.Ticks * 100)));
        html.WriteLine("<section id=\"summary\"><h2>Summary</h2><table class=\"summary\">");
        foreach (var (name, value) in rows)
            html.WriteLine($"<tr><th>{name}</th><td>{HtmlText.Escape(value)}</td></tr>");
        html.WriteLine("</table></section>");
    }

    private void WriteChecks(TextWriter html)
    {
        html.WriteLine("<section id=\"checks\"><h2>Checkers</h2>");
        if (_verdict is not { } verdict)
        {
            html.WriteLine("<p class=\"violation\">The trace ended before its verdict: the run "
                + "did not finish.</p></section>");
            return;
        }
        if (verdict.Failure is { } failure)
        {
            var what = verdict.Cause == "Checker" ? "Violation" : $"Failure ({verdict.Cause})";
            var where = verdict.Location is null ? ""
                : $" at {verdict.Location}" + (verdict.Step is null ? "" : $" \"{verdict.Step}\"");
            html.WriteLine($"<div class=\"violation\" id=\"failure\"><h3>"
                + $"{HtmlText.Escape(what + where)}</h3>"
                + $"<pre>{HtmlText.Escape(failure)}</pre></div>");
        }
        if (verdict.Checks.Count == 0)
        {
            html.WriteLine("<p class=\"note\">The end-of-run checks did not run: the run stopped "
                + "at its failure.</p>");
        }
        else
        {
            html.WriteLine("<table class=\"checks\"><tr><th>checker</th><th>verdict</th>"
                + "<th>what it saw</th></tr>");
            foreach (var check in verdict.Checks)
            {
                var (word, @class) = check.Held ? ("held", "held") : ("broken", "broken");
                html.WriteLine($"<tr class=\"check\"><td>{HtmlText.Escape(check.Name)}</td>"
                    + $"<td class=\"{@class}\">{word}</td><td>{HtmlText.Escape(check.Detail)}</td>"
                    + "</tr>");
            }
            html.WriteLine("</table>");
        }
        html.WriteLine("</section>");
    }

    private void WriteDiagram(TextWriter html)
    {
        html.WriteLine("<section id=\"sequence\"><h2>Sequence diagram</h2>");
        var shown = diagram.Messages - diagram.LeftOut;
        html.WriteLine(diagram.LeftOut == 0
            ? $"<p class=\"note\">All {HtmlText.Count(diagram.Messages)} messages of the run, in "
                + "delivery order.</p>"
            : $"<p class=\"note\">The first and the last {diagram.RowsAtEachEnd} of "
                + $"{HtmlText.Count(diagram.Messages)} messages ({HtmlText.Count(shown)} shown, "
                + $"{HtmlText.Count(diagram.LeftOut)} left out in the middle); a run that failed "
                + "stops where it failed, so the last ones lead up to the failure. Every message "
                + "is in trace.chrome.json.</p>");
        html.WriteLine("<p class=\"note\">Senders are inferred (the trace names receivers): the "
            + "hop before in the same request chain, or the requester. A dot marks a message "
            + "whose sender the trace does not show.</p>");
        html.Write("<p class=\"legend\">");
        html.Write("<span><i class=\"swatch\" style=\"background:#444\"></i>message</span>");
        html.Write("<span><i class=\"swatch\" style=\"background:#888\"></i>answer to the runner "
            + "(dashed)</span>");
        html.Write("<span><i class=\"swatch\" style=\"background:#d62728;opacity:.5\"></i>a fault "
            + "chain's band (one colour per chain)</span>");
        html.Write("<span><i class=\"swatch\" style=\"background:#2e86de\"></i>lock held for "
            + "read</span>");
        html.Write("<span><i class=\"swatch\" style=\"background:#c0392b\"></i>lock held for "
            + "write</span>");
        html.Write("<span><i class=\"swatch\" style=\"border:1px dashed #555\"></i>lock "
            + "waited for</span>");
        html.WriteLine("</p><div class=\"diagram\">");
        diagram.WriteSvg(html);
        html.WriteLine("</div></section>");
    }
}
