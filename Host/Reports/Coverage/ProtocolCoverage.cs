using Emulator.Host.Reports.Html;

namespace Emulator.Host.Reports.Coverage;

/// <summary>
/// Which protocol states (segment, permit, attachment, lock, partition) and fault-chain steps
/// runs reached, and how often (<see cref="CoverageCatalogue"/> lists them). Made to be summed
/// over many runs: observe each run with <see cref="ObserveRun"/> (an <c>ITrace</c> for a
/// machine: no trace file needed) or read its trace back (<see cref="ObserveTrace"/>, as
/// <c>report.html</c> does), <see cref="Merge"/> the coverage of several workers, then
/// <see cref="WriteHtml"/>. Counting is thread safe; merging is not (merge once the runs ended).
/// </summary>
public sealed class ProtocolCoverage
{
    private readonly long[] _counts = new long[CoverageCatalogue.Items.Count];
    private long _runs;

    /// <summary>How many runs were observed (merged ones included).</summary>
    public long Runs => Interlocked.Read(ref _runs);

    /// <summary>How many states and steps there are to reach.</summary>
    public static int ItemCount => CoverageCatalogue.Items.Count;

    /// <summary>How many of them some run reached.</summary>
    public int ReachedCount => Counts().Count(c => c.Count > 0);

    /// <summary>
    /// How many times runs reached <paramref name="name"/> of <paramref name="area"/>.
    /// </summary>
    public long CountOf(string area, string name) =>
        Interlocked.Read(ref _counts[CoverageCatalogue.IndexOf(area, name)]);

    public bool Reached(string area, string name) => CountOf(area, name) > 0;

    /// <summary>The items with their counts, in catalogue order.</summary>
    public IEnumerable<(CoverageItem Item, long Count)> Counts() =>
        CoverageCatalogue.Items.Select((item, index) =>
            (item, Interlocked.Read(ref _counts[index])));

    /// <summary>
    /// A trace for one run's machine that counts what the run reaches as it happens (sim or
    /// live): pass it where the machine takes its <c>ITrace</c>.
    /// </summary>
    public CoverageTrace ObserveRun()
    {
        Interlocked.Increment(ref _runs);
        return new CoverageTrace(this);
    }

    /// <summary>A view that counts a run read back from its trace file.</summary>
    public CoverageView ObserveTrace()
    {
        Interlocked.Increment(ref _runs);
        return new CoverageView(this);
    }

    /// <summary>Adds <paramref name="other"/>'s runs and counts to these.</summary>
    public void Merge(ProtocolCoverage other)
    {
        for (var index = 0; index < _counts.Length; index++) _counts[index] += other._counts[index];
        _runs += other._runs;
    }

    /// <summary>
    /// The coverage as an HTML section (no script, inline styles from the report's sheet): per
    /// area, each state or step, what it means, and how often it was reached; unreached ones
    /// stand out.
    /// </summary>
    public void WriteHtml(TextWriter html)
    {
        var runs = Runs == 1 ? "this run" : $"{HtmlText.Count(Runs)} runs";
        html.WriteLine("<section id=\"coverage\"><h2>Protocol-state coverage</h2>");
        html.WriteLine($"<p><b>{ReachedCount} of {ItemCount}</b> states and steps reached over "
            + $"{runs}. A state counts when the trace shows it: a message handed to the actor "
            + "in it, or an event it emitted.</p>");
        foreach (var area in CoverageArea.All)
        {
            var items = Counts().Where(c => c.Item.Area == area).ToList();
            var reached = items.Count(c => c.Count > 0);
            html.WriteLine($"<table class=\"coverage\" data-area=\"{HtmlText.Escape(area)}\">"
                + $"<caption>{HtmlText.Escape(area)}: {reached} of {items.Count}</caption>");
            html.WriteLine("<tr><th>state or step</th><th>meaning</th><th>reached</th></tr>");
            foreach (var (item, count) in items)
            {
                html.WriteLine($"<tr class=\"{(count > 0 ? "reached" : "missed")}\">"
                    + $"<td>{HtmlText.Escape(item.Name)}</td><td>{HtmlText.Escape(item.Meaning)}"
                    + $"</td><td>{(count > 0 ? HtmlText.Count(count) : "not reached")}</td></tr>");
            }
            html.WriteLine("</table>");
        }
        html.WriteLine("</section>");
    }

    internal void Count(int item) => Interlocked.Increment(ref _counts[item]);
}
