using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using Emulator.Partitions.Cluster;

namespace Emulator.Partitions.Serialization;

/// <summary>
/// The serializer for every message that may cross nodes: each <c>IXpmemMessage</c> and
/// <c>XpcActor.Carry</c>. Akka's default (Newtonsoft JSON) drops some collection types on the
/// receiver with only a log line, so the sender sees a timeout, not an error; this one is ours,
/// and a spec round-trips every message type through it.
/// Format: binary, our own. Issue 7 puts partitions on separate nodes, so every load and store
/// through a remote attachment is a message on the network: the bytes are the cost, and JSON
/// spent several times as many (a 4 KiB Frames.Write as base64 text, every field named) and
/// more time. A message is a header (<see cref="FormatVersion"/>, the <see cref="WireSchema"/>
/// fingerprint, 4 bytes little endian, and the sending system's <see cref="LogicalClock"/>
/// reading, 8 bytes, which the receiving system witnesses) and the record's constructor
/// parameters in order, written by a codec compiled once per type (<see cref="WireCodecs"/>), so
/// a new message needs no code: integers as LEB128 varints (zigzag when signed), lengths and
/// counts as 1 + n (0: null), an abstract, interface or <c>object</c> field as a type tag and
/// then the fields, an actor ref as its serialization path. Manifest: the type's short name
/// (<c>Process.Run</c>), the same across assembly versions. Messages that hold a live page are
/// refused with a clear error; an unknown manifest, another format or schema, and truncated or
/// corrupt input end in a <see cref="SerializationException"/> that says why.
/// Bind it with <see cref="Config"/>.
/// </summary>
public sealed class XpmemSerializer : SerializerWithStringManifest
{
    /// <summary>
    /// Fixed, as every node must agree on it; clear of the ids Akka and its plugins use.
    /// </summary>
    public const int Id = 7100;

    /// <summary>
    /// The first byte of every message. Change it with any change to how values are encoded
    /// (a change to the messages themselves changes the schema fingerprint on its own).
    /// </summary>
    public const byte FormatVersion = 2;

    /// <summary>
    /// The version byte, the 4-byte schema fingerprint and the 8-byte logical clock reading.
    /// </summary>
    public const int HeaderBytes = 1 + sizeof(uint) + sizeof(ulong);

    /// <summary>
    /// The bindings: every protocol message, and XPC's envelope (no IXpmemMessage).
    /// </summary>
    public const string Hocon = """
        akka.actor {
          serializers {
            xpmem = "Emulator.Partitions.Serialization.XpmemSerializer, Emulator.Partitions"
          }
          serialization-bindings {
            "Emulator.Protocol.IXpmemMessage, Emulator.Protocol" = xpmem
            "Emulator.Partitions.Xpc.XpcActor+Carry, Emulator.Partitions" = xpmem
          }
        }
        """;

    private readonly LogicalClock _clock;

    public XpmemSerializer(ExtendedActorSystem system) : base(system) =>
        _clock = LogicalClock.Of(system);

    /// <summary><see cref="Hocon"/>, parsed: add it as a fallback to the system's config.</summary>
    public static Config Config { get; } = ConfigurationFactory.ParseString(Hocon);

    public override int Identifier => Id;

    // The tables are built at their first use, not with the serializer: Akka makes every bound
    // serializer when a system starts, and only a cluster run serializes (the tables' reflection
    // cost a sim or live process ~15 ms of its start).
    private static WireCodecs Codecs => WireCodecs.Instance;

    private static WireTypes Types => WireTypes.Instance;

    private static uint Fingerprint => WireSchema.Instance.Fingerprint;

    public override string Manifest(object o) => Types.ManifestOf(o.GetType());

    public override byte[] ToBinary(object obj)
    {
        var type = obj.GetType();
        // Refuses what must not cross nodes (a page holder, a foreign type) before any write.
        Types.ManifestOf(type);
        var codec = Codecs.For(type);
        var writer = WireWriter.Rent();
        try
        {
            writer.WriteByte(FormatVersion);
            writer.WriteFixed32(Fingerprint);
            writer.WriteFixed64((ulong)_clock.Tick());
            codec.Write(writer, obj);
            return writer.ToArray();
        }
        finally
        {
            WireWriter.Return(writer);
        }
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var codec = Codecs.For(Types.TypeOf(manifest));
        var reader = new WireReader(bytes, system);
        try
        {
            ReadHeader(reader);
            var message = codec.Read(reader);
            reader.ExpectEnd();
            return message;
        }
        catch (SerializationException e)
        {
            throw new SerializationException(
                $"XpmemSerializer could not read {manifest} ({bytes.Length} bytes): "
                + e.Message, e);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            // A corrupt value can still make a record's constructor refuse it.
            throw new SerializationException(
                $"XpmemSerializer could not read {manifest} ({bytes.Length} bytes): "
                + $"{e.GetType().Name}: {e.Message}", e);
        }
    }

    private void ReadHeader(WireReader reader)
    {
        var version = reader.ReadByte();
        if (version != FormatVersion)
        {
            throw reader.Corrupt(
                $"format version {version}, but this build reads version {FormatVersion}");
        }
        var fingerprint = reader.ReadFixed32();
        if (fingerprint != Fingerprint)
        {
            throw reader.Corrupt(
                $"schema 0x{fingerprint:x8}, but this build's messages are schema "
                + $"0x{Fingerprint:x8}: every node must run the same build");
        }
        var stamp = reader.ReadFixed64();
        if (stamp > long.MaxValue) throw reader.Corrupt($"logical clock reading {stamp}");
        _clock.Witness((long)stamp);
    }
}
