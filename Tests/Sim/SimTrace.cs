using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Akka.Actor;
using Emulator.Partitions.Sim;

namespace Emulator.Tests.Sim;

/// <summary>
/// Records every delivery of a sim loop as "receiver-path message" lines. Actor uids (the
/// "#123" Akka prints after a ref) are random per actor, so they are cut from the text.
/// </summary>
internal sealed partial class SimTrace
{
    private readonly List<string> _lines = new();

    public SimTrace(SimLoop loop)
    {
        loop.Delivered += Record;
    }

    public IReadOnlyList<string> Lines => _lines;

    public static string Sha256(IEnumerable<string> lines) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", lines))));

    private void Record(IActorRef receiver, object message)
    {
        var text = Uid().Replace(message.ToString() ?? "", "");
        _lines.Add($"{receiver.Path.ToStringWithoutAddress()} {text}");
    }

    [GeneratedRegex("#-?[0-9]+")]
    private static partial Regex Uid();
}
