using System.Text.Json;

namespace Emulator.Host.Reports;

/// <summary>
/// One line of <c>trace.jsonl</c> read back (docs/trace.md), with the fields every report needs
/// decoded once. <see cref="Json"/> belongs to the reader: it is valid only until the reader
/// moves to the next line, so a report keeps what it needs, never the element.
/// </summary>
public sealed class TraceLine
{
    private TraceLine(long number, JsonElement json, ReadOnlyMemory<byte> raw)
    {
        Number = number;
        Json = json;
        Raw = raw;
        Kind = Text(json, "kind") ?? "";
        Seq = json.TryGetProperty("seq", out var seq) ? seq.GetInt64() : 0;
        TimeNs = json.TryGetProperty("t_ns", out var time) ? time.GetInt64() : 0;
        Actor = Text(json, "actor") ?? "";
        Process = Text(json, "process");
        Type = Text(json, "type");
        Message = json;
        // A routed or carried message (Deliver, Carry, Sequenced) holds the one that matters.
        while (Nested(Message) is { } inner) Message = inner;
        MessageType = Text(Message, "type");
        RequestId = Text(Message, "request_id");
    }

    /// <summary>The line's number in the file, from 1.</summary>
    public long Number { get; }

    public JsonElement Json { get; }

    /// <summary>
    /// The line's own UTF-8 bytes (without its newline); the reader's, as Json is.
    /// </summary>
    public ReadOnlyMemory<byte> Raw { get; }

    /// <summary><c>header</c>, <c>deliver</c>, <c>call_started</c>, ..., <c>verdict</c>.</summary>
    public string Kind { get; }

    public long Seq { get; }

    /// <summary>The clock of the line: virtual in sim, the wall in live and cluster.</summary>
    public long TimeNs { get; }

    /// <summary>
    /// The actor's trace path (<c>p0/tg-100/seg-1</c>, <c>xpc-p1</c>, <c>runner</c>).
    /// </summary>
    public string Actor { get; }

    public string? Process { get; }

    /// <summary>A deliver line's message type as delivered (<c>Carry</c>).</summary>
    public string? Type { get; }

    /// <summary>
    /// The innermost message of a deliver line (the <c>Pin</c> a <c>Carry</c> holds); for other
    /// lines, the line itself.
    /// </summary>
    public JsonElement Message { get; }

    /// <summary>
    /// The innermost message's type (<c>Pin</c>); an event line's own type if any.
    /// </summary>
    public string? MessageType { get; }

    /// <summary>The request chain the innermost message belongs to, if any.</summary>
    public string? RequestId { get; }

    public bool IsDelivery => Kind == "deliver";

    /// <summary>A string field of <paramref name="json"/>, or null.</summary>
    public static string? Text(JsonElement json, string name) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out var value)
            && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    internal static TraceLine Of(long number, JsonElement json, ReadOnlyMemory<byte> raw) =>
        new(number, json, raw);

    private static JsonElement? Nested(JsonElement json)
    {
        if (json.TryGetProperty("request", out var request)
            && request.ValueKind == JsonValueKind.Object) return request;
        if (json.TryGetProperty("message", out var message)
            && message.ValueKind == JsonValueKind.Object) return message;
        return null;
    }
}

/// <summary>
/// Reads a trace back line by line, in one pass and in memory bounded by its longest line, so a
/// report costs time in proportion to the trace, whatever its size.
/// </summary>
public static class TraceFile
{
    private const int BufferBytes = 1 << 16;

    /// <summary>
    /// The lines of <paramref name="path"/>. A line that is not JSON (a trace cut short) is an
    /// <see cref="InvalidDataException"/> naming the file and the line.
    /// </summary>
    public static IEnumerable<TraceLine> Lines(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read,
            bufferSize: 0);
        foreach (var line in Lines(stream, path)) yield return line;
    }

    /// <summary>
    /// The lines of a trace held in <paramref name="text"/> (tests, in-memory runs).
    /// </summary>
    public static IEnumerable<TraceLine> LinesOfText(string text)
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text));
        foreach (var line in Lines(stream, "(trace text)")) yield return line;
    }

    private static IEnumerable<TraceLine> Lines(Stream stream, string name)
    {
        var buffer = new byte[BufferBytes];
        int start = 0, end = 0;
        long number = 0;
        var exhausted = false;
        while (true)
        {
            var newline = buffer.AsSpan(start, end - start).IndexOf((byte)'\n');
            if (newline < 0 && !exhausted)
            {
                // Keep the unfinished line, then read behind it (growing for a line this long).
                Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                end -= start;
                start = 0;
                if (end == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                var read = stream.Read(buffer, end, buffer.Length - end);
                if (read == 0) exhausted = true;
                end += read;
                continue;
            }
            var length = newline < 0 ? end - start : newline;
            if (newline < 0 && length == 0) yield break;
            var bytes = buffer.AsMemory(start, length);
            start += newline < 0 ? length : length + 1;
            number++;
            if (bytes.Span.Trim((byte)' ').IsEmpty) continue;
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(bytes);
            }
            catch (JsonException bad)
            {
                throw new InvalidDataException(
                    $"{name}:{number}: not a trace line ({bad.Message})", bad);
            }
            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                    throw new InvalidDataException($"{name}:{number}: not a JSON object");
                yield return TraceLine.Of(number, document.RootElement, bytes);
            }
        }
    }
}
