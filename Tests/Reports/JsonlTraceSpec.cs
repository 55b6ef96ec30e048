using Emulator.Partitions.Checks;
// Proves a trace line carries a message's or event's properties as typed JSON fields: addresses,
// segids and apids in hex, sizes and counts as numbers, modes in octal, ids as XPMEM spells them,
// actor paths without address or uid, bytes clipped, pages left out, nested records with their
// type, and an event's kind taken from its record's name. Each test writes records into an
// in-memory trace and reads the lines back with System.Text.Json.
using System.Text.Json;
using Akka.Actor;
using Emulator.Host.Machines;
using Emulator.Host.Reports;
using Emulator.Partitions.Memory;
using Emulator.Partitions.Segments;
using Emulator.Partitions.Tracing;
using Emulator.Protocol;
using Emulator.Protocol.Faults;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Partitions;
using Emulator.Protocol.Permits;
using Emulator.Protocol.Processes;
using Xunit;

namespace Emulator.Tests.Reports;

public sealed class JsonlTraceSpec
{
    private static readonly PartitionId P1 = new(1);
    private static readonly TgId User = new(P1, 100);
    private static readonly RequestId Request = new(P1, (100L << 32) | 3);

    [Fact]
    public void JsonlTrace_must_write_addresses_in_hex_sizes_as_numbers_and_modes_in_octal()
    {
        var run = new Process.Run(Request, new MakeCall(0x10000, 0x4000, 1, 0x1B6),
            new Endpoint(P1, Ref("/user/machine/p1/tg-100", uid: 4711)));

        var line = OneLine(trace => trace.Delivered("/user/machine/p1/tg-100", run));

        Assert.Equal("Run", line.GetProperty("type").GetString());
        Assert.Equal("p1/100.3", line.GetProperty("request_id").GetString());
        var call = line.GetProperty("call");
        Assert.Equal("MakeCall", call.GetProperty("type").GetString());
        Assert.Equal("0x10000", call.GetProperty("address").GetString());
        Assert.Equal(16384, call.GetProperty("size_bytes").GetInt64());
        Assert.Equal(1, call.GetProperty("permit_type").GetInt32());
        Assert.Equal("0666", call.GetProperty("mode").GetString());
        Assert.Equal("p1/tg-100", line.GetProperty("reply_to").GetString());
    }

    [Fact]
    public void JsonlTrace_must_write_ids_as_XPMEM_spells_them()
    {
        var get = new AccessPermit.Get(Request, new SegId(0x0001_0001_0000_0064), 2,
            new Credentials(1000, 100), CallerHasTg: true, User, new Endpoint(P1,
                Ref("/user/machine/p1/tg-100")));
        var release = new ReleaseCall(0x0001_0002_0000_0064);

        var lines = Lines(trace =>
        {
            trace.Delivered("/user/machine/p0/tg-100/seg-1", get);
            trace.Delivered("/user/machine/p1/tg-100", new Process.Run(Request, release,
                new Endpoint(P1, Ref("/user/runner"))));
        });

        Assert.Equal("0x1000100000064", lines[0].GetProperty("segment").GetString());
        Assert.Equal("0x2", lines[0].GetProperty("flags").GetString());
        Assert.Equal("p1/100", lines[0].GetProperty("getter").GetString());
        Assert.True(lines[0].GetProperty("caller_has_tg").GetBoolean());
        var caller = lines[0].GetProperty("caller");
        Assert.Equal("Credentials", caller.GetProperty("type").GetString());
        Assert.Equal(100, caller.GetProperty("gid").GetInt32());
        Assert.False(caller.TryGetProperty("is_root", out _), "a computed property was written");
        Assert.Equal("0x1000200000064", lines[1].GetProperty("call").GetProperty("ap_id")
            .GetString());
        Assert.Equal("runner", lines[1].GetProperty("reply_to").GetString());
    }

