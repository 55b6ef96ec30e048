using System.Runtime.Serialization;
using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;

namespace Emulator.Partitions.Serialization;

/// <summary>
/// The serializer for every message that may cross nodes: each <c>IXpmemMessage</c> and
/// <c>XpcActor.Carry</c>. Akka's default (Newtonsoft JSON) drops some collection types on the
/// receiver with only a log line, so the sender sees a timeout, not an error; this one is ours,
/// and a spec round-trips every message type through it.
/// Format: UTF-8 System.Text.Json of each record's constructor properties (see
/// <see cref="WireJson"/>), chosen over a hand-written binary one because it follows new messages
/// without code and stays readable in a dump. Manifest: the type's short name
/// (<c>Process.Run</c>), the same across assembly versions. Actor refs travel as serialization
/// paths. Messages that hold a live page are refused with a clear error.
/// Bind it with <see cref="Config"/>.
/// </summary>
public sealed class XpmemSerializer : SerializerWithStringManifest
{
    /// <summary>
    /// Fixed, as every node must agree on it; clear of the ids Akka and its plugins use.
    /// </summary>
    public const int Id = 7100;

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

    private readonly WireTypes _types = WireTypes.Instance;
    private readonly JsonSerializerOptions _options;

    public XpmemSerializer(ExtendedActorSystem system) : base(system)
    {
        _options = WireJson.Options(system, _types);
    }

    /// <summary><see cref="Hocon"/>, parsed: add it as a fallback to the system's config.</summary>
    public static Config Config { get; } = ConfigurationFactory.ParseString(Hocon);

    public override int Identifier => Id;

    public override string Manifest(object o) => _types.ManifestOf(o.GetType());

    public override byte[] ToBinary(object obj)
    {
        var type = obj.GetType();
        var manifest = _types.ManifestOf(type);
        try
        {
            return JsonSerializer.SerializeToUtf8Bytes(obj, type, _options);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            throw new SerializationException(
                $"XpmemSerializer could not write {manifest}: {e.Message}", e);
        }
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var type = _types.TypeOf(manifest);
        try
        {
            return JsonSerializer.Deserialize(bytes, type, _options)
                ?? throw new SerializationException($"XpmemSerializer read a null {manifest}.");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            throw new SerializationException(
                $"XpmemSerializer could not read {manifest}: {e.Message}", e);
        }
    }
}
