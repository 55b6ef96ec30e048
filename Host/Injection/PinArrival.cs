using Emulator.Protocol.Faults;
using Emulator.Protocol.Ids;

namespace Emulator.Host.Injection;

/// <summary>
/// A fault's pin reaching the owner's segment: the moment the aimed faults aim at (a fault is in
/// flight through an attachment of that segment). <see cref="Remote"/>: the attacher is on
/// another partition, so the pin came over XPC and its reply goes back over it.
/// </summary>
public sealed record PinArrival(TgId Owner, TgId Attacher, RequestId Request)
{
    public bool Remote => Owner.Partition != Attacher.Partition;

    /// <summary>
    /// The pin <paramref name="message"/> is, handed to the actor at <paramref name="path"/>
    /// (its path's elements: <c>.../pN/tg-PID/seg-K</c>, a segment of process PID on partition
    /// N); null for any other delivery.
    /// </summary>
    public static PinArrival? Of(IReadOnlyList<string> path, object message)
    {
        if (message is not Fault.Pin pin || path.Count < 3) return null;
        var partition = path[^3];
        var process = path[^2];
        if (!path[^1].StartsWith("seg-", StringComparison.Ordinal)
            || !partition.StartsWith('p') || !int.TryParse(partition.AsSpan(1), out var p)
            || !process.StartsWith("tg-", StringComparison.Ordinal)
            || !int.TryParse(process.AsSpan(3), out var pid))
        {
            return null;
        }
        return new PinArrival(new TgId(new PartitionId(p), pid), pin.Attacher, pin.RequestId);
    }
}
