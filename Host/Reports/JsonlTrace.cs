using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Emulator.Partitions.Tracing;

namespace Emulator.Host.Reports;

/// <summary>
/// The run's trace as JSON lines: one line per delivery and per event, numbered, stamped with the
/// virtual clock. Nothing in a line depends on the wall clock or on Akka's random actor uids, so
/// the same seed and file give the same bytes.
/// </summary>
public sealed partial class JsonlTrace(Func<TimeSpan> clock) : ITrace
{
    private readonly object _gate = new();
    private readonly StringBuilder _lines = new();
    private long _sequence;

    public bool Enabled => true;

    public long Lines => Interlocked.Read(ref _sequence);

    public void Delivered(string actor, object message) =>
        Write(actor, "deliver", message.GetType().Name, Clean(message.ToString() ?? ""));

    public void Event(string actor, string kind, string detail)
        => Write(actor, kind, null, Clean(detail));

    public void WriteTo(string path)
    {
        lock (_gate) File.WriteAllText(path, _lines.ToString());
    }

    public override string ToString()
    {
        lock (_gate) return _lines.ToString();
    }

    private void Write(string actor, string kind, string? type, string detail)
    {
        lock (_gate)
        {
            var line = new Dictionary<string, object?>
            {
                ["seq"] = ++_sequence,
                ["t_us"] = (long)clock().TotalMicroseconds,
                ["actor"] = actor,
                ["kind"] = kind,
            };
            if (type is not null) line["type"] = type;
            line["detail"] = detail;
            _lines.Append(JsonSerializer.Serialize(line)).Append('\n');
        }
    }

    /// <summary>
    /// Strips what differs between runs (actor uids <c>#12345</c>, system addresses) and shows
    /// addresses and ids in hex, as people read them in an XPMEM trace.
    /// </summary>
    private static string Clean(string text)
    {
        var stable = UidPattern().Replace(text, "").Replace("akka://", "");
        return AddressPattern().Replace(stable,
            m => $"{m.Groups[1].Value} = 0x{ulong.Parse(m.Groups[2].Value):x}");
    }

    [GeneratedRegex("#-?[0-9]+")]
    private static partial Regex UidPattern();

    [GeneratedRegex(
        @"\b(Address|At|Destination|Source|SourceAddress|SegId|ApId|Start|End|OffsetBytes)"
        + @" = ([0-9]+)\b")]
    private static partial Regex AddressPattern();
}
