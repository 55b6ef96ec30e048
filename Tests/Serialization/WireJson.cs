using System.Reflection;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Akka.Actor;
using Emulator.Partitions.Serialization;
using Emulator.Protocol;

namespace Emulator.Tests.Serialization;

/// <summary>
/// The JSON XpmemSerializer wrote before issue 7 (UTF-8 System.Text.Json): kept here only as the
/// yardstick the binary format is measured against (bytes per message, messages/s).
/// The System.Text.Json contract for XPMEM messages, set up in code (resolver modifiers) so
/// Protocol needs no attributes. Abstract records and interfaces (<c>Call</c>, <c>Pattern</c>,
/// <c>IRoutedRequest</c>) are written with a <c>$type</c> discriminator; an <c>object</c> field
/// (<c>XpcActor.Carry.Message</c>) holds any XPMEM message the same way; an
/// <see cref="IActorRef"/> is its serialization path, resolved by the receiving ActorSystem;
/// computed properties (<c>SegId.Owner</c>) are left out; enums are written by name.
/// </summary>
internal static class WireJson
{
    public const string Discriminator = "$type";

    public static JsonSerializerOptions Options(ExtendedActorSystem system, WireTypes types)
    {
        var resolver = new DefaultJsonTypeInfoResolver();
        resolver.Modifiers.Add(info => AddSubtypes(info, types));
        resolver.Modifiers.Add(info => DropComputedProperties(info, types));
        resolver.Modifiers.Add(info => CarryAnyMessage(info, types));
        var options = new JsonSerializerOptions
        {
            TypeInfoResolver = resolver,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            Converters =
            {
                new ActorRefConverter(system),
                new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false),
            },
        };
        options.MakeReadOnly();
        return options;
    }

    private static void AddSubtypes(JsonTypeInfo info, WireTypes types)
    {
        var type = info.Type;
        if (info.Kind != JsonTypeInfoKind.Object || !(type.IsAbstract || type.IsInterface)) return;
        if (!types.IsOurs(type)) return;
        var polymorphism = new JsonPolymorphismOptions
        {
            TypeDiscriminatorPropertyName = Discriminator,
            UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization,
        };
        foreach (var subtype in types.ConcreteSubtypesOf(type))
        {
            polymorphism.DerivedTypes.Add(new JsonDerivedType(subtype, WireTypes.NameOf(subtype)));
        }
        if (polymorphism.DerivedTypes.Count > 0) info.PolymorphismOptions = polymorphism;
    }

    /// <summary>
    /// Read-only properties no constructor takes are derived from others: not sent.
    /// </summary>
    private static void DropComputedProperties(JsonTypeInfo info, WireTypes types)
    {
        if (info.Kind != JsonTypeInfoKind.Object || !types.IsOurs(info.Type)) return;
        var parameters = info.Type.GetConstructors(BindingFlags.Public | BindingFlags.Instance)
            .SelectMany(c => c.GetParameters())
            .Select(p => p.Name)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        for (var i = info.Properties.Count - 1; i >= 0; i--)
        {
            var property = info.Properties[i];
            if (property.Set is null && !parameters.Contains(property.Name))
            {
                info.Properties.RemoveAt(i);
            }
        }
    }

    private static void CarryAnyMessage(JsonTypeInfo info, WireTypes types)
    {
        if (info.Kind != JsonTypeInfoKind.Object || !types.IsOurs(info.Type)) return;
        foreach (var property in info.Properties.Where(p => p.PropertyType == typeof(object)))
        {
            property.CustomConverter = new AnyMessageConverter(types);
        }
    }

    /// <summary>
    /// An actor as its serialization path (with the node's address under remoting).
    /// </summary>
    private sealed class ActorRefConverter(ExtendedActorSystem system) : JsonConverter<IActorRef>
    {
        public override IActorRef Read(
            ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var path = reader.GetString() ?? throw new JsonException("An actor path is null.");
            return system.Provider.ResolveActorRef(path);
        }

        public override void Write(
            Utf8JsonWriter writer, IActorRef value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Akka.Serialization.Serialization.SerializedActorPath(value));
    }

    /// <summary>
    /// An <c>object</c> field holding an XPMEM message, written as the message with its manifest
    /// as discriminator. Anything else is refused here, rather than sent half-understood.
    /// </summary>
    private sealed class AnyMessageConverter(WireTypes types) : JsonConverter<object>
    {
        public override object Read(
            ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            JsonSerializer.Deserialize<IXpmemMessage>(ref reader, options)
            ?? throw new JsonException("A carried message is null.");

        public override void Write(
            Utf8JsonWriter writer, object value, JsonSerializerOptions options)
        {
            types.ManifestOf(value.GetType());
            if (value is not IXpmemMessage message)
            {
                throw new SerializationException(
                    $"{value.GetType().FullName} cannot be carried: "
                    + "only IXpmemMessage crosses XPC.");
            }
            JsonSerializer.Serialize(writer, message, options);
        }
    }
}
