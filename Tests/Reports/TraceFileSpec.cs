// Proves the trace file is streamed, not held: lines reach trace.jsonl.partial while the run goes
// on, the file is renamed to trace.jsonl only when the trace ends, a trace that never ends stays
// .partial, and a previous run's trace.jsonl is removed as soon as a new trace starts. Each test
// drives a JsonlTrace on a temporary folder and looks at the files between the calls.
using Emulator.Host.Reports;
using Emulator.Protocol.Faults;
using Xunit;

namespace Emulator.Tests.Reports;

public sealed class TraceFileSpec : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("xpmem-trace-");

    private string Final => Path.Combine(_folder.FullName, JsonlTrace.FileName);

    private string Partial => Final + JsonlTrace.PartialSuffix;

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public void JsonlTrace_must_stream_lines_into_a_partial_file_renamed_at_the_end()
    {
        using var trace = JsonlTrace.ToFolder(_folder.FullName, () => TimeSpan.Zero);
        trace.Begin(JsonlTraceSpec.Header());
        // Well past the writer's 64 KiB buffer: these lines must be on disk already.
        for (var line = 0; line < 2_000; line++)
        {
            trace.Delivered("/user/machine/p0/tg-100/seg-1", new Frames.Unpin([line, line + 1]));
        }

        Assert.True(new FileInfo(Partial).Length > 64 * 1024,
            $"only {new FileInfo(Partial).Length} bytes reached the file");
        Assert.False(File.Exists(Final), "trace.jsonl exists before the run ended");

        trace.End(JsonlTraceSpec.Verdict());

        Assert.False(File.Exists(Partial), "the .partial file is still there");
        var lines = File.ReadAllLines(Final);
        Assert.Equal(2_002, lines.Length);
        Assert.StartsWith("""{"kind":"header",""", lines[0]);
        Assert.StartsWith("""{"kind":"verdict",""", lines[^1]);
    }

    [Fact]
    public void JsonlTrace_must_leave_a_trace_that_never_ended_partial()
    {
        using (var trace = JsonlTrace.ToFolder(_folder.FullName, () => TimeSpan.Zero))
        {
            trace.Begin(JsonlTraceSpec.Header());
            trace.Delivered("/user/machine/p0", new Frames.Unpin([1]));
        }

        Assert.False(File.Exists(Final), "an unfinished trace was given the final name");
        var lines = File.ReadAllLines(Partial);
        Assert.Equal(2, lines.Length);
        Assert.Contains("\"kind\":\"deliver\"", lines[1]);
    }

    [Fact]
    public void JsonlTrace_must_remove_the_last_runs_trace_as_soon_as_it_starts()
    {
        File.WriteAllText(Final, "{\"kind\":\"header\",\"seed\":1}\n");
        File.WriteAllText(Partial, "stale");

        using var trace = JsonlTrace.ToFolder(_folder.FullName, () => TimeSpan.Zero);

        Assert.False(File.Exists(Final), "the old trace.jsonl is still there");
        Assert.Equal(0, new FileInfo(Partial).Length);
    }
}
