// Proves every message that may cross nodes survives XpmemSerializer, and nothing else gets
// through it. How: find every concrete IXpmemMessage in Protocol and Partitions, and
// XpcActor.Carry, by reflection (a message added later is covered with no edit here); build
// samples with every field set (Process.Run with every Call, FillCall and CheckCall with every
// Pattern, Deliver with every routed request, Carry with every message); send each through the
// serializer Akka picks from XpmemSerializer.Config; compare field by field (contents for lists
// and byte[], path for actor refs). The samples must cover the serializer's own list of messages
// and every record its schema can reach, so a message or a field type added without a sample
// fails here. Messages that hold a live Page are listed here by hand and must be refused, naming
// the field. Last, an actor receives one of each message with serialize-messages = on.
using System.Reflection;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using Emulator.Partitions.Faults;
using Emulator.Partitions.Processes;
using Emulator.Partitions.Segments;
using Emulator.Partitions.Serialization;
using Emulator.Partitions.Xpc;
using Emulator.Protocol;
using Emulator.Protocol.Faults;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Partitions;
using Emulator.Protocol.Processes;
using Emulator.Protocol.Segments;
using Xunit;
using static Emulator.Tests.Serialization.WireEquality;

namespace Emulator.Tests.Serialization;

public sealed class XpmemSerializerSpec() : TestKit(XpmemSerializer.Config)
{
    /// <summary>
    /// Replies that hold the owner's Page itself (same bytes, by reference) for an attacher on the
    /// same partition. Copying one would break that, so they never cross nodes.
    /// </summary>
    private static readonly Type[] InProcessOnly =
        [typeof(SegmentActor.LocalPinned), typeof(ThreadGroupActor.PageFound)];

    private static readonly PartitionId P1 = new(1);