    [Fact]
    public void JsonlTrace_must_write_enums_by_name_lists_as_arrays_and_leave_nulls_out()
    {
        var lines = Lines(trace =>
        {
            trace.Delivered("/user/machine/p0/tg-100/seg-1", new Frames.Unpin([1, 2, 30]));
            trace.Delivered("/user/machine/p1/tg-100", new Refused(Request, Errno.EACCES));
            trace.Delivered("/user/machine/p1/tg-100", new Process.Run(Request,
                new AttachCall(0x0001_0002_0000_0064, 0x1000, 0x4000, At: null),
                new Endpoint(P1, Ref("/user/runner"))));
        });

        Assert.Equal([1L, 2L, 30L],
            lines[0].GetProperty("pin_ids").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal("EACCES", lines[1].GetProperty("errno").GetString());
        var attach = lines[2].GetProperty("call");
        Assert.Equal("0x1000", attach.GetProperty("offset_bytes").GetString());
        Assert.False(attach.TryGetProperty("at", out _), "a null field was written");
    }

    [Fact]
    public void JsonlTrace_must_write_bytes_as_length_and_clipped_hex_and_pages_as_frames()
    {
        var page = new Page(41);
        page.Bytes[0] = 0xAB;
        var text = Text(trace =>
        {
            trace.Delivered("/user/machine/p1/tg-100", new Frames.Data(Request, page.Bytes.ToArray()));
            trace.Delivered("/user/machine/p1/tg-100/fault-3",
                new SegmentActor.LocalPinned(Request, 7, page));
        });
        var lines = Body(text);

        var bytes = lines[0].GetProperty("bytes");
        Assert.Equal(Page.SizeBytes, bytes.GetProperty("length").GetInt32());
        Assert.Equal("ab" + new string('0', 30), bytes.GetProperty("hex").GetString());
        Assert.Equal(7, lines[1].GetProperty("pin_id").GetInt64());
        Assert.Equal(41, lines[1].GetProperty("page").GetInt64());
        Assert.DoesNotContain("System.Byte", text);
        Assert.DoesNotContain("Emulator.", text);
    }

    [Fact]
    public void JsonlTrace_must_write_outcomes_with_the_fields_their_kind_uses()
    {
        var call = new ReadCall(0x7f00_0000_0010, 4);
        var lines = Lines(trace =>
        {
            trace.Event("/user/machine/p1/tg-100", new CallEnded(Request, call, Outcome.Ok(4)));
            trace.Event("/user/machine/p1/tg-100",
                new CallEnded(Request, call, Outcome.Fail(Errno.ENOENT)));
            trace.Event("/user/machine/p1/tg-100",
                new CallEnded(Request, call, Outcome.Signalled(Signal.SIGBUS)));
        });

        Assert.All(lines, line => Assert.Equal("call_ended", line.GetProperty("kind").GetString()));
        Assert.Equal("""{"type":"Outcome","kind":"Ok","value":"0x4"}""",
            lines[0].GetProperty("outcome").GetRawText());
        Assert.Equal("""{"type":"Outcome","kind":"Failed","errno":"ENOENT"}""",
            lines[1].GetProperty("outcome").GetRawText());
        Assert.Equal("""{"type":"Outcome","kind":"Signalled","signal":"SIGBUS"}""",
            lines[2].GetProperty("outcome").GetRawText());
        Assert.Equal("0x7f0000000010",
            lines[0].GetProperty("call").GetProperty("address").GetString());
    }

    [Fact]
    public void JsonlTrace_must_take_a_new_event_from_its_record_alone()
    {
        var line = OneLine(trace => trace.Event("/user/machine/p0/tg-100/seg-1",
            new FrameRecalled(42, 0x10000, TimeSpan.FromMicroseconds(3), "0x10000", 2)));

        Assert.Equal("frame_recalled", line.GetProperty("kind").GetString());
        Assert.Equal(42, line.GetProperty("frame").GetInt64());
        Assert.Equal("0x10000", line.GetProperty("source_address").GetString());
        Assert.Equal(3000, line.GetProperty("hold_ns").GetInt64());
        // Names the line itself uses are kept apart: the event's own get a trailing '_'.
        Assert.Equal("0x10000", line.GetProperty("type_").GetString());
        Assert.Equal(2, line.GetProperty("seq_").GetInt32());
        Assert.Equal(1, line.GetProperty("seq").GetInt64());
    }

    [Fact]
    public void JsonlTrace_must_stamp_lines_with_sequence_virtual_time_and_process_name()
    {
        var now = TimeSpan.Zero;
        var lines = Lines(trace =>
        {
            trace.NameProcess(User, "user");
            trace.Event("/user/machine/p1/tg-100", new ProcessExited(Signal.None));
            now = TimeSpan.FromTicks(3);
            trace.Event("/user/machine/p1/tg-100/seg-2",
                new Pinned(new SegId(0x100000064), 1, 0x10000, 3, User, 1, Request));
            trace.Delivered("/user/machine/p1", new Frames.Unpin([]));
        }, () => now);

        Assert.Equal([1L, 2L, 3L], lines.Select(l => l.GetProperty("seq").GetInt64()));
        Assert.Equal([0L, 300L, 300L], lines.Select(l => l.GetProperty("t_ns").GetInt64()));
        Assert.Equal(["p1/tg-100", "p1/tg-100/seg-2", "p1"],
            lines.Select(l => l.GetProperty("actor").GetString()));
        Assert.Equal("user", lines[0].GetProperty("process").GetString());
        Assert.Equal("user", lines[1].GetProperty("process").GetString());
        Assert.False(lines[2].TryGetProperty("process", out _), "a partition has no process");
        Assert.Equal("None", lines[0].GetProperty("signal").GetString());
    }

    [Fact]
    public void JsonlTrace_must_write_the_header_first_and_the_verdict_last()
    {
        var trace = JsonlTrace.InMemory(() => TimeSpan.Zero);
        trace.Delivered("/user/machine/p0", new Frames.Unpin([]));
        trace.Begin(Header());
        trace.Event("/user/machine/p1/tg-100", new ProcessExited(Signal.SIGKILL));
        var text = trace.End(Verdict());
        trace.Delivered("/user/machine/p0", new Frames.Unpin([]));

        var lines = Parse(text!);
        Assert.Equal(["header", "deliver", "process_exited", "verdict"],
            lines.Select(l => l.GetProperty("kind").GetString()));
        Assert.Equal(JsonlTrace.FormatVersion, lines[0].GetProperty("format").GetInt32());
        Assert.Equal("user", lines[2].GetProperty("process").GetString());
        Assert.False(trace.Enabled, "a trace that has ended still takes lines");
    }

    [Fact]
    public void JsonlTrace_must_keep_its_lines_whole_when_a_record_cannot_be_written()
    {
        var trace = JsonlTrace.InMemory(() => TimeSpan.Zero);
        trace.Begin(Header());
        trace.Event("/user/machine/p1/tg-100", new ProcessExited(Signal.None));

        Assert.Throws<InvalidOperationException>(() =>
            trace.Event("/user/machine/p1/tg-100", new Unwritable()));
        trace.Event("/user/machine/p1/tg-100", new ProcessExited(Signal.SIGKILL));
        var lines = Body(trace.End(Verdict())!);

        Assert.Equal([1L, 2L], lines.Select(l => l.GetProperty("seq").GetInt64()));
        Assert.Equal("SIGKILL", lines[1].GetProperty("signal").GetString());
    }

    internal static TraceHeader Header() => new(JsonlTrace.FormatVersion, "test", "t.hocon", "t",
        1, RunMode.Sim, 2, LibraryMode.Libxpmem, TimeSpan.FromTicks(1), TimeSpan.FromTicks(10),
        [new TraceProcess("user", P1, 1000, 1000, User.Pid, User, TracePaths.OfThreadGroup(User))]);

    internal static TraceVerdict Verdict() => new(true, null, null, null, null, 0, 0, 0, 0, 0, 0,
        0, 0, TimeSpan.Zero, []);

    /// <summary>An event whose only field cannot be read: a bug the trace must survive.</summary>
    private sealed record Unwritable : ITraceEvent
    {
        public string Field => throw new InvalidOperationException("unreadable");
    }

    /// <summary>An event declared here, as the lead will declare new ones.</summary>
    private sealed record FrameRecalled(long Frame, ulong SourceAddress, TimeSpan Hold,
        string Type, int Seq) : ITraceEvent;

    private static JsonElement OneLine(Action<JsonlTrace> write) => Assert.Single(Lines(write));

    private static List<JsonElement> Lines(Action<JsonlTrace> write, Func<TimeSpan>? clock = null)
        => Body(Text(write, clock));

    /// <summary>The deliver and event lines of a trace's text.</summary>
    private static List<JsonElement> Body(string text) => Parse(text)
        .Where(l => l.GetProperty("kind").GetString() is not ("header" or "verdict")).ToList();

    private static string Text(Action<JsonlTrace> write, Func<TimeSpan>? clock = null)
    {
        using var trace = JsonlTrace.InMemory(clock ?? (() => TimeSpan.Zero));
        trace.Begin(Header());
        write(trace);
        return trace.End(Verdict())!;
    }

    internal static List<JsonElement> Parse(string text) => text.Split('\n',
            StringSplitOptions.RemoveEmptyEntries)
        .Select(line => JsonDocument.Parse(line).RootElement.Clone())
        .ToList();

    /// <summary>A ref with a path and nothing behind it: what a trace reads of a ref.</summary>
    private static IActorRef Ref(string path, long uid = 1) =>
        new PathRef(ActorPath.Parse("akka://emulator" + path).WithUid(uid));

    private sealed class PathRef(ActorPath path) : MinimalActorRef
    {
        public override ActorPath Path { get; } = path;

        public override IActorRefProvider Provider => throw new NotSupportedException();
    }
}
