using System.Runtime.CompilerServices;
using Akka.Actor;
using Emulator.Protocol.Ids;

namespace Emulator.Host.Reports;

/// <summary>
/// Actor paths as the trace shows them: relative to the machine actor (<c>p1/tg-100/seg-1</c>,
/// <c>xpc</c>; the runner's inbox is <c>runner</c>), with no <c>akka://</c> address and no uid, so
/// they read like the kernel objects they stand for and are the same in every run.
/// </summary>
public static class TracePaths
{
    private const string UserPrefix = "/user/";
    private const string MachinePrefix = "machine/";

    private static readonly ConditionalWeakTable<IActorRef, string> Refs = new();

    /// <summary>The trace path of <paramref name="actor"/>, computed once per ref.</summary>
    public static string Of(IActorRef actor) =>
        Refs.GetValue(actor, static a => Short(a.Path.ToStringWithoutAddress()));

    /// <summary>
    /// Shortens a path without address: <c>/user/machine/p1/tg-100</c> → <c>p1/tg-100</c>,
    /// <c>/user/runner</c> → <c>runner</c>.
    /// </summary>
    public static string Short(string path)
    {
        var relative = path.StartsWith(UserPrefix, StringComparison.Ordinal)
            ? path[UserPrefix.Length..]
            : path.TrimStart('/');
        return relative.StartsWith(MachinePrefix, StringComparison.Ordinal)
            ? relative[MachinePrefix.Length..]
            : relative;
    }

    /// <summary>
    /// The thread group a trace path is or lies under (<c>p1/tg-100/seg-1</c> → p1/100), if any.
    /// </summary>
    public static TgId? ThreadGroupOf(string shortPath)
    {
        var parts = shortPath.Split('/', 3);
        if (parts.Length < 2 || !parts[0].StartsWith('p')
            || !parts[1].StartsWith("tg-", StringComparison.Ordinal)) return null;
        return int.TryParse(parts[0].AsSpan(1), out var partition)
            && int.TryParse(parts[1].AsSpan(3), out var pid)
            ? new TgId(new PartitionId(partition), pid)
            : null;
    }

    /// <summary>The trace path of thread group <paramref name="process"/>.</summary>
    public static string OfThreadGroup(TgId process) => $"{process.Partition}/tg-{process.Pid}";
}