    [Fact]
    public void XpmemSerializer_must_round_trip_every_message_type()
    {
        var builder = new SampleBuilder(TestActor, InProcessOnly);
        var failures = new List<string>();
        var types = builder.Messages.ToList();
        foreach (var type in types)
        {
            try
            {
                foreach (var sample in builder.SamplesOf(type))
                {
                    failures.AddRange(RoundTripFailures(sample));
                }
            }
            catch (InvalidOperationException e)
            {
                failures.Add($"{type.FullName}: cannot build a sample: {e.Message}");
            }
        }
        Assert.Contains(typeof(Process.Run), types);
        Assert.Contains(typeof(XpcActor.Carry), types);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Samples_must_cover_every_message_the_serializer_writes()
    {
        var sampled = new SampleBuilder(TestActor, InProcessOnly).Messages.ToHashSet();
        var written = WireTypes.Instance.Messages.ToHashSet();

        var unsampled = written.Except(sampled).Select(WireTypes.NameOf).ToList();
        var unwritten = sampled.Except(written).Select(WireTypes.NameOf).ToList();
        Assert.True(unsampled.Count == 0, $"no samples for: {string.Join(", ", unsampled)}");
        Assert.True(unwritten.Count == 0, $"sampled, not written: {string.Join(", ", unwritten)}");
    }

    [Fact]
    public void Samples_must_reach_every_record_the_wire_can_hold()
    {
        var builder = new SampleBuilder(TestActor, InProcessOnly);
        var seen = new HashSet<Type>();
        foreach (var type in builder.Messages)
        {
            foreach (var sample in builder.SamplesOf(type)) TypesIn(sample, seen, 0);
        }

        var missing = WireSchema.Instance.Composites.Where(t => !seen.Contains(t))
            .Select(WireTypes.NameOf)
            .ToList();
        Assert.True(missing.Count == 0, $"no sample holds: {string.Join(", ", missing)}");
        Assert.Contains(typeof(Credentials), seen);
        Assert.Contains(typeof(Lfsr32Pattern), seen);
    }

    [Fact]
    public void XpmemSerializer_must_start_each_message_with_its_format_version_and_schema()
    {
        var done = new Fault.Done(new RequestId(P1, 5));
        var serializer = (XpmemSerializer)Sys.Serialization.FindSerializerFor(done);
        var bytes = serializer.ToBinary(done);

        Assert.Equal(XpmemSerializer.FormatVersion, bytes[0]);
        Assert.Equal(WireSchema.Instance.Fingerprint, BitConverter.ToUInt32(bytes, 1));
        var newer = bytes.ToArray();
        newer[0]++;
        var version = Assert.Throws<SerializationException>(() =>
            serializer.FromBinary(newer, "Fault.Done"));
        Assert.Contains("format version", version.Message);
        var otherBuild = bytes.ToArray();
        otherBuild[2] ^= 0x10;
        var schema = Assert.Throws<SerializationException>(() =>
            serializer.FromBinary(otherBuild, "Fault.Done"));
        Assert.Contains("same build", schema.Message);
    }

    [Fact]
    public void Samples_must_carry_every_Call_and_Pattern_inside_Process_Run()
    {
        var builder = new SampleBuilder(TestActor, InProcessOnly);
        var runs = builder.SamplesOf(typeof(Process.Run)).Cast<Process.Run>();
        var calls = runs.Select(r => r.Call).ToList();
        var patterns = calls.OfType<FillCall>().Select(c => c.Pattern)
            .Concat(calls.OfType<CheckCall>().Select(c => c.Pattern));

        Assert.Equal(ConcreteSubtypes<Call>(), calls.Select(c => c.GetType()).ToHashSet());
        Assert.Equal(ConcreteSubtypes<Pattern>(), patterns.Select(p => p.GetType()).ToHashSet());
    }

    [Fact]
    public void XpmemSerializer_must_refuse_messages_that_hold_a_page()
    {
        Assert.Equal(InProcessOnly.ToHashSet(), WireTypes.Instance.InProcessOnly.ToHashSet());
        var builder = new SampleBuilder(TestActor, []);
        foreach (var type in InProcessOnly)
        {
            var sample = builder.SamplesOf(type)[0];
            var carried = new XpcActor.Carry(P1, new Endpoint(P1, TestActor), sample);
            foreach (var message in new[] { sample, carried })
            {
                var serializer = Sys.Serialization.FindSerializerFor(message);
                Assert.IsType<XpmemSerializer>(serializer);
                var refusal = Assert.Throws<SerializationException>(() => serializer.ToBinary(message));
                Assert.Contains(type.FullName!, refusal.Message);
                Assert.Contains($"{WireTypes.NameOf(type)}.Page", refusal.Message);
                Assert.Contains("never cross nodes", refusal.Message);
                if (message is XpcActor.Carry)
                {
                    Assert.Contains("XpcActor.Carry.Message", refusal.Message);
                }
            }
        }
    }

    [Fact]
    public void XpmemSerializer_must_name_each_type_by_a_short_manifest()
    {
        var serializer = (XpmemSerializer)Sys.Serialization.FindSerializerForType(typeof(Process.Run));
        var builder = new SampleBuilder(TestActor, InProcessOnly);
        var manifests = builder.Messages.Select(t => serializer.Manifest(builder.SamplesOf(t)[0]))
            .ToList();

        Assert.Equal(manifests.Count, manifests.Distinct().Count());
        Assert.All(manifests, m => Assert.DoesNotContain(",", m));
        Assert.All(manifests, m => Assert.DoesNotContain("Emulator", m));
        Assert.Contains("Process.Run", manifests);
        Assert.Contains("Refused", manifests);
        Assert.Contains("XpcActor.Carry", manifests);
        Assert.Contains("Fault.Pin", manifests);
    }

    [Fact]
    public void XpmemSerializer_must_refuse_a_foreign_type_and_an_unknown_manifest()
    {
        var serializer = Sys.Serialization.FindSerializerForType(typeof(Refused));
        var foreign = Assert.Throws<SerializationException>(() => serializer.ToBinary("a string"));
        Assert.Contains("not an XPMEM message", foreign.Message);
        var unknown = Assert.Throws<SerializationException>(() =>
            Sys.Serialization.Deserialize("{}"u8.ToArray(), XpmemSerializer.Id, "Segment.Teleport"));
        Assert.Contains("Segment.Teleport", unknown.Message);
    }

    [Fact]
    public void XpmemSerializer_must_refuse_to_carry_a_message_that_is_not_XPMEM()
    {
        var carried = new XpcActor.Carry(P1, new Endpoint(P1, TestActor), "not a protocol message");
        var serializer = Sys.Serialization.FindSerializerFor(carried);
        var refusal = Assert.Throws<SerializationException>(() => serializer.ToBinary(carried));
        Assert.Contains("System.String", refusal.Message);
    }

    [Fact]
    public void XpmemSerializer_must_resolve_an_actor_ref_to_the_live_actor()
    {
        var owner = CreateTestProbe();
        var check = new Segment.Check(new RequestId(P1, 5), new Endpoint(P1, owner.Ref));
        var copy = (Segment.Check)RoundTrip(check);

        copy.ReplyTo.Ref.Tell(new Segment.Checked(copy.RequestId));

        owner.ExpectMsg<Segment.Checked>(c => c.RequestId == check.RequestId);
    }

    [Fact]
    public void Actor_must_receive_one_of_each_message_with_serialize_messages_on()
    {
        var config = ConfigurationFactory.ParseString("akka.actor.serialize-messages = on")
            .WithFallback(XpmemSerializer.Config);
        var system = ActorSystem.Create("serialize-messages-on", config);
        try
        {
            var probe = CreateTestProbe(system);
            var echo = system.ActorOf(Props.Create(() => new Echo(probe.Ref)), "echo");
            var builder = new SampleBuilder(probe.Ref, InProcessOnly);
            foreach (var type in builder.Messages)
            {
                var sample = builder.SamplesOf(type)[0];
                echo.Tell(sample);
                var received = probe.ExpectMsg<object>(hint: $"{type.FullName} (see the log)");
                Assert.NotSame(sample, received);
                Assert.Empty(Differences(sample, received));
            }
        }
        finally
        {
            Shutdown(system);
        }
    }

    [Fact]
    public void WireEquality_must_see_changed_contents_of_lists_and_bytes_and_actor_paths()
    {
        var id = new RequestId(P1, 1);
        var here = new Endpoint(P1, TestActor);
        var elsewhere = new Endpoint(P1, CreateTestProbe().Ref);

        Assert.Empty(Differences(new Frames.Data(id, [1, 2]), new Frames.Data(id, [1, 2])));
        Assert.NotEmpty(Differences(new Frames.Data(id, [1, 2]), new Frames.Data(id, [1, 3])));
        Assert.NotEmpty(Differences(new Frames.Unpin([1, 2]), new Frames.Unpin([1])));
        Assert.NotEmpty(Differences(new Segment.Check(id, here), new Segment.Check(id, elsewhere)));
        Assert.NotEmpty(Differences(
            new Process.Run(id, new FillCall(1, 2, new BytePattern(3)), here),
            new Process.Run(id, new FillCall(1, 2, new BytePattern(4)), here)));
    }

    private object RoundTrip(object message)
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
        var bytes = serializer.ToBinary(message);
        return Sys.Serialization.Deserialize(bytes, serializer.Identifier, manifest);
    }

