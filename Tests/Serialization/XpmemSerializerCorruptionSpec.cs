// Proves truncated or corrupt bytes never get past XpmemSerializer as anything but a
// SerializationException or a well-formed message of the manifest's type: no index error, no
// cast error, no huge allocation, no hang. How: for samples of every message type, every
// truncation and a trailing byte must be refused; then a few thousand corruptions from a fixed
// seed (1 to 3 flipped bytes, or the body after a valid header replaced by random bytes) must be
// refused or read as that type. A failure names the seed, the case and the corrupt bytes.
using System.Runtime.Serialization;
using Akka.Serialization;
using Akka.TestKit.Xunit2;
using Emulator.Partitions.Serialization;
using Emulator.Partitions.Xpc;
using Xunit;
using Xunit.Abstractions;

namespace Emulator.Tests.Serialization;

public sealed class XpmemSerializerCorruptionSpec : TestKit
{
    private const int Seed = 7100;
    private const int CorruptionsPerType = 120;
    private const int SamplesPerType = 4;

    private static readonly Type[] InProcessOnly = [.. WireTypes.Instance.InProcessOnly];

    private readonly ITestOutputHelper _output;

    public XpmemSerializerCorruptionSpec(ITestOutputHelper output)
        : base(XpmemSerializer.Config)
    {
        _output = output;
    }

    [Fact]
    public void XpmemSerializer_must_refuse_every_truncation_and_a_trailing_byte()
    {
        var serializer = Serializer();
        var failures = new List<string>();
        var cases = 0;
        foreach (var (manifest, bytes) in Encoded())
        {
            var cut = Enumerable.Range(0, bytes.Length).Select(n => bytes[..n]);
            foreach (var input in cut.Append([.. bytes, 0]))
            {
                cases++;
                var outcome = Read(serializer, input, manifest);
                if (outcome is SerializationException refusal && refusal.Message.Contains(manifest)
                    && !IsBug(refusal))
                {
                    continue;
                }
                failures.Add($"{manifest}, {input.Length} of {bytes.Length} bytes: {outcome}");
            }
        }
        _output.WriteLine($"{cases} truncated or overlong inputs, all refused");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
    }

    [Fact]
    public void XpmemSerializer_must_read_corrupt_bytes_as_a_refusal_or_a_message_of_its_type()
    {
        var serializer = Serializer();
        var random = new Random(Seed);
        var failures = new List<string>();
        var (refused, read) = (0, 0);
        var samples = Encoded().GroupBy(e => e.Manifest).ToList();
        foreach (var group in samples)
        {
            var encodings = group.ToList();
            for (var n = 0; n < CorruptionsPerType; n++)
            {
                var (manifest, bytes) = encodings[n % encodings.Count];
                var (input, how) = Corrupt(bytes, random);
                switch (Read(serializer, input, manifest))
                {
                    case SerializationException refusal when !IsBug(refusal):
                        refused++;
                        break;
                    case { } message when WireTypes.NameOf(message.GetType()) == manifest:
                        read++;
                        break;
                    case var other:
                        // The bytes too: a sample holds an actor uid, new in every run.
                        failures.Add($"seed {Seed}, {manifest} case {n} ({how}), "
                            + $"input {Convert.ToHexString(input)}: {other}");
                        break;
                }
            }
        }
        _output.WriteLine(
            $"seed {Seed}: {refused + read} corrupt inputs over {samples.Count} types: "
            + $"{refused} refused, {read} read as a message of their type (a flipped value)");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
        Assert.True(refused > 0 && read > 0, $"seed {Seed}: {refused} refused, {read} read");
    }

    private XpmemSerializer Serializer() =>
        (XpmemSerializer)Sys.Serialization.FindSerializerForType(typeof(XpcActor.Carry));

    /// <summary>The first few samples of every message type, with their bytes.</summary>
    private List<(string Manifest, byte[] Bytes)> Encoded()
    {
        var serializer = Serializer();
        var builder = new SampleBuilder(TestActor, InProcessOnly);
        return
        [
            .. builder.Messages.SelectMany(type => builder.SamplesOf(type).Take(SamplesPerType))
                .Select(sample => (serializer.Manifest(sample), serializer.ToBinary(sample))),
        ];
    }

    /// <summary>
    /// Mostly flipped bytes (anywhere, header included); one case in eight keeps the header and
    /// replaces the rest by random bytes, to reach deeper into the codecs.
    /// </summary>
    private static (byte[] Input, string How) Corrupt(byte[] bytes, Random random)
    {
        var input = bytes.ToArray();
        if (random.Next(8) == 0 || input.Length <= XpmemSerializer.HeaderBytes)
        {
            var body = new byte[random.Next(1, 64)];
            random.NextBytes(body);
            return ([.. input[..XpmemSerializer.HeaderBytes], .. body],
                $"random body {Convert.ToHexString(body)}");
        }
        var flips = new List<string>();
        for (var i = random.Next(1, 4); i > 0; i--)
        {
            var at = random.Next(input.Length);
            var mask = (byte)random.Next(1, 256);
            input[at] ^= mask;
            flips.Add($"byte {at} ^= 0x{mask:x2}");
        }
        return (input, string.Join(", ", flips));
    }

    /// <summary>
    /// A refusal that only wraps an index, range, null or cast error: the serializer missed a
    /// check of its own (the wrapping is for constructors and Akka's path parser).
    /// </summary>
    private static bool IsBug(Exception refusal) =>
        refusal.GetBaseException() is IndexOutOfRangeException or ArgumentOutOfRangeException
            or NullReferenceException or InvalidCastException or KeyNotFoundException;

    /// <summary>What reading gave: the message, or the exception it threw.</summary>
    private static object Read(Serializer serializer, byte[] input, string manifest)
    {
        try
        {
            return ((SerializerWithStringManifest)serializer).FromBinary(input, manifest);
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
