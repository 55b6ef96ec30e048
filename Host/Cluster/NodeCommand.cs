using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Runtime.InteropServices;
using Akka.Actor;
using Emulator.Host.Cli;

namespace Emulator.Host.Cluster;

/// <summary>What <c>xpmem-emu node</c> is asked to do once its command line parsed.</summary>
public sealed record NodeRequest(int Partitions, IReadOnlyList<int> Hosted,
    IReadOnlyList<Address> SeedNodes, string Hostname, int Port, bool UntilStdinCloses = false,
    int Incarnation = 1, int? FirstPid = null, IReadOnlyList<string>? Overrides = null);

/// <summary>
/// <c>xpmem-emu node --partitions 2,3 --of N [--seed-nodes HOST:PORT,...] [--port P]
/// [--host H]</c>: one member of a cluster run as its own OS process (issue 7). It hosts the
/// partitions it is given, prints one line with its bound address (what another node or a
/// driver passes as a seed), and runs until SIGTERM or SIGINT (or, with
/// <c>--until-stdin-closes</c>, the end of its stdin), when it leaves the cluster and exits 0, or
/// until its system stops on its own (the cluster downed it), exit 1.
/// </summary>
public static class NodeCommand
{
    /// <summary>How long the node keeps trying to find every partition before it gives up
    /// wiring (it still runs: the partitions it hosts answer whoever reaches them).</summary>
    private static readonly TimeSpan WireTimeout = TimeSpan.FromMinutes(10);

    /// <summary>How long a system that stopped waits for the signal that may have stopped it
    /// (signal handlers run on another thread).</summary>
    private static readonly TimeSpan SignalGrace = TimeSpan.FromMilliseconds(200);

    public static Command CommandLine(CliConsole console)
    {
        var partitions = new Option<IReadOnlyList<int>>("--partitions")
        {
            HelpName = "LIST",
            Description = "The partitions this node hosts, by number, comma separated (2,3)",
            Required = true,
            CustomParser = ParsePartitions,
        };
        var of = new Option<int>("--of")
        {
            HelpName = "N",
            Description = "How many partitions the whole machine has (every node says the same)",
            Required = true,
            CustomParser = ParseCount,
        };
        var seeds = ClusterOptions.SeedNodes("Members to join, as HOST:PORT (or the "
            + "akka.tcp://xpmem@HOST:PORT a node prints); none: this node founds the cluster");
        var port = ClusterOptions.Port("The TCP port to listen on (default 0: a free port the OS "
            + "chooses; the printed line tells which)");
        var host = ClusterOptions.Host("The address to listen on and to be reached at (default "
            + "127.0.0.1; another host's nodes need one they can reach)");
        var untilStdinCloses = new Option<bool>("--until-stdin-closes")
        {
            Description = "Also leave and exit 0 when standard input closes (how the nodes a "
                + "driver starts end with it, however it ends)",
        };
        var incarnation = new Option<int>("--incarnation")
        {
            HelpName = "K",
            Description = "Boot the partitions as their K-th incarnation (default 1; above 1: "
                + "they restart, on this new node, after their last node died): ids of the last "
                + "incarnation are refused",
            DefaultValueFactory = _ => 1,
            CustomParser = result => ParsePositive(result, "--incarnation"),
        };
        var firstPid = new Option<int?>("--first-pid")
        {
            HelpName = "PID",
            Description = "Number the partitions' processes from PID (with --incarnation: above "
                + "every pid the last incarnation gave, so no old id names a new process)",
            CustomParser = result => ParsePositive(result, "--first-pid"),
        };
        var overrides = new Option<string[]>("--set")
        {
            HelpName = "KEY=VALUE",
            Description = "Override a setting of akka.hocon's xpmem-emulator section "
                + "(repeatable), as run --set does; every node of a machine should say the same",
            Arity = ArgumentArity.ZeroOrMore,
            DefaultValueFactory = _ => [],
        };
        var node = new Command("node", "Run one cluster member hosting some partitions, until "
            + "SIGTERM or Ctrl-C (it leaves the cluster, exit 0) or the cluster removes it "
            + "(exit 1); 2: bad input")
        {
            partitions, of, seeds, port, host, untilStdinCloses, incarnation, firstPid, overrides,
        };
        node.Validators.Add(result =>
        {
            // From the words, not GetValue: a value that failed its own parse throws there, and
            // its error is already told.
            var ofWords = result.GetResult(of)?.Tokens;
            var partitionWords = result.GetResult(partitions)?.Tokens;
            if (ofWords is not [.., var ofWord] || partitionWords is not [.., var partitionWord]
                || !TryParseCount(ofWord.Value, out var count)
                || !TryParsePartitions(partitionWord.Value, out var hosted, out _))
            {
                return;
            }
            foreach (var p in hosted.Where(p => p >= count))
            {
                result.AddError($"--partitions: partition {p} is not one of the machine's "
                    + $"{count} (0 to {count - 1}, from --of {count})");
            }
        });
        node.SetAction(parsed => Execute(new NodeRequest(parsed.GetValue(of),
            parsed.GetValue(partitions) ?? [], parsed.GetValue(seeds) ?? [],
            parsed.GetValue(host) ?? "127.0.0.1", parsed.GetValue(port),
            parsed.GetValue(untilStdinCloses), parsed.GetValue(incarnation),
            parsed.GetValue(firstPid), parsed.GetValue(overrides)), console));
        return node;
    }

