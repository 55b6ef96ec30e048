using System.Text;
using Emulator.Host.Reports.Chrome;
using Emulator.Host.Reports.Coverage;
using Emulator.Host.Reports.Html;
using Emulator.Host.Reports.Timeline;

namespace Emulator.Host.Reports;

/// <summary>
/// The reports a person looks at, written beside a run's <c>trace.jsonl</c> from the trace
/// itself, in one pass: <c>trace.chrome.json</c> (Perfetto, chrome://tracing) and
/// <c>report.html</c> (any browser). Each goes to a <c>.partial</c> file first and gets its name
/// when complete, as the trace does. docs/reports.md says what is in them.
/// </summary>
public static class RunReports
{
    /// <summary>
    /// Writes both reports beside <paramref name="traceFile"/> and returns their paths.
    /// <paramref name="wallTime"/>: how long the run took (the trace has only its own clock).
    /// <paramref name="coverage"/>: the coverage to show (an explore's, summed over its
    /// schedules); null shows this run's own.
    /// </summary>
    public static (string ChromeTrace, string Report) WriteBeside(string traceFile,
        TimeSpan? wallTime = null, ProtocolCoverage? coverage = null,
        int rowsAtEachEnd = SequenceDiagram.DefaultRowsAtEachEnd)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(traceFile))!;
        var chromePath = Path.Combine(folder, ChromeTrace.FileName);
        var reportPath = Path.Combine(folder, ReportPage.FileName);
        var own = new ProtocolCoverage();
        var diagram = new SequenceDiagram(rowsAtEachEnd);
        var latencies = new LatencyHistograms();
        var page = new ReportPage(diagram, latencies);
        using (var chromeFile = Create(chromePath))
        using (var chrome = new ChromeTrace(chromeFile))
        {
            new RunTimeline(chrome, page, diagram, latencies, own.ObserveTrace())
                .ReadAll(TraceFile.Lines(traceFile));
        }
        using (var reportFile = Create(reportPath))
        using (var html = new StreamWriter(reportFile, new UTF8Encoding(false), 1 << 16))
        {
            page.Write(html, coverage ?? own, wallTime);
        }
        File.Move(chromePath + JsonlTrace.PartialSuffix, chromePath, overwrite: true);
        File.Move(reportPath + JsonlTrace.PartialSuffix, reportPath, overwrite: true);
        return (chromePath, reportPath);
    }

    private static FileStream Create(string path)
    {
        File.Delete(path);
        return new FileStream(path + JsonlTrace.PartialSuffix, FileMode.Create, FileAccess.Write,
            FileShare.Read, 1 << 16);
    }
}
