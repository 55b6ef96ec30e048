// Proves report.html shows in a real browser what a person comes for: headless chromium opens the
// report of a real run (two partitions faulting on each other's memory) with no network, and the
// DOM it built has the sequence diagram's SVG with its fault chains grouped, and the verdict and
// every checker's; the screenshot is a real PNG of the page, not a blank one, with the green of
// the held verdict on it. One browser launch, bounded, its processes killed whatever happens.
// Where chromium is missing the test is skipped with the reason, except in CI, where it fails.
using System.Text.RegularExpressions;
using Emulator.Host.Reports.Html;
using Emulator.Tests.Cli;
using Emulator.Tests.Examples;
using Xunit;

namespace Emulator.Tests.Reports;

public sealed class ReportBrowserSpec : IDisposable
{
    private const int Width = 1400;
    private const int Height = 1800;

    private readonly CliFixture _cli = new();

    public void Dispose() => _cli.Dispose();

    [BrowserFact]
    public void Report_must_show_the_diagram_and_the_verdicts_in_headless_chromium()
    {
        Assert.True(HeadlessChromium.Executable is not null, HeadlessChromium.Missing);
        var folder = _cli.PathOf("out");
        var example = Path.Combine(ExamplesSpec.RepositoryFolder("examples"),
            "parallel-cross-faults.hocon");
        // Page grain keeps the run short enough that its fault chains fall among the arrows the
        // diagram draws (the first and last 150).
        var run = CliFixture.Run("run", example, "--out", folder, "--seed", "5",
            "--set", "access-grain=page");
        Assert.True(run.Exit == 0, run.ToString());
        var screenshot = Path.Combine(folder, "report.png");

        var dom = HeadlessChromium.Render(Path.Combine(folder, ReportPage.FileName), screenshot,
            Width, Height, TimeSpan.FromSeconds(90));

        Assert.Contains("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"sequence\"", dom);
        var chains = Regex.Matches(dom, "<g class=\"fault-chain\" data-chain=\"(p\\d+/\\d+\\.\\d+)\"")
            .Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.True(chains.Count >= 2, $"seed 5: {chains.Count} fault chains drawn");
        Assert.Matches("<span id=\"verdict\" class=\"verdict held\">HELD</span>", dom);
        foreach (var checker in new[] { "coherence", "pins balanced", "nothing in flight" })
            Assert.Contains($"<td>{checker}</td><td class=\"held\">held</td>", dom);

        var image = PngImage.Read(File.ReadAllBytes(screenshot));
        Assert.Equal((Width, Height), (image.Width, image.Height));
        var pixels = image.Pixels().ToList();
        var inked = pixels.Count(p => p.R < 235 || p.G < 235 || p.B < 235);
        Assert.True(inked > pixels.Count / 50, $"only {inked} of {pixels.Count} pixels are not white");
        Assert.True(pixels.Distinct().Count() > 50, "the screenshot has hardly any colours");
        // The HELD badge (#2e7d32) and the checkers' held cells.
        var green = pixels.Count(p => Math.Abs(p.R - 0x2e) < 12 && Math.Abs(p.G - 0x7d) < 12
            && Math.Abs(p.B - 0x32) < 12);
        Assert.True(green > 500, $"only {green} pixels of the held verdict's green");
    }
}