    /// <summary>
    /// Starts the node, tells its address, wires the machine in the background and waits for a
    /// signal or the end of its system.
    /// </summary>
    public static int Execute(NodeRequest request, CliConsole console)
    {
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Registered before the node starts, so a signal at any moment ends in a leave; the
        // default action (killing the process) is cancelled for the same reason.
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        if (request.UntilStdinCloses) WatchStdin(stop);
        if (!SetOption.TryParse(request.Overrides ?? [], out var overrides, out var refusal))
        {
            console.Diagnostic($"bad input: {refusal}");
            return ExitCodes.BadInput;
        }
        ClusterNode started;
        try
        {
            started = ClusterNode.Start(new(request.Partitions, request.Hosted,
                request.SeedNodes, request.Hostname, request.Port, request.Incarnation,
                request.FirstPid), Settings.Load(overrides.Length > 0 ? overrides : null));
        }
        catch (ClusterStartException e)
        {
            console.Diagnostic($"bad input: {e.Message}");
            return ExitCodes.BadInput;
        }
        using var node = started;
        var hosted = string.Join(",", request.Hosted.Select(p => $"p{p}"));
        // One plain line on stdout, flushed: a script or a test reads the bound port from it.
        console.OutWriter.WriteLine($"node {node.Address} hosts {hosted}");
        console.OutWriter.Flush();
        _ = WireAsync(node, console);

        Task.WaitAny(stop.Task, node.System.WhenTerminated);
        // Akka's own CLR hook may run the coordinated shutdown (a leave) on the same signal,
        // and win the race: a signal seen at all is the user's stop, however the system ended.
        if (stop.Task.Wait(SignalGrace)) return ExitCodes.Held;
        var reason = CoordinatedShutdown.Get(node.System).ShutdownReason;
        console.Diagnostic($"node {node.Address}: its actor system stopped without a signal "
            + $"({reason?.GetType().Name ?? "no reason given"}: the cluster removed this node, "
            + "or it could not join)");
        return ExitCodes.NodeRemoved;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }
    }

    /// <summary>
    /// Ends the node when standard input reaches its end: the driver that started it closed the
    /// pipe, or died (the OS closes it then), so its nodes never outlive it.
    /// </summary>
    private static void WatchStdin(TaskCompletionSource stop)
    {
        var thread = new Thread(() =>
        {
            using var input = Console.OpenStandardInput();
            var buffer = new byte[256];
            try
            {
                while (input.Read(buffer) > 0)
                {
                    // Whatever comes is ignored: only the end matters.
                }
            }
            catch (IOException)
            {
                // A broken pipe is an end too.
            }
            stop.TrySetResult();
        })
        { IsBackground = true, Name = "stdin watch" };
        thread.Start();
    }

    /// <summary>
    /// Wires the partitions hosted elsewhere once every one is on an Up member; said on stderr,
    /// so stdout keeps its one line.
    /// </summary>
    private static async Task WireAsync(ClusterNode node, CliConsole console)
    {
        try
        {
            if (!await node.WaitForPartitionsAsync(WireTimeout)) return;
            var unwired = await node.WireAsync(WireTimeout);
            console.ErrorWriter.WriteLine(unwired.Count == 0
                ? $"node {node.Address}: every partition wired"
                : $"node {node.Address}: partitions {string.Join(",", unwired)} not found");
            console.ErrorWriter.Flush();
        }
        catch (Exception) when (node.System.WhenTerminated.IsCompleted)
        {
            // The node stopped while wiring (a signal or a removal): nothing is left to wire.
        }
    }

    private static IReadOnlyList<int> ParsePartitions(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (TryParsePartitions(text, out var hosted, out var error)) return hosted;
        result.AddError($"--partitions '{UserText.Safe(text)}': {error}");
        return [];
    }

    private static bool TryParsePartitions(string text, out List<int> hosted, out string error)
    {
        hosted = [];
        error = "";
        foreach (var word in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(word, NumberStyles.None, CultureInfo.InvariantCulture, out var p))
            {
                error = $"'{UserText.Safe(word)}' is not a partition number; LIST is numbers "
                    + "from 0, comma separated (2,3)";
                return false;
            }
            if (hosted.Contains(p))
            {
                error = $"partition {p} twice";
                return false;
            }
            hosted.Add(p);
        }
        return true;
    }

    private static int ParsePositive(ArgumentResult result, string option)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (TryParseCount(text, out var value)) return value;
        result.AddError($"{option} '{UserText.Safe(text)}' is not a number of 1 or more");
        return 1;
    }

    private static int ParseCount(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (TryParseCount(text, out var count)) return count;
        result.AddError($"--of '{UserText.Safe(text)}' is not a partition count (1 or more)");
        return 1;
    }

    private static bool TryParseCount(string text, out int count) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out count)
        && count > 0;
}
