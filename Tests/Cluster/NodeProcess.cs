// A node as its own OS process: `dotnet xpmem-emu.dll node ...` (the Host's dll, copied next to
// the test assembly by the project reference), its stdout and stderr read line by line on
// threads of their own so every wait has a deadline, and killed on Dispose whatever happened.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Akka.Actor;
using Emulator.Host.Cli;
using Emulator.Host.Cluster;
using Xunit;

namespace Emulator.Tests.Cluster;

internal sealed partial class NodeProcess : IDisposable
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly BlockingCollection<string> _stdout = [];
    private readonly BlockingCollection<string> _stderr = [];
    private readonly ConcurrentQueue<string> _seen = [];

    private NodeProcess(Process process)
    {
        _process = process;
        Pump(process.StandardOutput, _stdout);
        Pump(process.StandardError, _stderr);
    }

    /// <summary>When the process was started (the clock of the figures).</summary>
    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    /// <summary>Its bound address, once <see cref="WaitForAddress"/> read it.</summary>
    public Address? Address { get; private set; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything it printed so far, for a failure message.</summary>
    public string Output => string.Join("\n", _seen);

    /// <summary>Starts <c>xpmem-emu node</c> with <paramref name="arguments"/> (port 0).</summary>
    public static NodeProcess Start(params string[] arguments)
    {
        var (program, prefix) = ThisProgram.Command();
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var word in (string[])[.. prefix, "node", .. arguments])
            start.ArgumentList.Add(word);
        return new NodeProcess(Process.Start(start)
            ?? throw new InvalidOperationException($"{program} did not start"));
    }

    /// <summary>Reads the line that tells the bound address; throws at the deadline.</summary>
    public Address WaitForAddress(TimeSpan timeout)
    {
        var line = WaitForLine(_stdout, l => l.StartsWith("node ", StringComparison.Ordinal),
            timeout, "its address line");
        var match = AddressPattern().Match(line);
        Assert.True(match.Success, $"not an address line: {line}");
        Address = new Address("akka.tcp", ClusterNode.SystemName, match.Groups[1].Value,
            int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
        return Address;
    }

    /// <summary>Waits until it says it wired every partition (on stderr).</summary>
    public void WaitForWired(TimeSpan timeout) => WaitForLine(_stderr,
        l => l.EndsWith("every partition wired", StringComparison.Ordinal), timeout,
        "'every partition wired'");

    /// <summary>SIGKILL: the process dies with no leave, as a crashed host would.</summary>
    public void Kill() => _process.Kill();

    /// <summary>SIGTERM: the node leaves the cluster, then exits.</summary>
    public void Terminate()
    {
        const int sigterm = 15;
        // Not delivered is most likely a node that had already left (the cluster downed it):
        // say so, with what it printed, instead of a bare -1.
        var sent = SendSignal(_process.Id, sigterm);
        var exited = _process.HasExited ? $", exit code {_process.ExitCode}" : "";
        Assert.True(sent == 0, $"SIGTERM not delivered ({sent}; exited: {_process.HasExited}"
            + $"{exited}); it printed:\n{Output}");
    }

    /// <summary>Waits for the exit; false at the deadline.</summary>
    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    /// <summary>Kills it if it still runs (and waits, bounded): no orphan, whatever
    /// failed.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(ExitTimeout);
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
        _process.Dispose();
    }

    private string WaitForLine(BlockingCollection<string> lines, Func<string, bool> wanted,
        TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (!lines.TryTake(out var line, timeout - deadline.Elapsed)) break;
            if (wanted(line)) return line;
        }
        throw new TimeoutException($"node process {_process.Id}: no {what} in {timeout} "
            + $"(exited: {_process.HasExited}); it printed:\n{Output}");
    }

    private void Pump(StreamReader reader, BlockingCollection<string> lines)
    {
        var thread = new Thread(() =>
        {
            while (reader.ReadLine() is { } line)
            {
                _seen.Enqueue(line);
                lines.Add(line);
            }
        })
        { IsBackground = true };
        thread.Start();
    }

    [GeneratedRegex(@"akka\.tcp://xpmem@([^:\s]+):(\d+)")]
    private static partial Regex AddressPattern();

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
