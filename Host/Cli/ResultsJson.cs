using System.Text.Encodings.Web;
using System.Text.Json;
using Emulator.Host.Machines;

namespace Emulator.Host.Cli;

/// <summary>
/// <c>--results FILE</c>: the runs as JSON, for scripts. One object: the version, the mode, the
/// seeds spec, the totals, and one entry per file and seed that ran (verdict, figures, what
/// failed, the command that reproduces it).
/// </summary>
public static class ResultsJson
{
    public static void Write(string path, SweepTotals totals, IReadOnlyList<RunRecord> runs,
        RunMode mode = RunMode.Sim)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions
        {
            Indented = true,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
        json.WriteStartObject();
        json.WriteString("tool", "xpmem-emu");
        json.WriteString("version", Program.Version);
        json.WriteString("mode", mode.ToString().ToLowerInvariant());
        if (totals.Seeds is { } seeds) json.WriteString("seeds", UserText.WellFormed(seeds));
        else json.WriteNull("seeds");
        json.WriteNumber("exitCode", totals.ExitCode);
        json.WriteStartObject("totals");
        json.WriteNumber("runs", totals.Runs);
        json.WriteNumber("held", totals.Held);
        json.WriteNumber("failed", totals.Failed);
        json.WriteNumber("notRun", totals.NotRun);
        json.WriteNumber("elapsedMs", Math.Round(totals.Elapsed.TotalMilliseconds, 3));
        json.WriteEndObject();
        json.WriteStartArray("runs");
        foreach (var run in runs) WriteRun(json, run);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteRun(Utf8JsonWriter json, RunRecord run)
    {
        var summary = run.Result.Summary;
        json.WriteStartObject();
        json.WriteString("file", UserText.WellFormed(run.File.Path));
        json.WriteString("scenario", UserText.WellFormed(run.File.Scenario.Name));
        json.WriteNumber("seed", run.Seed);
        json.WriteString("verdict", run.Passed ? "held" : "failed");
        json.WriteNumber("steps", summary.Steps);
        json.WriteNumber("calls", summary.Calls);
        json.WriteNumber("faults", summary.Faults);
        json.WriteNumber("messages", summary.Messages);
        json.WriteNumber("xpcMessages", summary.XpcMessages);
        json.WriteStartObject("pins");
        json.WriteNumber("pinned", summary.Pins.Pinned);
        json.WriteNumber("unpinned", summary.Pins.Unpinned);
        json.WriteEndObject();
        json.WriteNumber("virtualTimeMs", summary.VirtualTime.TotalMilliseconds);
        json.WriteNumber("elapsedMs", Math.Round(summary.Elapsed.TotalMilliseconds, 3));
        var failures = run.Failures;
        if (failures.Count == 0) json.WriteNull("failure");
        else json.WriteString("failure", UserText.WellFormed(string.Join("\n", failures)));
        if (run.Result.FailedStep is { } step)
        {
            json.WriteStartObject("failedStep");
            json.WriteString("file", UserText.WellFormed(step.Location.File));
            json.WriteNumber("line", step.Location.Line);
            json.WriteNumber("column", step.Location.Column);
            json.WriteString("text", UserText.WellFormed(step.Text));
            json.WriteEndObject();
        }
        else json.WriteNull("failedStep");
        json.WriteStartArray("failedChecks");
        foreach (var check in run.Result.Checks.Where(c => !c.Held))
        {
            json.WriteStartObject();
            json.WriteString("name", UserText.WellFormed(check.Name));
            json.WriteString("detail", UserText.WellFormed(check.Detail));
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteString("reproduce", UserText.WellFormed(run.Reproduce));
        if (run.TracePath is { } trace) json.WriteString("trace", UserText.WellFormed(trace));
        else json.WriteNull("trace");
        json.WriteEndObject();
    }
}
