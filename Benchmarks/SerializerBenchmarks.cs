using Akka.Actor;
using BenchmarkDotNet.Attributes;
using Emulator.Partitions.Serialization;
using Emulator.Partitions.Xpc;
using Emulator.Protocol;
using Emulator.Protocol.Faults;
using Emulator.Protocol.Ids;

namespace Emulator.Benchmarks;

/// <summary>
/// Our Akka serializer (<see cref="XpmemSerializer"/>) on the packets a cross-partition fault and
/// the accesses after it send between nodes: each message in the <see cref="XpcActor.Sequenced"/>
/// envelope XPC carries it in, to and from bytes, header and actor refs included. Reads and
/// writes move one 128-byte line, the default access grain.
/// </summary>
[MemoryDiagnoser]
public class SerializerBenchmarks
{
    public const int LineBytes = 128;

    private ActorSystem _system = null!;
    private XpmemSerializer _serializer = null!;
    private object _packet = null!;
    private string _manifest = null!;
    private byte[] _bytes = null!;

    /// <summary>The message in the packet; see <see cref="MessageNamed"/>.</summary>
    [Params("Fault.Pin", "Fault.Pinned", "Fault.Done", "Fault.Released", "Frames.Read",
        "Frames.Data", "Frames.Write", "Frames.Written")]
    public string Message { get; set; } = "Fault.Pin";

    [GlobalSetup]
    public void Setup()
    {
        _system = ActorSystem.Create("serializer-bench", XpmemSerializer.Config);
        _serializer = new XpmemSerializer((ExtendedActorSystem)_system);
        var segment = new Endpoint(new PartitionId(1), _system.ActorOf(Props.Empty, "segment"));
        var fault = new Endpoint(new PartitionId(0), _system.ActorOf(Props.Empty, "fault"));
        var message = MessageNamed(Message, segment, fault);
        var to = message is Fault.Pin or Fault.Done or Frames.Read or Frames.Write
            ? segment : fault;
        _packet = new XpcActor.Sequenced(fault.Partition, Epoch: 1, Sequence: 1_000,
            Acknowledged: 999, to, message);
        _manifest = _serializer.Manifest(_packet);
        _bytes = _serializer.ToBinary(_packet);
    }

    [GlobalCleanup]
    public void Cleanup() => _system.Terminate().Wait();

    [Benchmark]
    public byte[] ToBinary() => _serializer.ToBinary(_packet);

    [Benchmark]
    public object FromBinary() => _serializer.FromBinary(_bytes, _manifest);

    /// <summary>Bytes on the wire for the packet (what ToBinary returns).</summary>
    public int PacketBytes => _bytes.Length;

    /// <summary>
    /// The fault chain's messages across partitions, in their order, with ids of the size an
    /// Altix run has (a process's request <c>(pid &lt;&lt; 32) | n</c>).
    /// </summary>
    public static IXpmemMessage MessageNamed(string name, Endpoint segment, Endpoint fault)
    {
        var id = new RequestId(fault.Partition, (4_242L << 32) | 77);
        var task = new RequestId(fault.Partition, (4_242L << 32) | 76);
        var line = new byte[LineBytes];
        Array.Fill(line, (byte)0xA5);
        return name switch
        {
            "Fault.Pin" => new Fault.Pin(id, 0x7f00_0001_0000, new TgId(fault.Partition, 4_242),
                Attachment: 3, fault, task, OwnerMm.Wait),
            "Fault.Pinned" => new Fault.Pinned(id, PinId: 12_345),
            "Fault.Done" => new Fault.Done(id, fault),
            "Fault.Released" => new Fault.Released(id),
            "Frames.Read" => new Frames.Read(id, PinId: 12_345, OffsetBytes: 256, LineBytes, fault),
            "Frames.Data" => new Frames.Data(id, line),
            "Frames.Write" => new Frames.Write(id, PinId: 12_345, OffsetBytes: 256, line, fault),
            "Frames.Written" => new Frames.Written(id),
            _ => throw new ArgumentException($"no message named {name}", nameof(name)),
        };
    }
}
