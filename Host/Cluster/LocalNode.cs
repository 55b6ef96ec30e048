using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Akka.Actor;
using Emulator.Host.Cli;

namespace Emulator.Host.Cluster;

/// <summary>
/// A node of a local cluster run as its own OS process: this program again, as
/// <c>xpmem-emu node ... --until-stdin-closes</c>, its stdin a pipe held open by us, so that it
/// leaves and exits once this process dies, however it dies (the OS closes the pipe): no orphan
/// even after a SIGKILL of the driver. A run that ends normally kills it. Its stdout and stderr
/// are read on threads of their own, so every wait has a deadline.
/// </summary>
public sealed partial class LocalNode : IDisposable
{
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(10);

    /// <summary>The runtime's knob for how long tiering waits on new methods before counting
    /// calls (the environment wins over the program's runtimeconfig).</summary>
    internal const string TieringDelayVariable = "DOTNET_TC_CallCountingDelayMs";

    /// <summary>The runtime's own default for it.</summary>
    internal const string RuntimeTieringDelayMs = "100";

    private readonly Process _process;
    private readonly BlockingCollection<string> _stdout = [];
    private readonly ConcurrentQueue<string> _printed = [];

    private LocalNode(Process process, IReadOnlyList<int> hosted)
    {
        _process = process;
        Hosted = hosted;
        Pump(process.StandardOutput, _stdout);
        Pump(process.StandardError, null);
    }

    /// <summary>The partitions it hosts.</summary>
    public IReadOnlyList<int> Hosted { get; }

    public int Pid => _process.Id;

    /// <summary>Its cluster address, once <see cref="WaitForAddress"/> read it.</summary>
    public Address? Address { get; private set; }

    public bool HasExited => _process.HasExited;

    /// <summary>True once this node was killed on purpose (<see cref="Kill"/>).</summary>
    public bool Killed { get; private set; }

    /// <summary>How it ended: its exit code, or that it still runs.</summary>
    public string Ending => _process.HasExited ? $"exit code {_process.ExitCode}" : "running";

    /// <summary>What it printed so far, both streams, for a report.</summary>
    public string Printed => string.Join("\n", _printed);

    /// <summary>
    /// Starts a node hosting <paramref name="hosted"/> of <paramref name="partitions"/>, joining
    /// <paramref name="seed"/>, on a free port of 127.0.0.1, with the run's
    /// <paramref name="overrides"/> of akka.hocon; for a restart, as incarnation
    /// <paramref name="incarnation"/> numbering processes from <paramref name="firstPid"/>.
    /// </summary>
    public static LocalNode Start(IReadOnlyList<int> hosted, int partitions, Address seed,
        IReadOnlyList<string> overrides, int incarnation = 1, int? firstPid = null)
    {
        var start = StartInfo(hosted, partitions, seed, overrides, incarnation, firstPid);
        var process = Process.Start(start)
            ?? throw new InvalidOperationException($"{start.FileName} did not start");
        return new LocalNode(process, hosted);
    }

    /// <summary>How <see cref="Start"/> starts the node's process.</summary>
    internal static ProcessStartInfo StartInfo(IReadOnlyList<int> hosted, int partitions,
        Address seed, IReadOnlyList<string> overrides, int incarnation = 1, int? firstPid = null)
    {
        var (program, prefix) = ThisProgram.Command();
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        // A local cluster's nodes share this machine's cores with each other and the driver. The
        // program's own 10 ms tiering delay (Host.csproj) has every one of them compile its hot
        // code again at once, the JIT's threads taking a third of the cores in a short run: the
        // nodes start with the runtime's default, unless the user set it.
        if (Environment.GetEnvironmentVariable(TieringDelayVariable) is null)
            start.Environment[TieringDelayVariable] = RuntimeTieringDelayMs;
        string[] words =
        [
            .. prefix, "node", "--partitions", string.Join(",", hosted),
            "--of", partitions.ToString(CultureInfo.InvariantCulture),
            "--seed-nodes", seed.ToString(), "--until-stdin-closes",
            .. incarnation > 1 ? ["--incarnation", Invariant(incarnation)] : (string[])[],
            .. firstPid is { } pid ? ["--first-pid", Invariant(pid)] : (string[])[],
            .. overrides.SelectMany(setting => (string[])["--set", setting]),
        ];
        foreach (var word in words) start.ArgumentList.Add(word);
        return start;
    }

    /// <summary>Reads the line that tells its bound address; null at the deadline.</summary>
    public Address? WaitForAddress(TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (_stdout.TryTake(out var line, Remaining(watch, timeout)))
        {
            var match = AddressPattern().Match(line);
            if (!match.Success) continue;
            return Address = new Address("akka.tcp", ClusterNode.SystemName,
                match.Groups[1].Value,
                int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
        }
        return null;
    }

    /// <summary>
    /// SIGKILL: it dies on the spot, with no leave, as a crashed host would; returns once it has
    /// exited (bounded: false if it still runs then).
    /// </summary>
    public bool Kill()
    {
        SendKill();
        return AwaitExit();
    }

    /// <summary>
    /// Sends SIGKILL without waiting for it to take effect, so that several nodes die at once
    /// (<see cref="AwaitExit"/> then waits for each).
    /// </summary>
    public void SendKill()
    {
        Killed = true;
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It had exited already.
        }
    }

    /// <summary>
    /// Waits until the process has exited and is reaped (a killed process takes a while to free
    /// its memory on a loaded machine), bounded; false if it still runs then.
    /// </summary>
    public bool AwaitExit()
    {
        try
        {
            return _process.WaitForExit(KillWait);
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    /// <summary>
    /// Kills it if it still runs and waits for it to be gone (bounded): no orphan, whatever
    /// happened, and none still running once the run has ended.
    /// </summary>
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            if (!Killed) SendKill();
            AwaitExit();
        }
        _process.Dispose();
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static TimeSpan Remaining(Stopwatch watch, TimeSpan timeout)
    {
        var left = timeout - watch.Elapsed;
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    private void Pump(StreamReader reader, BlockingCollection<string>? lines)
    {
        var thread = new Thread(() =>
        {
            while (reader.ReadLine() is { } line)
            {
                _printed.Enqueue(line);
                lines?.Add(line);
            }
        })
        { IsBackground = true, Name = $"node {_process.Id} output" };
        thread.Start();
    }

    [GeneratedRegex(@"^node akka\.tcp://xpmem@([^:\s]+):(\d+) ")]
    private static partial Regex AddressPattern();
}
