using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Emulator.Host.Reports;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Locks;
using Emulator.Partitions.Tracing;
using Emulator.Protocol.Ids;

namespace Emulator.Tests.Reports;

/// <summary>
/// A trace written by hand, line by line, in the format of docs/trace.md: the report specs feed
/// the reports streams whose every line they know. Events records can be given as the records
/// themselves (the lock events the actors are about to emit), encoded as the trace encodes them.
/// </summary>
internal sealed class TraceText
{
    private readonly StringBuilder _text = new();
    private long _seq;

    public TraceText Header(string mode = "Sim", int partitions = 2,
        params (string Name, string Partition, string Tg)[] processes)
    {
        var list = string.Join(",", processes.Select(p =>
            $$"""{"type":"TraceProcess","name":"{{p.Name}}","partition":"{{p.Partition}}","uid":1000,"gid":1000,"tg":"{{p.Tg}}","actor":"{{p.Tg.Replace("/", "/tg-")}}"}"""));
        _text.Append($$"""{"kind":"header","format":1,"emulator":"test","file":"hand.hocon","name":"by hand","seed":7,"mode":"{{mode}}","partitions":{{partitions}},"library":"Libxpmem","delivery_time_ns":100,"xpc_delivery_time_ns":1000,"processes":[{{list}}]}""");
        _text.Append('\n');
        return this;
    }

    /// <summary>A deliver line: <paramref name="fields"/> is the message's JSON after its type.</summary>
    public TraceText Deliver(long timeNs, string actor, string type, string fields = "",
        string? process = null) =>
        Line(timeNs, actor, process, "deliver", $"\"type\":\"{type}\"" + Comma(fields));

    public TraceText Event(long timeNs, string actor, string kind, string fields = "",
        string? process = null) =>
        Line(timeNs, actor, process, kind, Comma(fields).TrimStart(','));

