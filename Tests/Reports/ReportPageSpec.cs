// Proves report.html stands alone and says what a person asks first: no script and nothing
// fetched, the summary with wall time, each checker's verdict, a failure with the events that led
// to it, the diagram, latencies per call kind, per way a fault ended and per lock wait (in the
// trace's clock), and coverage (this run's, or a sum handed in); and that text from the scenario
// is escaped. Fed by traces written by hand.
using Emulator.Host.Reports.Coverage;
using Emulator.Host.Reports.Html;
using Emulator.Host.Reports.Timeline;
using Xunit;

namespace Emulator.Tests.Reports;

public sealed class ReportPageSpec
{
    [Fact]
    public void ReportPage_must_stand_alone_without_script_or_fetches()
    {
        var html = Render(TraceText.RemoteFault());

        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http:", html.Replace("http://www.w3.org/2000/svg", ""));
        Assert.DoesNotContain("https:", html);
        Assert.EndsWith("</body></html>", html.TrimEnd());
    }

    [Fact]
    public void ReportPage_must_show_the_summary_and_each_checkers_verdict()
    {
        var html = Render(TraceText.RemoteFault(), TimeSpan.FromMilliseconds(1234));

        Assert.Contains("<span id=\"verdict\" class=\"verdict held\">HELD</span>", html);
        Assert.Contains("<tr><th>seed</th><td>7</td></tr>", html);
        Assert.Contains("<tr><th>virtual time</th><td>4 µs</td></tr>", html);
        Assert.Contains("<tr><th>wall time</th><td>1.23 s</td></tr>", html);
        Assert.Contains("<tr class=\"check\"><td>coherence</td><td class=\"held\">held</td>", html);
        Assert.Contains("<tr class=\"check\"><td>pins balanced</td><td class=\"held\">held</td>",
            html);
        Assert.Contains("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"sequence\"", html);
        Assert.Contains("<section id=\"coverage\">", html);
    }

    [Fact]
    public void ReportPage_must_show_a_violation_with_the_events_that_led_to_it()
    {
        const string failure = "checker 'coherence' failed: p0/100 touched frame 9 <stale> "
            + "(seed 7); the events that led to it, oldest first:\n    PageUnmapped { Frame = 9 }";
        var text = new TraceText().Header().Deliver(0, "p0", "Unreferenced")
            .Verdict(false, failure, "Checker", ("pins balanced", false, "1 pinned, 0 unpinned"));

        var html = Render(text);

        Assert.Contains("class=\"verdict failed\">FAILED</span>", html);
        Assert.Contains("<h3>Violation</h3>", html);
        Assert.Contains("touched frame 9 &lt;stale&gt; (seed 7)", html);
        Assert.Contains("PageUnmapped { Frame = 9 }", html);
        Assert.Contains("<td>pins balanced</td><td class=\"broken\">broken</td>", html);
    }

    [Fact]
    public void ReportPage_must_escape_what_the_scenario_wrote()
    {
        var html = Render(TraceText.RemoteFault());

        // The step "a: read32 at => 0" titles the call's answer in the diagram.
        Assert.Contains("a: read32 at =&gt; 0", html);
        Assert.DoesNotContain("at => 0", html);
    }

    [Fact]
    public void LatencyHistograms_must_time_calls_faults_and_lock_waits_in_the_trace_clock()
    {
        var latencies = new LatencyHistograms();
        new RunTimeline(latencies).ReadAll(TraceText.RemoteFault().Lines());

        Assert.Equal([2800L], latencies.Of("read"));
        Assert.Equal([2700L], latencies.Of("fault, across partitions"));
        Assert.Equal([100L], latencies.Of("mmap_sem for read"));
        var html = new StringWriter();
        latencies.WriteHtml(html, "virtual time");
        var text = html.ToString();
        Assert.Contains("<td>read</td><td>1</td><td>2.8 µs</td><td>2.8 µs</td>", text);
        Assert.Contains("in virtual time", text);
        Assert.Contains("aria-label=\"fault, across partitions latency\"", text);
    }

    [Fact]
    public void LatencyHistograms_must_bucket_by_doubling_widths()
    {
        var text = new TraceText().Header();
        foreach (var (start, took) in new[] { (0L, 100L), (1000L, 150L), (2000L, 5000L) })
        {
            var id = $"p0/0.{start}";
            text.Event(start, "runner", "call_started", $"\"tg\":\"p0/100\",\"request_id\":\"{id}\","
                + "\"step\":\"a: exit\",\"call\":{\"type\":\"ExitCall\",\"code\":0}");
            text.Event(start + took, "p0/tg-100", "call_ended", $"\"request_id\":\"{id}\","
                + "\"outcome\":{\"type\":\"Outcome\",\"kind\":\"Dead\"}");
        }
        var latencies = new LatencyHistograms();
        new RunTimeline(latencies).ReadAll(text.Verdict().Lines());

        var html = new StringWriter();
        latencies.WriteHtml(html, "virtual time");

        // 100 ns in [64, 128), 150 in [128, 256), 5000 in [4096, 8192): seven buckets from
        // 64 ns, three of them filled.
        var chart = html.ToString();
        Assert.Equal(7, chart.Split("<g class=\"bar\">").Length - 1);
        Assert.Contains("<title>64 ns to 128 ns: 1</title>", chart);
        Assert.Contains("<title>128 ns to 256 ns: 1</title>", chart);
        Assert.Contains("<title>4.1 µs to 8.19 µs: 1</title>", chart);
        Assert.Contains("<title>256 ns to 512 ns: 0</title>", chart);
    }

    [Fact]
    public void ReportPage_must_show_the_coverage_it_is_given()
    {
        var summed = new ProtocolCoverage();
        for (var run = 0; run < 3; run++)
        {
            new RunTimeline(summed.ObserveTrace()).ReadAll(TraceText.RemoteFault().Lines());
        }

        var html = Render(TraceText.RemoteFault(), coverage: summed);

        Assert.Contains("states and steps reached over 3 runs", html);
        Assert.Contains("<td>crossed partitions</td><td>a message of the chain went over XPC"
            + "</td><td>9</td>", html);
    }

    internal static string Render(TraceText text, TimeSpan? wall = null,
        ProtocolCoverage? coverage = null)
    {
        var diagram = new SequenceDiagram();
        var latencies = new LatencyHistograms();
        var page = new ReportPage(diagram, latencies);
        var own = new ProtocolCoverage();
        new RunTimeline(page, diagram, latencies, own.ObserveTrace()).ReadAll(text.Lines());
        var html = new StringWriter();
        page.Write(html, coverage ?? own, wall);
        return html.ToString();
    }
}
