// Proves `run FILE --out DIR` leaves the three files a person opens, from a real run: the
// three-partition ring example (faults across partitions, recall, owner death, remove) writes
// trace.jsonl, trace.chrome.json with a slice for every delivery of the trace and one flow per
// fault chain, and report.html with the verdicts of the trace's verdict line, the grouped chains
// and the coverage; a failing run's report says where and why it failed. Runs the program
// in-process, as the command-line specs do.
using System.Text.Json;
using System.Text.RegularExpressions;
using Emulator.Host.Cli;
using Emulator.Host.Reports;
using Emulator.Host.Reports.Chrome;
using Emulator.Host.Reports.Html;
using Emulator.Tests.Cli;
using Emulator.Tests.Examples;
using Xunit;

namespace Emulator.Tests.Reports;

public sealed class RunReportsSpec : IDisposable
{
    private readonly CliFixture _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void Run_with_out_must_write_the_trace_the_chrome_trace_and_the_report()
    {
        var folder = _cli.PathOf("ring");
        var example = Path.Combine(ExamplesSpec.RepositoryFolder("examples"), "cluster-ring.hocon");

        var outcome = CliFixture.Run("run", example, "--out", folder, "--seed", "3");

        Assert.True(outcome.Exit == ExitCodes.Held, outcome.ToString());
        Assert.Equal([ReportPage.FileName, ChromeTrace.FileName, JsonlTrace.FileName],
            Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var trace = File.ReadAllLines(Path.Combine(folder, JsonlTrace.FileName))
            .Select(line => JsonDocument.Parse(line).RootElement).ToList();
        var deliveries = trace.Count(l => Kind(l) == "deliver");
        var chainIds = TraceFile.Lines(Path.Combine(folder, JsonlTrace.FileName))
            .Where(l => l.IsDelivery && l.MessageType == "Pin").Select(l => l.RequestId!)
            .ToHashSet();
        var chains = chainIds.Count;
        Assert.True(chains >= 3, $"seed 3: only {chains} fault chains in the ring");

        var chrome = new ChromeTraceSpec.ChromeFile(JsonDocument.Parse(
            File.ReadAllBytes(Path.Combine(folder, ChromeTrace.FileName))).RootElement);
        Assert.Equal(deliveries, chrome.Events("X").Count(e => e.Category.StartsWith("deliver")));
        Assert.Equal(["partition p0", "partition p1", "partition p2"],
            chrome.Metadata("process_name").Select(m => m.Name).Order());
        var flows = chrome.All.Where(e => e.Phase is "s" or "t" or "f").GroupBy(e => e.Id).ToList();
        Assert.Equal(chains, flows.Count);
        Assert.All(flows, flow => Assert.Equal((1, 1), (flow.Count(e => e.Phase == "s"),
            flow.Count(e => e.Phase == "f"))));
        Assert.All(flows.SelectMany(f => f), point => Assert.True(chrome.InsideSlice(point),
            $"seed 3: flow {point.Id} at {point.Ts} µs is in no slice of its track"));
        chrome.AssertNoTrackCrosses();

        var html = File.ReadAllText(Path.Combine(folder, ReportPage.FileName));
        Assert.Contains("class=\"verdict held\">HELD</span>", html);
        var checks = trace[^1].GetProperty("checks").EnumerateArray()
            .Select(c => c.GetProperty("name").GetString()!).ToList();
        Assert.NotEmpty(checks);
        Assert.All(checks, name => Assert.Contains(
            $"<td>{name}</td><td class=\"held\">held</td>", html));
        // The diagram shows the chains of its first and last arrows, each in its group.
        var drawn = Regex.Matches(html, "<g class=\"fault-chain\" data-chain=\"([^\"]+)\"")
            .Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(drawn);
        Assert.Subset(chainIds, drawn.ToHashSet());
        Assert.Contains("<table class=\"latency\" data-group=\"calls\">", html);
        Assert.Contains("<table class=\"latency\" data-group=\"faults\">", html);
        Assert.Contains("<tr class=\"reached\"><td>crossed partitions</td>", html);
    }

    [Fact]
    public void Run_with_out_must_report_where_and_why_a_run_failed()
    {
        var scenario = _cli.Write("wrong.hocon", CliFixture.Wrong);
        var folder = _cli.PathOf("wrong");

        var outcome = CliFixture.Run("run", scenario, "--out", folder);

        Assert.True(outcome.Exit == ExitCodes.ScenarioFailed, outcome.ToString());
        var html = File.ReadAllText(Path.Combine(folder, ReportPage.FileName));
        Assert.Contains("class=\"verdict failed\">FAILED</span>", html);
        Assert.Contains("<h3>Failure (Step) at ", html);
        Assert.Contains("wrong.hocon:12:3 &quot;user:  read32 at+8 =&gt; 3&quot;</h3>", html);
        Assert.Contains("expected 0x3 (3), got ok 0x2 (2) (seed 1)</pre>", html);
    }

    private static string? Kind(JsonElement line) => line.GetProperty("kind").GetString();
}
