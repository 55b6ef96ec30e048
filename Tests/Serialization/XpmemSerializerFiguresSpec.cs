// Prints what the binary format costs against the JSON it replaced (WireJson): bytes per message
// for a sample of every type, with actor paths as they travel between nodes (a remote address in
// each), and messages/s written and read back for typical messages. Printed, not asserted: the
// machine is shared. Checked: every typical message comes back equal, and no type's body is
// larger in binary than in JSON (our fixed header carries version, schema and logical clock,
// which JSON has no room for). See the figures with
//   dotnet test -c Release --filter FullyQualifiedName~XpmemSerializerFigures \
//     --logger "console;verbosity=detailed"
using System.Text.Json;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Emulator.Partitions.Serialization;
using Emulator.Partitions.Xpc;
using Emulator.Protocol;
using Emulator.Protocol.Faults;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Partitions;
using Emulator.Protocol.Processes;
using Xunit;
using Xunit.Abstractions;
using static Emulator.Tests.Serialization.WireEquality;
using Stopwatch = System.Diagnostics.Stopwatch;

namespace Emulator.Tests.Serialization;

public sealed class XpmemSerializerFiguresSpec : TestKit
{
    private const int BatchSize = 1_000;
    private static readonly TimeSpan MeasureTime = TimeSpan.FromMilliseconds(400);
    private static readonly Address RemoteNode = new("akka.tcp", "xpmem", "10.0.0.12", 4053);
    private static readonly PartitionId P1 = new(1);
    private static readonly PartitionId P2 = new(2);

    private readonly ITestOutputHelper _output;
    private readonly XpmemSerializer _binary;
    private readonly JsonSerializerOptions _json;

    public XpmemSerializerFiguresSpec(ITestOutputHelper output) : base(XpmemSerializer.Config)
    {
        _output = output;
        _binary = (XpmemSerializer)Sys.Serialization.FindSerializerForType(typeof(Refused));
        _json = WireJson.Options((ExtendedActorSystem)Sys, WireTypes.Instance);
    }

    [Fact]
    public void XpmemSerializer_must_write_fewer_bytes_than_JSON_for_every_message_type()
    {
        var builder = new SampleBuilder(TestActor, [.. WireTypes.Instance.InProcessOnly]);
        var rows = builder.Messages
            .Select(type => Sizes(WireTypes.NameOf(type), builder.SamplesOf(type)[0]))
            .OrderBy(r => r.Name, StringComparer.Ordinal)
            .ToList();
        rows.AddRange(Typical().Select(m => Sizes($"typical {m.Name}", m.Message)));

        _output.WriteLine($"schema 0x{WireSchema.Instance.Fingerprint:x8}, "
            + $"{WireSchema.Instance.Composites.Count()} records and structs; "
            + $"actor paths under {RemoteNode}");
        _output.WriteLine($"{"message",-44} {"JSON",7} {"binary",7} {"ratio",6}");
        foreach (var (name, json, binary) in rows)
        {
            _output.WriteLine($"{name,-44} {json,7} {binary,7} {(double)json / binary,6:F1}");
        }
        // The header (version, schema, the logical clock) carries what JSON has no room for: the
        // bodies compare (an empty record is "{}" in JSON, nothing after our header).
        var larger = rows.Where(r => r.Binary - XpmemSerializer.HeaderBytes >= r.Json)
            .Select(r => r.Name).ToList();
        Assert.True(larger.Count == 0, $"not smaller than JSON: {string.Join(", ", larger)}");
    }

    [Fact]
    public void XpmemSerializer_must_round_trip_typical_messages_and_print_messages_per_second()
    {
        _output.WriteLine($"{"serialize + deserialize",-36} {"JSON/s",11} {"binary/s",11} {"x",5}");
        foreach (var (name, message) in Typical())
        {
            var manifest = _binary.Manifest(message);
            var type = message.GetType();
            var copy = _binary.FromBinary(_binary.ToBinary(message), manifest);
            Assert.Empty(Differences(message, copy));

            var binary = PerSecond(() => _binary.FromBinary(_binary.ToBinary(message), manifest));
            var json = PerSecond(() => JsonSerializer.Deserialize(
                JsonSerializer.SerializeToUtf8Bytes(message, type, _json), type, _json)!);
            _output.WriteLine($"{name,-36} {json,11:N0} {binary,11:N0} {binary / json,5:F1}");
        }
    }

    /// <summary>What crosses nodes most: calls, outcomes, faults, loads and stores, XPC.</summary>
    private IEnumerable<(string Name, object Message)> Typical()
    {
        var id = new RequestId(P1, (100L << 32) | 7);
        var here = new Endpoint(P1, TestActor);
        var address = 0x7f12_3456_7000UL;
        var page = Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray();
        var store = new Frames.Write(id, 17, 128, [1, 2, 3, 4, 5, 6, 7, 8], here);
        yield return ("Process.Run (fill 4 KiB)",
            new Process.Run(id, new FillCall(address, 4096, new BytePattern(0xA5)), here));
        yield return ("Process.Completed (ok)", new Process.Completed(id, Outcome.Ok(address)));
        yield return ("Fault.Pin", new Fault.Pin(id, address, new TgId(P2, 4242), 3, here,
            new RequestId(P2, 7), OwnerMm.Wait));
        yield return ("Fault.Pinned", new Fault.Pinned(id, 17));
        yield return ("Frames.Read (8 bytes)", new Frames.Read(id, 17, 128, 8, here));
        yield return ("Frames.Data (8 bytes)", new Frames.Data(id, [1, 2, 3, 4, 5, 6, 7, 8]));
        yield return ("Frames.Write (8 bytes)", store);
        yield return ("Frames.Write (4 KiB)", new Frames.Write(id, 17, 0, page, here));
        yield return ("Frames.Data (4 KiB)", new Frames.Data(id, page));
        yield return ("XpcActor.Sequenced (Frames.Write 8)",
            new XpcActor.Sequenced(P1, 3, 1234, 1200, new Endpoint(P2, TestActor), store));
        yield return ("XpcActor.Heartbeat", new XpcActor.Heartbeat(P1, 3, 1200));
        yield return ("Refused", new Refused(id, Errno.ENOENT));
    }

    /// <summary>Bytes each way, with actor paths as they travel to another node.</summary>
    private (string Name, int Json, int Binary) Sizes(string name, object message)
    {
        // The only public way to stand in for remoting's address without starting remoting;
        // its replacement writes the system's own (local) address.
#pragma warning disable CS0618
        return Akka.Serialization.Serialization.WithTransport(Sys, RemoteNode, () =>
            (name,
                JsonSerializer.SerializeToUtf8Bytes(message, message.GetType(), _json).Length,
                _binary.ToBinary(message).Length));
#pragma warning restore CS0618
    }

    /// <summary>Round trips per second, after a warm-up batch, in batches until time is up.</summary>
    private static double PerSecond(Func<object> roundTrip)
    {
        for (var i = 0; i < BatchSize; i++) roundTrip();
        var watch = Stopwatch.StartNew();
        long count = 0;
        while (watch.Elapsed < MeasureTime)
        {
            for (var i = 0; i < BatchSize; i++) roundTrip();
            count += BatchSize;
        }
        return count / watch.Elapsed.TotalSeconds;
    }
}
