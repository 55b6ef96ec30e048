namespace Emulator.Host.Cluster;

/// <summary>
/// A cluster member's sockets complete on the thread that polls them (epoll), not in a work item
/// of the thread pool. .NET on Linux hands every socket completion to the pool, and DotNetty's
/// handler only posts it on to its own event loop, so each message a node reads waited for one
/// more thread to wake, for nothing. XPC between nodes is chains of messages each waiting for the
/// one before, so that wait is paid on every hop. Measured (docs/cluster.md, 2026-12-03): a hop
/// between node processes, writes not batched, 0.24-0.26 -> 0.20 ms (median).
/// </summary>
public static class SocketCompletions
{
    /// <summary>The runtime's switch, read once per process, at its first socket's async use.
    /// </summary>
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Asks for them in this process (call before remoting opens a socket: later, the runtime
    /// has read the switch) and in the node processes it starts, which inherit its environment.
    /// A value the user set is left as it is.
    /// </summary>
    public static void Inline()
    {
        if (Chosen(Environment.GetEnvironmentVariable(Variable)) is { } value)
            Environment.SetEnvironmentVariable(Variable, value);
    }

    /// <summary>What to set, given the variable's current value: nothing when set already.
    /// </summary>
    public static string? Chosen(string? current) => current is null ? "1" : null;
}
