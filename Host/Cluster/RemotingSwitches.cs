namespace Emulator.Host.Cluster;

/// <summary>
/// Switches a cluster member sets in its environment before remoting opens a socket (the runtime
/// and DotNetty read each once, at first use), so the node processes it starts inherit them. A
/// value the user set is left as it is.
/// </summary>
public static class RemotingSwitches
{
    /// <summary>
    /// .NET's: a member's sockets complete on the thread that polls them (epoll), not in a work
    /// item of the thread pool. .NET on Linux hands every socket completion to the pool, and
    /// DotNetty's handler only posts it on to its own event loop, so each message a node read
    /// waited for one more thread to wake, for nothing. XPC between nodes is chains of messages
    /// each waiting for the one before, so that wait is paid on every hop. Measured
    /// (docs/cluster.md, 2026-12-03): a hop between node processes, writes not batched,
    /// 0.24-0.26 -> 0.20 ms (median).
    /// </summary>
    public const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// DotNetty's: its network buffers are not tracked for leaks. By default it tracks one in 128
    /// and takes the stack trace where each tracked one is made: 1.0% of a 3-node run's samples
    /// (48 pairs x 200 pages), 0.04% without (BENCHMARKS.md, the twelfth round). A leak it could
    /// report would be remoting's, not the emulator's or the user's.
    /// </summary>
    public const string LeakDetection = "io.netty.leakDetection.level";

    private static readonly (string Variable, string Value)[] Switches =
        [(InlineCompletions, "1"), (LeakDetection, "disabled")];

    /// <summary>Sets each switch in this process unless the user set it already.</summary>
    public static void Set()
    {
        foreach (var (variable, value) in Switches)
        {
            if (Chosen(Environment.GetEnvironmentVariable(variable), value) is { } chosen)
                Environment.SetEnvironmentVariable(variable, chosen);
        }
    }

    /// <summary>What to set, given the variable's current value: nothing when set already.
    /// </summary>
    public static string? Chosen(string? current, string value) => current is null ? value : null;
}
