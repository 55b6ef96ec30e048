using Akka.Actor;

namespace Emulator.Host.Cluster;

/// <summary>
/// Where a cluster run's partitions live: on node processes started here on 127.0.0.1, placed
/// as the scenario's <see cref="Explicit"/> placement says (one node per entry), else
/// round-robin over <see cref="Nodes"/> (node i hosts partitions i, i + N, ...); or, with
/// <see cref="SeedNodes"/>, on the members of a running cluster, which the driver joins at
/// <see cref="Host"/>:<see cref="Port"/> (0: a free port).
/// </summary>
public sealed record ClusterPlan(int Nodes, IReadOnlyList<Address> SeedNodes,
    string Host = "127.0.0.1", int Port = 0)
{
    /// <summary>Three local nodes, the CI's and the docs' cluster.</summary>
    public static readonly ClusterPlan Default = new(3, []);

    /// <summary>True when the driver starts the nodes itself.</summary>
    public bool StartsNodes => SeedNodes.Count == 0;

    /// <summary>
    /// The run's <c>--set KEY=VALUE</c> overrides, which the nodes it starts are given too.
    /// </summary>
    public IReadOnlyList<string> Overrides { get; init; } = [];

    /// <summary>The scenario's own placement (its <c>placement</c> key), if it has one.</summary>
    public IReadOnlyList<IReadOnlyList<int>>? Explicit { get; init; }

    /// <summary>
    /// The partitions each node hosts: the explicit placement, or round-robin with no node left
    /// empty.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<int>> Placement(int partitions)
    {
        if (Explicit is { } placed) return placed;
        var nodes = Math.Min(Nodes, partitions);
        return
        [
            .. Enumerable.Range(0, nodes).Select(node => (IReadOnlyList<int>)
                [.. Enumerable.Range(0, partitions).Where(p => p % nodes == node)]),
        ];
    }
}
