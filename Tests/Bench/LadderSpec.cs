// Proves the ladder's parts without timing anything: the list of sizes is refused when bad
// (exit 2, nothing run), the judge tells a linear ladder from a quadratic one by the marginal
// costs of its halves, the JSON reads back what it wrote and names what is wrong in a bad file,
// and the SVG holds a point a rung a panel with the fitted line drawn beside each mode.
using System.Globalization;
using System.Xml.Linq;
using Emulator.Host.Bench;
using Emulator.Host.Cli;
using Emulator.Tests.Cli;
using Emulator.Tests.Cluster;
using Xunit;

namespace Emulator.Tests.Bench;

// One at a time with the cluster specs: the ladder's run starts child processes in sim and live,
// a machine's worth of load that the timing-sensitive multi-process specs should not share.
[Collection(ClusterCollection.Name)]
public sealed class LadderSpec : IDisposable
{
    private readonly CliFixture _cli = new();

    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    /// <summary>An Altix-shaped ladder whose time and memory follow the given costs of N
    /// (processes per partition): 288 faults and 18 processes a step of N.</summary>
    private static Ladder Made(Func<int, double> seconds, Func<int, double> bytes,
        params string[] modes) => new(18, 16, "2026-12-03 03:00 UTC", "Release", 2,
        [
            .. from mode in modes
               from n in new[] { 8, 16, 32, 64, 128, 256, 512 }
               select new LadderRung(mode, n, seconds(n), 2 * seconds(n), (long)bytes(n),
                   288L * n, 5_000L * n),
        ]);

    private static readonly Ladder Linear =
        Made(n => 0.5 + 0.03 * n, n => 60e6 + 100e3 * n, "sim", "live");

    [Theory]
    [InlineData("8,x,32", "'x' is not a whole number from 1 to 4096")]
    [InlineData("8,0,32", "'0' is not a whole number from 1 to 4096")]
    [InlineData("8,16,9999", "'9999' is not a whole number from 1 to 4096")]
    [InlineData("16,8,32", "8 after 16: the sizes must rise")]
    [InlineData("8,8,32", "8 after 8: the sizes must rise")]
    [InlineData("8,16", "2 size(s); a ladder needs at least 3")]
    [InlineData("", "'' is not a whole number")]
    public void Bench_ladder_must_refuse_a_bad_list_and_run_nothing(string list, string why)
    {
        var json = _cli.PathOf("ladder.json");
        var outcome = CliFixture.Run("bench", "ladder", "--processes", list, "--json", json);
        Assert.True(outcome.Exit == ExitCodes.BadInput, outcome.ToString());
        Assert.Contains($"--processes '{list}': {why}", outcome.Error);
        Assert.False(File.Exists(json), "a refused ladder wrote its file");
    }

    [Fact]
    public void Bench_ladder_must_refuse_a_json_path_it_cannot_write_before_running()
    {
        var outcome = CliFixture.Run("bench", "ladder", "--processes", "1,2,3", "--json",
            _cli.Folder.FullName);
        Assert.True(outcome.Exit == ExitCodes.BadInput, outcome.ToString());
        Assert.Contains("is a folder, not a file", outcome.Error);
        Assert.DoesNotContain("child process", outcome.Error);
    }

    [Fact]
    public void Bench_ladder_must_run_each_rung_in_sim_and_live_and_write_the_work_it_counted()
    {
        var json = _cli.PathOf("ladder.json");
        var outcome = CliFixture.Run("bench", "ladder", "--processes", "1,2,3", "--json", json);
        Assert.True(outcome.Exit == ExitCodes.Held, outcome.ToString());
        Assert.True(Ladder.TryRead(json, out var ladder, out var error), error);
        Assert.Equal(["sim", "live"], ladder!.Modes);
        foreach (var rung in ladder.Rungs)
        {
            // Every process faults once a page of the segment it attached.
            Assert.Equal(18L * rung.Processes * 16, rung.Faults);
            Assert.True(rung.Messages > rung.Faults && rung.PeakBytes > 0, $"{rung}");
        }
        Assert.Contains("| live | 18 x 3 | 864 |", outcome.Out);
        Assert.Contains("- sim, time: ", outcome.Out);
    }

