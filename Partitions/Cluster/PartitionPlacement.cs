using Akka.Actor;
using Akka.Cluster;

namespace Emulator.Partitions.Cluster;

/// <summary>
/// Where a partition lives in a cluster: each node says which partitions it hosts through its
/// cluster roles (<c>partition-2</c>), so every member learns the placement from membership alone,
/// with no table to keep in step, and a lost member names the partitions lost with it. On its
/// node a partition and its XPC endpoint are the machine's children, under the same names as in
/// one process (<see cref="MachineActor"/>).
/// </summary>
public static class PartitionPlacement
{
    /// <summary>The name of the machine actor under <c>/user</c> on every node.</summary>
    public const string MachineName = "machine";

    private const string RolePrefix = "partition-";

    /// <summary>The cluster role that says a node hosts <paramref name="partition"/>.</summary>
    public static string RoleOf(int partition) => $"{RolePrefix}{partition}";

    /// <summary>The partitions <paramref name="member"/> hosts, in order.</summary>
    public static IReadOnlyList<int> HostedBy(Member member) =>
        [.. member.Roles.Select(PartitionOf).OfType<int>().Order()];

    /// <summary>The partition a role names, or null for any other role.</summary>
    public static int? PartitionOf(string role) =>
        role.StartsWith(RolePrefix, StringComparison.Ordinal)
        && int.TryParse(role.AsSpan(RolePrefix.Length), out var partition) && partition >= 0
            ? partition : null;

    /// <summary>Partition <paramref name="partition"/>'s actor on the node at
    /// <paramref name="node"/>.</summary>
    public static ActorPath PartitionPath(Address node, int partition) =>
        new RootActorPath(node) / "user" / MachineName / $"p{partition}";

    /// <summary>The <see cref="NodeReporter"/> of the node at <paramref name="node"/>.</summary>
    public static ActorPath ReporterPath(Address node) =>
        new RootActorPath(node) / "system" / NodeReporter.Name;

    /// <summary>Partition <paramref name="partition"/>'s XPC endpoint on the node at
    /// <paramref name="node"/>.</summary>
    public static ActorPath XpcPath(Address node, int partition) =>
        new RootActorPath(node) / "user" / MachineName / $"xpc-p{partition}";
}
