// Proves `run --mode cluster`: scenarios run on three node processes started on 127.0.0.1 give the
// outcomes they give in sim (every step's expectation, every checker's verdict, judged here on the
// events gathered from every node), including a partition whose node is SIGKILLed mid-run, and one
// restarted on a new node process that every member wires again; and a cluster run leaves no
// process and no bound port behind, whether it held, failed, or its driver was interrupted with
// Ctrl-C (SIGINT); and it drives a running cluster (--seed-nodes) run after run. Every wait has
// a deadline.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Emulator.Host;
using Emulator.Host.Cli;
using Emulator.Host.Cluster;
using Emulator.Host.Machines;
using Emulator.Host.Runner;
using Emulator.Host.Scenarios;
using Emulator.Protocol;
using Emulator.Protocol.Processes;
using Emulator.Tests.Examples;
using Xunit;
using Xunit.Abstractions;

namespace Emulator.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class ClusterRunSpec(ITestOutputHelper output)
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(20);

    public static TheoryData<string> CrossPartitionExamples() =>
    [
        "cluster-ring.hocon",
        "partition-crash.hocon",
        "partition-restart.hocon",
        "lossy-links.hocon",
        "parallel-cross-faults.hocon",
        "munmap-invalidates.hocon",
    ];

    [Theory]
    [MemberData(nameof(CrossPartitionExamples))]
    public void Cluster_run_must_give_the_outcomes_of_sim(string file) =>
        AssertSameAsSim(file, nodes: 3);

    /// <summary>
    /// Fewer nodes than partitions: a crash and a restart of a partition that shares its node
    /// are carried out on that node by message, as in sim, and the node goes on with the others.
    /// </summary>
    [Theory]
    [InlineData("partition-crash.hocon", 2)]
    [InlineData("partition-restart.hocon", 1)]
    public void Cluster_run_must_crash_a_partition_that_shares_its_node(string file, int nodes) =>
        AssertSameAsSim(file, nodes);

    private void AssertSameAsSim(string file, int nodes)
    {
        var scenario = ScenarioParser.ParseFile(
            Path.Combine(ExamplesSpec.RepositoryFolder("examples"), file));
        // Page grain in both: the comparison is of the modes, and a node's real-time deadlines
        // (2 s) should not meet a line-grain run's 32 cross-node messages per remote page on a
        // busy 2-core machine.
        var config = Settings.Load("xpmem-emulator.access-grain = page");
        var sim = ScenarioRunner.Run(scenario, new RunOptions(1), config);
        var clock = Stopwatch.StartNew();
        var plan = new ClusterPlan(nodes, []) { Overrides = ["access-grain=page"] };
        var cluster = ScenarioRunner.Run(scenario,
            new RunOptions(1, Mode: RunMode.Cluster, Cluster: plan), config);
        output.WriteLine($"{file}: cluster run {clock.Elapsed.TotalSeconds:F1} s "
            + $"({nodes} nodes)");

        Assert.True(sim.Passed, $"{file} in sim: {Describe(sim)}");
        Assert.True(cluster.Passed, $"{file} in cluster mode: {Describe(cluster)}");
        Assert.Equal(sim.Checks.Select(c => (c.Name, c.Held)),
            cluster.Checks.Select(c => (c.Name, c.Held)));
        AssertNoNodeLeft();
    }

    [Fact]
    public void Cluster_run_must_drive_a_running_cluster_again_and_again()
    {
        var timeout = TimeSpan.FromSeconds(30);
        using var founder = NodeProcess.Start("--partitions", "0", "--of", "2");
        var seed = founder.WaitForAddress(timeout);
        using var joiner = NodeProcess.Start("--partitions", "1", "--of", "2",
            "--seed-nodes", $"{seed.Host}:{seed.Port}");
        joiner.WaitForAddress(timeout);
        var scenario = ScenarioParser.ParseFile(
            Path.Combine(ExamplesSpec.RepositoryFolder("examples"), "parallel-cross-faults.hocon"));
        var plan = new ClusterPlan(ClusterOptions.DefaultNodes, [seed]);

        // Each run's driver joins, finds the partitions, runs, gathers, and leaves; the second
        // meets nodes that already served one, whose events went to the first.
        for (var run = 1; run <= 2; run++)
        {
            var result = ScenarioRunner.Run(scenario,
                new RunOptions(1, Mode: RunMode.Cluster, Cluster: plan));
            Assert.True(result.Passed, $"run {run} on the running cluster: {Describe(result)}");
        }
        Assert.False(founder.HasExited || joiner.HasExited, "the nodes keep running");
        founder.Terminate();
        joiner.Terminate();
        Assert.True(founder.WaitForExit(ExitTimeout) && joiner.WaitForExit(ExitTimeout),
            "the nodes left on SIGTERM");
    }

    [Fact]
    public void Cluster_run_that_fails_must_still_leave_no_node_behind()
    {
        var scenario = ScenarioParser.Parse("""
            partitions = 2
            processes {
              a { partition = 0 }
              b { partition = 1, uid = 2000, gid = 2000 }
            }
            steps = [
              "a: mmap 0x10000 1p"
              "a: s = make 0x10000 1p mode=0600"
              "b: get s rdwr"
            ]
            """, "fails.hocon");

        var result = ScenarioRunner.Run(scenario,
            new RunOptions(1, Mode: RunMode.Cluster, Cluster: new ClusterPlan(2, [])));

        Assert.False(result.Passed, "b may not get another uid's 0600 segment");
        Assert.Contains("EACCES", result.Failure);
        AssertNoNodeLeft();
    }

    [Fact]
    public void Cluster_machine_must_free_every_process_and_port_it_used()
    {
        var clock = Stopwatch.StartNew();
        // A placement of the scenario's own: two nodes, p0 and p2 on the first.
        var plan = new ClusterPlan(3, []) { Explicit = [[0, 2], [1]] };
        var machine = new ClusterMachine(3, plan, Settings.Load(), null);
        var formed = machine.FormedAfter;
        Assert.Equal([[0, 2], [1]], machine.LocalNodes.Select(n => n.Hosted));
        var nodes = machine.LocalNodes.Select(n => (n.Pid, n.Address!.Port!.Value)).ToList();
        var driverPort = machine.Address.Port!.Value;
        var pid = machine.Spawn(2, new Credentials(1000, 1000), LibraryMode.Libxpmem);
        Assert.NotNull(pid);
        Assert.True(machine.Settle(), "a fresh machine settles");
        clock.Restart();
        machine.Dispose();
        output.WriteLine($"2 nodes formed in {formed.TotalMilliseconds:F0} ms; "
            + $"disposed in {clock.Elapsed.TotalMilliseconds:F0} ms");

        foreach (var (node, port) in nodes)
        {
            Assert.True(Gone(node), $"node process {node} still runs");
            Assert.True(Bindable(port), $"node port {port} still bound");
        }
        Assert.True(Bindable(driverPort), $"driver port {driverPort} still bound");
    }

    [Fact]
    public void Cluster_machine_must_end_a_wait_at_once_when_a_node_dies_on_its_own()
    {
        using var machine = new ClusterMachine(2, new ClusterPlan(2, []), Settings.Load(), null);
        var user = machine.Spawn(1, new Credentials(1000, 1000), LibraryMode.Libxpmem);
        Assert.NotNull(user);
        var node = machine.LocalNodes.Single(n => n.Hosted.Contains(1));
        // Not a crash the scenario asked for: the process dies under the driver's feet.
        using (var process = Process.GetProcessById(node.Pid)) process.Kill();
        Assert.True(WaitFor(() => Gone(node.Pid) ? (object)true : null, ExitTimeout,
            "the node to die") is true);

        var clock = Stopwatch.StartNew();
        machine.Start(user.Value, new MmapCall(0x10000, Xpmem.PageSize));
        var replied = machine.TryNextReply(machine.ReplyTimeLimit, out _);

        Assert.False(replied, "a reply from a dead node");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10),
            $"the wait took {clock.Elapsed}, not cut short by the lost node");
        Assert.Contains(machine.Monitor.Failures, f => f.Contains("ended on its own"));
        Assert.False(machine.Settle(), "a machine with a lost node does not settle");
    }

    [Fact]
    public void Cluster_run_interrupted_with_ctrl_c_must_leave_no_node_behind()
    {
        var folder = Directory.CreateTempSubdirectory("xpmem-ctrl-c");
        var file = Path.Combine(folder.FullName, "long.hocon");
        File.WriteAllText(file, """
            partitions = 2
            processes {
              a { partition = 0 }
              b { partition = 1 }
            }
            steps = [ "a: mmap 0x10000 1p", "wait 120s" ]
            """);
        using var driver = Start("run", file, "--mode", "cluster", "--nodes", "2");
        try
        {
            var nodes = WaitFor(() => NodeChildren(driver.Id) is { Count: 2 } found ? found : null,
                TimeSpan.FromSeconds(60), "the driver's two node processes");
            // The run is under way once both nodes are wired and the wait step runs: give the
            // driver time to reach it, then interrupt it as a terminal's Ctrl-C would.
            Thread.Sleep(TimeSpan.FromSeconds(2));
            Assert.Equal(0, SendSignal(driver.Id, Sigint));

            Assert.True(driver.WaitForExit(ExitTimeout), "the driver did not end on SIGINT");
            foreach (var node in nodes)
            {
                Assert.True(WaitFor(() => Gone(node) ? (object)true : null, ExitTimeout,
                    $"node {node} to exit") is true, $"node process {node} outlived its driver");
            }
        }
        finally
        {
            if (!driver.HasExited) driver.Kill(entireProcessTree: true);
            folder.Delete(recursive: true);
        }
    }

    private static string Describe(RunResult result) => result.Failure
        ?? string.Join("; ",
            result.Checks.Where(c => !c.Held).Select(c => $"{c.Name}: {c.Detail}"));

    /// <summary>
    /// No node process of this test process runs any more; each one left is named with its
    /// command line (its --of and --seed-nodes tell whose run it was).
    /// </summary>
    private static void AssertNoNodeLeft()
    {
        var left = NodeChildren();
        Assert.True(left.Count == 0, "node processes left: " + string.Join("; ", left.Select(
            pid => $"{pid}: {CommandLine(pid)}")));
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return "(gone since)";
        }
    }

    /// <summary>The running node processes whose parent is <paramref name="parent"/> (this
    /// process by default), from /proc.</summary>
    private static List<int> NodeChildren(int? parent = null)
    {
        var of = parent ?? Environment.ProcessId;
        var children = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // pid (comm) state ppid ...: comm may hold spaces, so read after its ')'.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[0] == "Z" || int.Parse(fields[1]) != of) continue;
                var command = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                if (command.Contains("node") && command.Contains("--until-stdin-closes"))
                    children.Add(pid);
            }
            catch (IOException)
            {
                // It ended while we looked.
            }
        }
        return children;
    }

    private static bool Gone(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    private static bool Bindable(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static T WaitFor<T>(Func<T?> probe, TimeSpan timeout, string what) where T : class
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (probe() is { } found) return found;
            Thread.Sleep(50);
        }
        throw new TimeoutException($"no {what} within {timeout}");
    }

    /// <summary>Starts <c>xpmem-emu</c> (the Host's dll beside the tests) with
    /// <paramref name="arguments"/>.</summary>
    private static Process Start(params string[] arguments)
    {
        var (program, prefix) = ThisProgram.Command();
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var word in (string[])[.. prefix, .. arguments]) start.ArgumentList.Add(word);
        var process = Process.Start(start) ?? throw new InvalidOperationException("no driver");
        // Drained, so a full pipe never blocks it.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private const int Sigint = 2;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
