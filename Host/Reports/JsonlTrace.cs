using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Akka.Actor;
using Emulator.Partitions.Tracing;
using Emulator.Protocol.Ids;

namespace Emulator.Host.Reports;

/// <summary>
/// The run's trace as JSON lines (docs/trace.md): a header, then one line per delivery and per
/// event, numbered and stamped with the virtual clock, then a verdict. Lines are streamed to the
/// file as they come (in 64 KiB writes), into <c>trace.jsonl.partial</c>, renamed to
/// <c>trace.jsonl</c> when the run ends; a run that never ends (Ctrl-C, a crash) leaves the
/// <c>.partial</c> file. Nothing in a line depends on the wall clock or on Akka's random actor
/// uids, so the same seed and file give the same bytes (in <c>sim</c>). Thread safe: in
/// <c>live</c> actors trace from pool threads at once, so each line is numbered, stamped and
/// written under one lock, and the lines' order is the order the lock admitted them; tracing off
/// (<see cref="NoTrace"/>) takes no lock at all.
/// </summary>
public sealed class JsonlTrace : ITrace, IDisposable
{
    /// <summary>The trace format's version, in the header; changes when a field changes.</summary>
    public const int FormatVersion = 1;

    public const string FileName = "trace.jsonl";

    public const string PartialSuffix = ".partial";

    /// <summary>
    /// Lines collect in memory up to this size, then go to the stream in one write.
    /// </summary>
    private const int FlushBytes = 1 << 16;

    private static readonly JsonWriterOptions Options = new()
    {
        // The trace is read in terminals and by jq, never embedded in HTML: keep '>' and '+'.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private static readonly JsonEncodedText Seq = JsonEncodedText.Encode("seq");
    private static readonly JsonEncodedText TimeNs = JsonEncodedText.Encode("t_ns");
    private static readonly JsonEncodedText ActorField = JsonEncodedText.Encode("actor");
    private static readonly JsonEncodedText ProcessField = JsonEncodedText.Encode("process");
    private static readonly JsonEncodedText KindField = JsonEncodedText.Encode("kind");
    private static readonly JsonEncodedText Deliver = JsonEncodedText.Encode("deliver");
    private static readonly JsonEncodedText HeaderKind = JsonEncodedText.Encode("header");
    private static readonly JsonEncodedText VerdictKind = JsonEncodedText.Encode("verdict");

    private readonly object _gate = new();
    private readonly Func<TimeSpan> _clock;
    private readonly ArrayBufferWriter<byte> _lines = new(FlushBytes + 4096);
    private readonly Utf8JsonWriter _json;
    private readonly Stream _output;
    private readonly string? _partialPath;
    private readonly ConditionalWeakTable<string, ActorEntry> _actors = new();
    private readonly Dictionary<TgId, string> _processNames = [];
    private bool _begun;
    private long _sequence;
    private bool _ended;

    private JsonlTrace(Func<TimeSpan> clock, Stream output, string? partialPath,
        string? finalPath)
    {
        _clock = clock;
        _output = output;
        _partialPath = partialPath;
        FinalPath = finalPath;
        _json = new Utf8JsonWriter(_lines, Options);
    }

    public bool Enabled => !Volatile.Read(ref _ended);

    /// <summary>Deliver and event lines written so far (the last line's <c>seq</c>).</summary>
    public long Lines => Interlocked.Read(ref _sequence);

    /// <summary>Where the finished trace goes; null for an in-memory trace.</summary>
    public string? FinalPath { get; }

    /// <summary>
    /// A trace streamed into <paramref name="directory"/>: removes the last run's
    /// <c>trace.jsonl</c> at once, so an old trace is never taken for this run's.
    /// </summary>
    public static JsonlTrace ToFolder(string directory, Func<TimeSpan> clock)
    {
        Directory.CreateDirectory(directory);
        var final = Path.Combine(directory, FileName);
        var partial = final + PartialSuffix;
        File.Delete(final);
        // Unbuffered: the trace hands it whole 64 KiB blocks.
        var stream = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.Read,
            bufferSize: 0);
        return new JsonlTrace(clock, stream, partial, final);
    }

    /// <summary>A trace kept in memory (tests compare two runs' text).</summary>
    public static JsonlTrace InMemory(Func<TimeSpan> clock) =>
        new(clock, new MemoryStream(), null, null);

    /// <summary>
    /// From now on lines about <paramref name="process"/>'s actors carry
    /// <c>"process":"<paramref name="name"/>"</c>.
    /// </summary>
    public void NameProcess(TgId process, string name)
    {
        lock (_gate) _processNames[process] = name;
    }

