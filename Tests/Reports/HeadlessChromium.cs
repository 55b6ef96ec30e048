using System.Diagnostics;
using Xunit;

namespace Emulator.Tests.Reports;

/// <summary>
/// Debian's chromium, run headless on a page: one launch gives the DOM as the browser built it
/// and a screenshot. Bounded: a launch that outlives its time is killed with every process it
/// started, and so is one that ended early with children left behind. The browser is found on
/// PATH (or at <c>XPMEM_CHROMIUM</c>); CI requires it (<c>.ci/run</c> installs it and sets
/// <c>XPMEM_REQUIRE_BROWSER=1</c>), elsewhere a test that needs it is skipped, saying why.
/// </summary>
internal static class HeadlessChromium
{
    public const string RequireVariable = "XPMEM_REQUIRE_BROWSER";
    public const string PathVariable = "XPMEM_CHROMIUM";

    private static readonly string[] Names =
        ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

    /// <summary>The browser's executable, or null when there is none.</summary>
    public static string? Executable { get; } = Find();

    /// <summary>True where a missing browser is a failure, not a skip (CI).</summary>
    public static bool Required =>
        Environment.GetEnvironmentVariable(RequireVariable) == "1"
        || string.Equals(Environment.GetEnvironmentVariable("CI"), "true",
            StringComparison.OrdinalIgnoreCase);

    public const string Missing = "chromium was not found on PATH (nor at XPMEM_CHROMIUM): "
        + "install Debian's chromium (apt-get install chromium) to run the browser test; "
        + ".ci/run installs it, and CI fails without it";

    /// <summary>
    /// Opens <paramref name="page"/> in a window of the given size, writes a screenshot to
    /// <paramref name="screenshot"/> and returns the DOM as rendered.
    /// </summary>
    public static string Render(string page, string screenshot, int width, int height,
        TimeSpan timeLimit)
    {
        Assert.True(Executable is not null, Missing);
        var profile = Directory.CreateTempSubdirectory("xpmem-chromium-");
        var start = new ProcessStartInfo(Executable!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--no-first-run", "--hide-scrollbars", $"--user-data-dir={profile.FullName}",
            $"--window-size={width},{height}", $"--screenshot={screenshot}", "--dump-dom",
            new Uri(Path.GetFullPath(page)).AbsoluteUri,
        }) start.ArgumentList.Add(argument);
        using var browser = Process.Start(start)!;
        try
        {
            var dom = browser.StandardOutput.ReadToEndAsync();
            var errors = browser.StandardError.ReadToEndAsync();
            if (!browser.WaitForExit(timeLimit))
                Assert.Fail($"chromium did not finish within {timeLimit.TotalSeconds} s");
            browser.WaitForExit();
            Assert.True(browser.ExitCode == 0,
                $"chromium exited with {browser.ExitCode}: {Tail(errors.Result)}");
            return dom.Result;
        }
        finally
        {
            if (!browser.HasExited) browser.Kill(entireProcessTree: true);
            try
            {
                profile.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A renderer still letting go of its profile: the temp folder keeps it.
            }
        }
    }

    private static string Tail(string text) =>
        string.Join('\n', text.Split('\n').TakeLast(10));

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } given)
            return File.Exists(given) ? given : null;
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return Names.SelectMany(name => folders.Select(folder => Path.Combine(folder, name)))
            .FirstOrDefault(File.Exists);
    }
}

/// <summary>
/// A fact that needs the browser: skipped, with the reason, where there is none and CI is not
/// asking for one.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (HeadlessChromium.Executable is null && !HeadlessChromium.Required)
            Skip = HeadlessChromium.Missing;
    }
}
