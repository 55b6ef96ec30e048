using System.Numerics;
using Emulator.Host.Reports.Timeline;

namespace Emulator.Host.Reports.Html;

/// <summary>
/// How long things took, per kind, as histograms in SVG with their percentiles: each call kind
/// (from the runner's start to the process's end), each way a fault ended (from
/// <c>fault_started</c> to the answer reaching the faulting thread group), and each kind of lock
/// wait. Times are the trace's clock: virtual in sim, the wall in live. Buckets double in width,
/// so one chart reads nanoseconds and milliseconds alike.
/// </summary>
public sealed class LatencyHistograms : ITimelineView
{
    private const double ChartWidth = 330;
    private const double BarWidthMax = 36;
    private const double BarsHeight = 48;

    private readonly SortedDictionary<string, List<long>> _calls = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, List<long>> _faults = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, List<long>> _waits = new(StringComparer.Ordinal);

    public void CallEnded(CallSpan call)
    {
        if (call.Ended) Add(_calls, call.Kind, call.EndNs - call.StartNs);
    }

    public void FaultAnswered(FaultSpan fault) =>
        Add(_faults, fault.Kind, fault.EndNs - fault.StartNs);

    public void LockLeft(LockSpan visit)
    {
        if (visit.WaitNs is not { } waited || visit.AcquiredNs is not { } acquired) return;
        Add(_waits, $"{visit.LockKind} for {visit.Mode.ToLowerInvariant()}", acquired - waited);
    }

    /// <summary>The durations of one kind (tests read them).</summary>
    public IReadOnlyList<long> Of(string kind) =>
        _calls.GetValueOrDefault(kind) ?? _faults.GetValueOrDefault(kind)
        ?? _waits.GetValueOrDefault(kind) ?? (IReadOnlyList<long>)[];

    public void WriteHtml(TextWriter html, string clockName)
    {
        Write(html, "calls", "From the runner's call to the process's answer", _calls, clockName);
        Write(html, "faults", "From fault_started to the answer reaching the faulting process",
            _faults, clockName);
        Write(html, "lock waits", "From a task parked on a lock to the lock granted", _waits,
            clockName);
    }

    private static void Write(TextWriter html, string title, string what,
        SortedDictionary<string, List<long>> kinds, string clockName)
    {
        html.WriteLine($"<h3>{HtmlText.Escape(title)}</h3>");
        if (kinds.Count == 0)
        {
            html.WriteLine($"<p class=\"note\">No {HtmlText.Escape(title)} in this run.</p>");
            return;
        }
        html.WriteLine($"<p class=\"note\">{HtmlText.Escape(what)}, in {clockName}.</p>");
        html.WriteLine($"<table class=\"latency\" data-group=\"{HtmlText.Escape(title)}\"><tr>"
            + "<th>kind</th><th>count</th><th>min</th><th>p50</th><th>p90</th><th>p99</th>"
            + "<th>max</th><th>histogram</th></tr>");
        foreach (var (kind, values) in kinds)
        {
            values.Sort();
            html.Write($"<tr><td>{HtmlText.Escape(kind)}</td>"
                + $"<td>{HtmlText.Count(values.Count)}</td>"
                + $"<td>{Time(values[0])}</td><td>{Time(Percentile(values, 0.5))}</td>"
                + $"<td>{Time(Percentile(values, 0.9))}</td>"
                + $"<td>{Time(Percentile(values, 0.99))}</td><td>{Time(values[^1])}</td><td>");
            WriteChart(html, kind, values);
            html.WriteLine("</td></tr>");
        }
        html.WriteLine("</table>");
    }

    /// <summary>
    /// Bars over buckets that double in width: bucket 0 holds 0, bucket k holds [2^(k-1), 2^k).
    /// </summary>
    private static void WriteChart(TextWriter html, string kind, List<long> sorted)
    {
        var first = Bucket(sorted[0]);
        var last = Bucket(sorted[^1]);
        var counts = new long[last - first + 1];
        foreach (var value in sorted) counts[Bucket(value) - first]++;
        var most = counts.Max();
        var width = Math.Min(BarWidthMax, ChartWidth / counts.Length);
        var height = BarsHeight + 30;
        var every = Math.Max(1, (int)Math.Ceiling(counts.Length / 6.0));
        html.Write($"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"histogram\" "
            + $"width=\"{ChartWidth + 20}\" height=\"{height}\" font-family=\"sans-serif\" "
            + $"font-size=\"9\" role=\"img\" aria-label=\"{HtmlText.Escape(kind)} latency\">");
        for (var index = 0; index < counts.Length; index++)
        {
            var x = 10 + index * width;
            var bar = counts[index] == 0 ? 0 : Math.Max(1.5, BarsHeight * counts[index] / most);
            var bucket = first + index;
            var range = bucket == 0 ? "0" : $"{Time(Lower(bucket))} to {Time(Lower(bucket + 1))}";
            html.Write($"<g class=\"bar\"><title>{range}: {HtmlText.Count(counts[index])}</title>"
                + $"<rect x=\"{C(x + 1)}\" y=\"{C(12 + BarsHeight - bar)}\" "
                + $"width=\"{C(Math.Max(1, width - 2))}\" height=\"{C(bar)}\" fill=\"#4a7ebb\"/>");
            if (counts[index] > 0)
                html.Write($"<text x=\"{C(x + width / 2)}\" y=\"{C(10 + BarsHeight - bar)}\" "
                    + $"text-anchor=\"middle\">{counts[index]}</text>");
            html.Write("</g>");
            if (index % every == 0)
                html.Write($"<text x=\"{C(x + 1)}\" y=\"{C(height - 6)}\">"
                    + $"{(bucket == 0 ? "0" : Time(Lower(bucket)))}</text>");
        }
        html.Write($"<line x1=\"10\" y1=\"{C(12 + BarsHeight)}\" x2=\"{C(10 + ChartWidth)}\" "
            + $"y2=\"{C(12 + BarsHeight)}\" stroke=\"#999\"/></svg>");
    }

    private static int Bucket(long value) =>
        value <= 0 ? 0 : 64 - BitOperations.LeadingZeroCount((ulong)value);

    private static long Lower(int bucket) => bucket <= 1 ? bucket : 1L << Math.Min(62, bucket - 1);

    private static long Percentile(List<long> sorted, double quantile) =>
        sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static string Time(long nanoseconds) => HtmlText.Escape(HtmlText.Duration(nanoseconds));

    private static string C(double value) => HtmlText.Coordinate(value);

    private static void Add(SortedDictionary<string, List<long>> kinds, string kind, long value)
    {
        if (!kinds.TryGetValue(kind, out var values)) kinds[kind] = values = [];
        values.Add(Math.Max(0, value));
    }
}