    [Fact]
    public void Processes_list_must_parse_rising_sizes_with_blanks()
    {
        Assert.True(LadderCommand.TryParseProcesses("8, 16,512", out var sizes, out var error),
            error);
        Assert.Equal([8, 16, 512], sizes);
    }

    [Fact]
    public void Line_must_fit_the_points_of_a_straight_line()
    {
        var line = Line.Fit([(1, 5), (2, 7), (4, 11)]);
        Assert.Equal(3, line.Intercept, 9);
        Assert.Equal(2, line.Slope, 9);
    }

    [Fact]
    public void A_ladder_linear_in_its_work_must_be_judged_linear_despite_its_fixed_cost()
    {
        var verdicts = LadderFit.Judge(Linear);
        Assert.Equal(8, verdicts.Count);
        foreach (var verdict in verdicts)
        {
            Assert.True(verdict.Linear == true, $"{verdict}");
            Assert.Equal(1, verdict.Ratio, 6);
        }
        var time = verdicts.Single(v => v is { Mode: "sim", Quantity: LadderQuantity.Time });
        Assert.Equal(0.03 / 288, time.Lower, 9);
        Assert.Equal((8, 64, 512), (time.Bottom, time.Middle, time.Top));
        var memory = verdicts.Single(v => v is { Mode: "live", Quantity: LadderQuantity.Memory });
        Assert.Equal(100e3 / 18, memory.Upper, 3);
    }

    [Fact]
    public void A_ladder_whose_time_grows_as_n_squared_must_be_judged_not_linear()
    {
        var ladder = Made(n => 0.5 + 1e-4 * n * n, n => 60e6 + 100e3 * n, "sim");
        var verdicts = LadderFit.Judge(ladder);
        var time = verdicts.Single(v => v.Quantity == LadderQuantity.Time);
        Assert.False(time.Linear, $"{time}");
        Assert.True(time.Ratio > 5, $"{time}");
        Assert.True(verdicts.Single(v => v.Quantity == LadderQuantity.Memory).Linear);
        Assert.Contains("sim, time: ", LadderTable.Markdown(ladder));
        Assert.Contains("NOT linear (more than 1.25x)", LadderTable.Markdown(ladder));
    }

    [Fact]
    public void A_ladder_whose_memory_grows_as_n_log_n_must_be_judged_not_linear()
    {
        var ladder = Made(n => 0.5 + 0.03 * n, n => 60e6 + 10e3 * n * Math.Log(n), "live");
        var memory = LadderFit.Judge(ladder).Single(v => v.Quantity == LadderQuantity.Memory);
        Assert.False(memory.Linear, $"{memory}");
        Assert.Equal(1.46, memory.Ratio, 2);
    }

    [Fact]
    public void A_ladder_whose_lower_half_did_not_grow_must_not_be_judged()
    {
        var flat = Made(n => n <= 64 ? 1.0 : n / 64.0, n => 60e6 + 100e3 * n, "sim");
        var time = LadderFit.Judge(flat).Single(v => v.Quantity == LadderQuantity.Time);
        Assert.Null(time.Linear);
        Assert.Contains("cannot judge", LadderTable.Say(time, flat));
    }

    [Fact]
    public void A_mode_of_too_few_rungs_must_be_named_without_a_verdict()
    {
        var ladder = Linear with { Rungs = [.. Linear.Rungs.Where(r => r.Mode == "sim"),
            .. Linear.Rungs.Where(r => r.Mode == "live").Take(2)] };
        Assert.All(LadderFit.Judge(ladder), v => Assert.Equal("sim", v.Mode));
        Assert.Contains("- live: 2 rung(s), too few to judge (3 needed)",
            LadderTable.Markdown(ladder));
    }

    [Fact]
    public void Table_must_hold_a_row_a_rung_with_time_a_fault_and_memory_a_process()
    {
        var rows = LadderTable.Markdown(Linear).Split('\n').Where(l => l.StartsWith("| sim |")
            || l.StartsWith("| live |")).ToList();
        Assert.Equal(14, rows.Count);
        // 18 x 512: 147,456 faults in 15.86 s (31.72 of CPU); 111.2 MB over 9,216 processes.
        Assert.Equal("| live | 18 x 512 | 147,456 | 17.4 | 15.86 | 108 | 104 | 31.72 | 208 | 111 | "
            + "12.1 | 5.56 |", rows[^1]);
    }