    private IEnumerable<string> RoundTripFailures(object sample)
    {
        var name = WireTypes.NameOf(sample.GetType());
        var serializer = Sys.Serialization.FindSerializerFor(sample);
        if (serializer is not XpmemSerializer) return [$"{name}: bound to {serializer.GetType().Name}"];
        try
        {
            var wire = Convert.ToHexString(serializer.ToBinary(sample));
            return Differences(sample, RoundTrip(sample))
                .Select(d => $"{name}: {d}\n    wire: {wire}");
        }
        catch (Exception e)
        {
            return [$"{name} {sample}: {e.GetType().Name}: {e.Message}"];
        }
    }

    /// <summary>The runtime type of every value inside a sample, itself included.</summary>
    private static void TypesIn(object? value, HashSet<Type> seen, int depth)
    {
        if (value is null || value is string || value is IActorRef || depth > 16) return;
        var type = value.GetType();
        if (type.IsPrimitive || type.IsEnum) return;
        if (value is System.Collections.IEnumerable items)
        {
            foreach (var item in items) TypesIn(item, seen, depth + 1);
            return;
        }
        seen.Add(type);
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0);
        foreach (var property in properties) TypesIn(property.GetValue(value), seen, depth + 1);
    }

    private static HashSet<Type> ConcreteSubtypes<T>() =>
        SampleBuilder.ConcreteTypes.Where(t => typeof(T).IsAssignableFrom(t)).ToHashSet();

    /// <summary>Passes every message on, so what the probe gets went through two sends.</summary>
    private sealed class Echo : ReceiveActor
    {
        public Echo(IActorRef target) => ReceiveAny(message => target.Tell(message));
    }
}
