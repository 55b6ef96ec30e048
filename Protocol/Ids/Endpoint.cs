using Akka.Actor;

namespace Emulator.Protocol.Ids;

/// <summary>
/// An actor together with the partition it lives on. Requests carry an endpoint as their
/// reply address, so a reply to another partition can be sent through XPC, the one seam where
/// cross-partition traffic flows (and, later, where its faults are injected).
/// </summary>
public readonly record struct Endpoint(PartitionId Partition, IActorRef Ref)
{
    public override string ToString() => $"{Partition}:{Ref.Path.ToStringWithoutAddress()}";
}