    /// <summary>An event line of a real event record, encoded as the trace encodes it.</summary>
    public TraceText Event(long timeNs, string actor, ITraceEvent @event)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            writer.WriteStartObject();
            TraceShapes.WriteFields(writer, @event);
            writer.WriteEndObject();
        }
        var fields = Encoding.UTF8.GetString(buffer.ToArray())[1..^1];
        return Line(timeNs, actor, null, TraceShapes.KindOf(@event.GetType()).ToString(), fields);
    }

    public TraceText Verdict(bool held = true, string? failure = null, string? cause = null,
        params (string Name, bool Held, string Detail)[] checks)
    {
        var list = string.Join(",", checks.Select(c =>
            $$"""{"type":"CheckResult","name":"{{c.Name}}","held":{{(c.Held ? "true" : "false")}},"detail":"{{c.Detail}}"}"""));
        var why = failure is null ? "" : $",\"cause\":\"{cause ?? "Step"}\",\"failure\":{JsonSerializer.Serialize(failure)}";
        _text.Append($$"""{"kind":"verdict","held":{{(held ? "true" : "false")}}{{why}},"lines":{{_seq}},"steps":1,"calls":1,"faults":1,"deliveries":17,"xpc_messages":6,"pinned":1,"unpinned":0,"virtual_time_ns":4000,"checks":[{{list}}]}""");
        _text.Append('\n');
        return this;
    }

    public override string ToString() => _text.ToString();

    public IEnumerable<TraceLine> Lines() => TraceFile.LinesOfText(ToString());

    private TraceText Line(long timeNs, string actor, string? process, string kind, string rest)
    {
        var who = process is null ? "" : $"\"process\":\"{process}\",";
        _text.Append($$"""{"seq":{{++_seq}},"t_ns":{{timeNs}},"actor":"{{actor}}",{{who}}"kind":"{{kind}}"{{Comma(rest)}}}""");
        _text.Append('\n');
        return this;
    }

    private static string Comma(string fields) => fields.Length == 0 ? "" : "," + fields;

    /// <summary>Process a's mm (p0/100) and process b's (p1/100).</summary>
    public static readonly LockId MmOfA = LockId.Mm(new TgId(new PartitionId(0), 100));

    public static readonly LockId MmOfB = LockId.Mm(new TgId(new PartitionId(1), 100));

    /// <summary>The fault chain p0/100.1 (the first request of a's thread group).</summary>
    public static readonly RequestId Chain = new(new PartitionId(0), (100L << 32) | 1);

    /// <summary>a's call p0/0.1 as a lock holder: its fault takes both mms for it.</summary>
    public static readonly LockTask Call =
        new(new TgId(new PartitionId(0), 100), new RequestId(new PartitionId(0), 1));

    /// <summary>
    /// One read by <c>a</c> (p0/100) through an attachment of <c>b</c>'s (p1/100) memory: the
    /// call, its page fault across partitions (Pin out through XPC, the owner's FindPage and
    /// PageFound, Pinned back, Done), the fault holding a's mm for read throughout and waiting
    /// briefly for b's, and the verdict.
    /// </summary>
    public static TraceText RemoteFault()
    {
        const string pin = "\"request_id\":\"p0/100.1\",\"source_address\":\"0x20000\","
            + "\"attacher\":\"p0/100\",\"attachment\":1,\"reply_to\":\"p0/tg-100/fault-1\"";
        const string pinned = "\"request_id\":\"p0/100.1\",\"pin_id\":1";
        const string done = "\"request_id\":\"p0/100.1\"";
        const string run = "\"request_id\":\"p0/0.1\",\"call\":{\"type\":\"ReadCall\","
            + "\"address\":\"0x7f0000000000\",\"width_bytes\":4},\"reply_to\":\"runner\"";
        return new TraceText()
            .Header("Sim", 2, ("a", "p0", "p0/100"), ("b", "p1", "p1/100"))
            .Event(0, "runner", "call_started", "\"location\":\"hand.hocon:9:3\","
                + "\"step\":\"a: read32 at => 0\",\"tg\":\"p0/100\",\"request_id\":\"p0/0.1\","
                + "\"call\":{\"type\":\"ReadCall\",\"address\":\"0x7f0000000000\",\"width_bytes\":4}",
                process: "a")
            .Deliver(0, "p0", "Deliver", "\"target\":\"p0/100\",\"request\":{\"type\":\"Run\"," + run + "}")
            .Deliver(100, "p0/tg-100", "Run", run, process: "a")
            .Event(100, "p0/tg-100", "fault_started",
                "\"attacher\":\"p0/100\",\"address\":\"0x7f0000000000\"", process: "a")
            .Event(100, "p0/tg-100", new LockAcquired(MmOfA, Call, LockMode.Read))
            .Deliver(200, "xpc-p0", "Carry", "\"from\":\"p0\",\"to\":\"p1/tg-100/seg-1\","
                + "\"message\":{\"type\":\"Pin\"," + pin + "}")
            .Deliver(300, "xpc-p1", "Sequenced", "\"from\":\"p0\",\"epoch\":1,\"sequence\":1,"
                + "\"acknowledged\":0,\"to\":\"p1/tg-100/seg-1\",\"message\":{\"type\":\"Pin\"," + pin + "}")
            .Deliver(1300, "p1/tg-100/seg-1", "Pin", pin, process: "b")
            .Event(1300, "p1/tg-100", new LockWaiting(MmOfB, Call, LockMode.Read))
            .Deliver(1400, "p1/tg-100", "FindPage", "\"request_id\":\"p0/100.1\","
                + "\"source_address\":\"0x20000\",\"reply_to\":\"p1/tg-100/seg-1\"", process: "b")
            .Event(1400, "p1/tg-100", new LockAcquired(MmOfB, Call, LockMode.Read))
            .Deliver(1500, "p1/tg-100/seg-1", "PageFound", "\"request_id\":\"p0/100.1\",\"page\":5",
                process: "b")
            .Event(1500, "p1/tg-100", new LockReleased(MmOfB, Call))
            .Event(1500, "p1/tg-100/seg-1", "pinned", "\"segment\":\"0x1000100000064\","
                + "\"pin_id\":1,\"source_page\":\"0x20000\",\"frame\":5,\"attacher\":\"p0/100\","
                + "\"attachment\":1,\"request_id\":\"p0/100.1\"", process: "b")
            .Deliver(1600, "xpc-p1", "Carry", "\"from\":\"p1\",\"to\":\"p0/tg-100/fault-1\","
                + "\"message\":{\"type\":\"Pinned\"," + pinned + "}")
            .Deliver(1700, "xpc-p0", "Sequenced", "\"from\":\"p1\",\"epoch\":1,\"sequence\":1,"
                + "\"acknowledged\":1,\"to\":\"p0/tg-100/fault-1\",\"message\":{\"type\":\"Pinned\"," + pinned + "}")
            .Deliver(2700, "p0/tg-100/fault-1", "Pinned", pinned, process: "a")
            .Deliver(2800, "p0/tg-100", "Pinned", pinned, process: "a")
            .Event(2800, "p0/tg-100", "accessed", "\"attacher\":\"p0/100\",\"attachment\":1,"
                + "\"segment\":\"0x1000100000064\",\"owner\":\"p1/100\",\"source_page\":\"0x20000\","
                + "\"frame\":5,\"write\":false", process: "a")
            .Event(2800, "p0/tg-100", new LockReleased(MmOfA, Call))
            .Event(2800, "p0/tg-100", "call_ended", "\"request_id\":\"p0/0.1\",\"call\":{\"type\":"
                + "\"ReadCall\",\"address\":\"0x7f0000000000\",\"width_bytes\":4},\"outcome\":"
                + "{\"type\":\"Outcome\",\"kind\":\"Ok\",\"value\":\"0x0\"}", process: "a")
            .Deliver(2900, "xpc-p0", "Carry", "\"from\":\"p0\",\"to\":\"p1/tg-100/seg-1\","
                + "\"message\":{\"type\":\"Done\"," + done + "}")
            .Deliver(3000, "xpc-p1", "Sequenced", "\"from\":\"p0\",\"epoch\":1,\"sequence\":2,"
                + "\"acknowledged\":1,\"to\":\"p1/tg-100/seg-1\",\"message\":{\"type\":\"Done\"," + done + "}")
            .Deliver(4000, "p1/tg-100/seg-1", "Done", done, process: "b")
            .Verdict(true, null, null, ("coherence", true, "1 access, 0 to a frame the owner did not map"),
                ("pins balanced", true, "1 pinned, 1 unpinned"));
    }
}