    /// <summary>
    /// Writes the header as the first line; the lines traced before it (the processes starting,
    /// held until now) follow it.
    /// </summary>
    public void Begin(TraceHeader header)
    {
        lock (_gate)
        {
            if (_begun) throw new InvalidOperationException("the trace has its header already");
            foreach (var process in header.Processes)
            {
                if (process.Tg is { } tg) _processNames[tg] = process.Name;
            }
            var early = _lines.WrittenSpan.ToArray();
            _lines.ResetWrittenCount();
            WriteFraming(HeaderKind, header);
            _lines.Write(early);
            _begun = true;
            FlushIfFull();
        }
    }

    public bool HasBegun
    {
        get { lock (_gate) return _begun; }
    }

    public void Delivered(string actor, object message)
    {
        // An actor timer's message comes wrapped; the trace shows what the actor handles.
        if (message is IWrappedMessage wrapped) message = wrapped.Message;
        lock (_gate)
        {
            if (_ended) return;
            WriteLine(actor, null, Deliver, message.GetType(), message);
        }
    }

    public void Event(string actor, ITraceEvent @event) => Event(actor, @event, null);

    /// <summary>
    /// An event whose line names <paramref name="process"/> (the runner's call lines: the process
    /// called) instead of the process <paramref name="actor"/> belongs to.
    /// </summary>
    public void Event(string actor, ITraceEvent @event, string? process)
    {
        lock (_gate)
        {
            if (_ended) return;
            WriteLine(actor, process, TraceShapes.KindOf(@event.GetType()), null, @event);
        }
    }

    /// <summary>
    /// Writes the verdict as the last line and closes the trace: the file is renamed to
    /// <c>trace.jsonl</c>. Returns the whole text of an in-memory trace (null for a file).
    /// Lines traced after it (the machine shutting down) are dropped.
    /// </summary>
    public string? End(TraceVerdict verdict)
    {
        lock (_gate)
        {
            if (!_begun) throw new InvalidOperationException("the trace has no header yet");
            if (_ended) throw new InvalidOperationException("the trace has ended already");
            WriteFraming(VerdictKind, verdict);
            Volatile.Write(ref _ended, true);
            _output.Write(_lines.WrittenSpan);
            _lines.ResetWrittenCount();
            if (_output is MemoryStream memory) return Encoding.UTF8.GetString(memory.ToArray());
            _output.Dispose();
            File.Move(_partialPath!, FinalPath!, overwrite: true);
            return null;
        }
    }

    /// <summary>
    /// Closes the file; one not ended keeps what was traced, and stays <c>trace.jsonl.partial</c>.
    /// </summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (!_ended && _begun && _output.CanWrite) _output.Write(_lines.WrittenSpan);
            Volatile.Write(ref _ended, true);
            _output.Dispose();
            _json.Dispose();
        }
    }

    private void WriteLine(string actor, string? process, JsonEncodedText kind, Type? type,
        object body)
    {
        var entry = _actors.GetValue(actor, static path => new ActorEntry(path));
        process ??= entry.Tg is { } tg ? _processNames.GetValueOrDefault(tg) : null;
        var start = _lines.WrittenCount;
        try
        {
            _json.WriteStartObject();
            _json.WriteNumber(Seq, _sequence + 1);
            _json.WriteNumber(TimeNs, _clock().Ticks * TimeSpan.NanosecondsPerTick);
            _json.WriteString(ActorField, entry.Path);
            if (process is not null) _json.WriteString(ProcessField, process);
            _json.WriteString(KindField, kind);
            if (type is not null)
                _json.WriteString(TraceShapes.TypeField, TraceShapes.TypeNameOf(type));
            TraceShapes.WriteFields(_json, body);
            _json.WriteEndObject();
        }
        catch
        {
            // A message the trace cannot write is a bug: drop its half line, keep the rest whole.
            _json.Reset(_lines);
            var kept = _lines.WrittenSpan[..start].ToArray();
            _lines.ResetWrittenCount();
            _lines.Write(kept);
            throw;
        }
        _sequence++;
        EndLine();
        if (_begun) FlushIfFull();
    }

    private void WriteFraming(JsonEncodedText kind, object body)
    {
        _json.WriteStartObject();
        _json.WriteString(KindField, kind);
        TraceShapes.WriteFields(_json, body);
        _json.WriteEndObject();
        EndLine();
    }

    private void EndLine()
    {
        _json.Flush();
        _lines.GetSpan(1)[0] = (byte)'\n';
        _lines.Advance(1);
        _json.Reset(_lines);
    }

    private void FlushIfFull()
    {
        if (_lines.WrittenCount < FlushBytes) return;
        _output.Write(_lines.WrittenSpan);
        _lines.ResetWrittenCount();
    }

    /// <summary>What a line needs about an actor, worked out once per actor.</summary>
    private sealed class ActorEntry(string path)
    {
        public JsonEncodedText Path { get; } = JsonEncodedText.Encode(TracePaths.Short(path),
            Options.Encoder);

        public TgId? Tg { get; } = TracePaths.ThreadGroupOf(TracePaths.Short(path));
    }
}