    [Fact]
    public void Ladder_json_must_read_back_what_it_wrote()
    {
        var path = _cli.Write("ladder.json", Linear.ToJson());
        Assert.True(Ladder.TryRead(path, out var read, out var error), error);
        Assert.Equal(Linear.Rungs, read!.Rungs);
        Assert.Equal((18, 16, "Release", 2), (read.Partitions, read.Pages, read.Build,
            read.Cores));
    }

    [Theory]
    [InlineData("{", "ladder.json:1: not JSON")]
    [InlineData("[]", "ladder.json: the top is not an object")]
    [InlineData("""{ "partitions": 18 }""", "ladder.json: \"rungs\" is missing (expected what")]
    [InlineData("""{ "rungs": [] }""", "\"rungs\" is empty")]
    public void Ladder_json_must_say_what_is_wrong_in_a_bad_file(string text, string why)
    {
        var path = _cli.Write("ladder.json", text);
        Assert.False(Ladder.TryRead(path, out _, out var error));
        Assert.Contains(why, error);
    }

    [Theory]
    [InlineData("\"faults\": 2304", "\"faults\": -1", "rungs[0]: \"faults\" is not a whole number")]
    [InlineData("\"mode\": \"sim\"", "\"mode\": 3",
        "rungs[0]: \"mode\" is Number, expected string")]
    [InlineData("\"processes\": 16", "\"processes\": 8", "two rungs of 8 processes in sim")]
    public void Ladder_json_must_name_the_bad_rung(string good, string bad, string why)
    {
        var text = Linear.ToJson();
        var at = text.IndexOf(good, StringComparison.Ordinal);
        Assert.True(at >= 0, good);
        var path = _cli.Write("ladder.json", string.Concat(text.AsSpan(0, at), bad,
            text.AsSpan(at + good.Length)));
        Assert.False(Ladder.TryRead(path, out _, out var error));
        Assert.Contains(why, error);
    }

    [Fact]
    public void Plot_must_draw_a_point_a_rung_in_each_panel_with_the_fitted_line()
    {
        var svg = XDocument.Parse(LadderPlot.Draw(Linear));
        var panels = svg.Descendants(Svg + "g").Where(g => (string?)g.Attribute("class")
            == "panel").ToList();
        Assert.Equal(3, panels.Count);
        foreach (var panel in panels)
        {
            Assert.Equal(Linear.Rungs.Count, Points(panel).Count);
            Assert.Equal(2, Lines(panel, "ideal").Count);
            Assert.Equal(2, Lines(panel, "measured").Count);
        }
        var titles = panels[0].Descendants(Svg + "title").Select(t => t.Value).ToList();
        Assert.Contains("sim, 18 x 512: 15.86 s", titles);
        Assert.Contains("live, 18 x 8: 0.74 s", titles);
    }

    [Fact]
    public void Plot_must_show_a_quadratic_top_above_its_fitted_line()
    {
        var svg = XDocument.Parse(LadderPlot.Draw(
            Made(n => 0.5 + 1e-4 * n * n, n => 60e6 + 100e3 * n, "sim")));
        var time = svg.Descendants(Svg + "g").First();
        var top = Points(time).MinBy(p => -p.X);
        var ideal = Lines(time, "ideal").Single()[^1];
        Assert.Equal(top.X, ideal.X, 0);
        // SVG's y runs down: above is smaller.
        Assert.True(top.Y < ideal.Y - 50, $"top {top}, line's end {ideal}");
    }

    private static List<(double X, double Y)> Points(XElement panel) =>
    [
        .. panel.Descendants(Svg + "circle").Select(c => (Number(c, "cx"), Number(c, "cy"))),
    ];

    private static List<List<(double X, double Y)>> Lines(XElement panel, string kind) =>
    [
        .. panel.Descendants(Svg + "polyline").Where(l => (string?)l.Attribute("class") == kind)
            .Select(l => ((string)l.Attribute("points")!).Split(' ').Select(xy => xy.Split(','))
                .Select(xy => (Parse(xy[0]), Parse(xy[1]))).ToList()),
    ];

    private static double Number(XElement element, string name) =>
        Parse((string)element.Attribute(name)!);

    private static double Parse(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    public void Dispose() => _cli.Dispose();
}
