using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Reflection;
using Emulator.Host.Cli;
using Emulator.Host.Cluster;
using Emulator.Host.Explore;
using Emulator.Host.Machines;

namespace Emulator.Host;

/// <summary>
/// The command line:
/// <c>xpmem-emu run FILE... [--mode sim|live|cluster] [--seed N | --seeds SPEC] [--faults LIST]
/// [--set KEY=VALUE]... [--out DIR] [--results FILE] [--junit FILE] [--keep-going] [--quiet]
/// [--nodes N | --seed-nodes HOST:PORT,...] [--host H] [--port P]</c>,
/// <c>xpmem-emu node --partitions LIST --of N [--seed-nodes HOST:PORT,...] [--port P]
/// [--host HOST]</c> (one cluster member, <see cref="Cluster.NodeCommand"/>),
/// <c>xpmem-emu explore FILE [--schedules N] [--strategy random|pct|round-robin] [--depth D]
/// [--seed S] [--workers W] [--time-limit T] [--timers idle|due|race] [--faults LIST]
/// [--inject LIST] [--set KEY=VALUE]... [--out DIR] [--no-shrink]</c>
/// (<see cref="ExploreCommand"/>),
/// <c>xpmem-emu replay PATH [--out DIR]</c> (<see cref="ReplayCommand"/>),
/// <c>xpmem-emu generate altix ...</c> and <c>xpmem-emu bench ...</c>
/// (<see cref="Bench.BenchCommand"/>),
/// <c>xpmem-emu help [COMMAND]</c>,
/// <c>xpmem-emu version</c>. Exit codes: see <see cref="ExitCodes"/>.
/// </summary>
public static class Program
{
    private const string Usage =
        "usage: xpmem-emu run FILE... [--mode sim|live|cluster] [--seed N | --seeds SPEC] "
        + "[--faults LIST] [--set KEY=VALUE]... [--out DIR]\n"
        + "                      [--results FILE] [--junit FILE] [--keep-going] [--quiet]\n"
        + "                      [--nodes N | --seed-nodes HOST:PORT,...] [--host H] [--port P]\n"
        + "       xpmem-emu node --partitions LIST --of N [--seed-nodes HOST:PORT,...] "
        + "[--port P] [--host HOST]\n"
        + "       xpmem-emu explore FILE [--schedules N] [--strategy random|pct|round-robin] "
        + "[--depth D] [--seed S]\n"
        + "                      [--workers W] [--time-limit T] [--timers idle|due|race] "
        + "[--faults LIST]\n"
        + "                      [--inject LIST] [--set KEY=VALUE]... [--out DIR] [--no-shrink]\n"
        + "       xpmem-emu replay PATH [--out DIR]\n"
        + "       xpmem-emu generate altix [--partitions P] [--processes N] [--pages S] "
        + "[--out FILE]\n"
        + "       xpmem-emu bench [--quick] [--altix N] [--remote] [--json FILE]\n"
        + "       xpmem-emu bench ladder [--processes LIST] [--json FILE]\n"
        + "       xpmem-emu help [COMMAND] | version    (xpmem-emu COMMAND --help explains "
        + "each option)";

    /// <summary>The program's informational version (version+commit).</summary>
    public static string Version { get; } =
        typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()
            ?.InformationalVersion ?? typeof(Program).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    public static int Main(string[] args)
    {
        Warmup.Start();
        return Run(args, CliConsole.Standard());
    }

    /// <summary>
    /// Runs the command line <paramref name="args"/>, writing to <paramref name="console"/>.
    /// Never throws: an unexpected exception is a bug, reported on stderr with exit 3.
    /// </summary>
    public static int Run(IReadOnlyList<string> args, CliConsole console)
    {
        try
        {
            return Dispatch(args, console);
        }
        catch (Exception bug)
        {
            return ReportBug(console, bug);
        }
    }

    /// <summary>A bug: what happened and the stack trace on stderr, exit 3.</summary>
    internal static int ReportBug(CliConsole console, Exception bug)
    {
        try
        {
            console.ErrorWriter.WriteLine(
                "xpmem-emu: internal error: an unexpected exception, which is a bug in xpmem-emu "
                + "(not in your scenario); please report it with this output:");
            console.ErrorWriter.WriteLine(bug.ToString());
            console.ErrorWriter.Flush();
        }
        catch (IOException)
        {
            // stderr is gone too: the exit code still says it.
        }
        return ExitCodes.Bug;
    }

    private static int Dispatch(IReadOnlyList<string> args, CliConsole console)
    {
        var root = Commands(console);
        var parsed = root.Parse(args);
        var errors = UnknownOptions(parsed).Concat(parsed.Errors.Select(e => e.Message)).ToList();
        if (errors.Count > 0)
        {
            // A malformed command line is bad input, like a malformed scenario: exit 2.
            foreach (var error in errors) console.Diagnostic(UserText.Safe(error));
            console.ErrorWriter.WriteLine(Usage);
            return ExitCodes.BadInput;
        }
        return parsed.Invoke(Invocation(console));
    }

    private static InvocationConfiguration Invocation(CliConsole console) => new()
    {
        Output = console.OutWriter,
        Error = console.ErrorWriter,
        // An exception must reach Run, which gives it its own exit code.
        EnableDefaultExceptionHandler = false,
    };

    private static RootCommand Commands(CliConsole console)
    {
        var run = RunCommandLine(console);
        var node = Cluster.NodeCommand.CommandLine(console);
        var explore = ExploreCommand.CommandLine(console);
        var replay = ReplayCommand.CommandLine(console);
        var generate = Bench.GenerateCommand.CommandLine(console);
        var bench = Bench.BenchCommand.CommandLine(console);
        var version = new Command("version", "Show the version (as --version does)");
        version.SetAction(parsed => new PrintVersion(console).Invoke(parsed));
        var topic = new Argument<string[]>("COMMAND")
        {
            Description = "The command to explain (run, node, explore, replay, generate, bench, "
                + "help, version)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var help = new Command("help", "Show help, for the program or for one command")
        {
            topic,
        };
        var root = new RootCommand("An actor-based XPMEM partition emulator")
        {
            run, node, explore, replay, generate, bench, version, help,
        };
        // --version prints the entry assembly's version, which is not ours when a test host runs
        // the program: print the program's own, like the version command.
        foreach (var option in root.Options.OfType<VersionOption>())
        {
            option.Action = new PrintVersion(console);
        }
        help.SetAction(parsed =>
        {
            var words = parsed.GetValue(topic) ?? [];
            if (words.Length > 0 && root.Subcommands.All(c => c.Name != words[0]))
            {
                console.Diagnostic($"help: unknown command '{UserText.Safe(words[0])}' "
                    + "(the commands are run, node, explore, replay, generate, bench, help and "
                    + "version)");
                console.ErrorWriter.WriteLine(Usage);
                return ExitCodes.BadInput;
            }
            return root.Parse([.. words, "--help"]).Invoke(Invocation(console));
        });
        return root;
    }

    private sealed class PrintVersion(CliConsole console) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            console.OutWriter.WriteLine(Version);
            return ExitCodes.Held;
        }
    }

    private static Command RunCommandLine(CliConsole console)
    {
        var files = new Argument<string[]>("FILE")
        {
            Description = "Scenario files (HOCON, language version 1)",
            Arity = ArgumentArity.OneOrMore,
        };
        var mode = new Option<RunMode>("--mode")
        {
            HelpName = "sim|live|cluster",
            Description = "What runs the machine. sim (default): one seeded scheduler decides "
                + "every delivery, timer and interleaving on a virtual clock; the same seed gives "
                + "the same run. live: Akka's dispatchers on real threads, real timers, the wall "
                + "clock (wait and delay take real time); parallel branches really run at once. "
                + "Live runs are not reproducible: the seed then decides only the link faults "
                + "(drop, duplicate, delay), and is reported. cluster: as live, with the "
                + "partitions on Akka.Cluster nodes, each its own OS process (--nodes, "
                + "--seed-nodes); XPC crosses nodes over the network",
            DefaultValueFactory = _ => RunMode.Sim,
            CustomParser = ParseMode,
        };
        var seed = new Option<int?>("--seed")
        {
            HelpName = "N",
            Description = "Run each file once under seed N (wins over a file's own seed = N; "
                + $"default: the file's seed, or 1); {SeedSpec.SeedIs}",
            CustomParser = ParseSeed,
        };
        var seeds = new Option<SeedSpec?>("--seeds")
        {
            HelpName = "SPEC",
            Description = "Sweep: run every file under every seed of SPEC, in one process: "
                + $"{SeedSpec.Forms}",
            CustomParser = ParseSeeds,
        };
        var output = new Option<string?>("--out")
        {
            HelpName = "DIR",
            Description = "Write traces here: DIR/trace.jsonl (one file) or DIR/NAME/trace.jsonl; "
                + "in a sweep, only failing runs', in DIR/NAME/seed-N/trace.jsonl",
        };
        var results = new Option<string?>("--results")
        {
            HelpName = "FILE",
            Description = "Write a JSON summary: per file and seed, the verdict, the figures, "
                + "what failed and the command that reproduces it",
        };
        var junit = new Option<string?>("--junit")
        {
            HelpName = "FILE",
            Description = "Write JUnit XML for CI: one testcase per file and seed",
        };
        var faults = new Option<IReadOnlyList<string>>("--faults")
        {
            HelpName = "LIST",
            Description = "Start every run with these link faults, so any scenario runs as a "
                + "chaos scenario unchanged (they change no outcome, only time): "
                + $"{FaultsOption.Forms}; e.g. --faults \"drop 30%, duplicate 30%, delay "
                + "10us..2ms\"",
            DefaultValueFactory = _ => [],
            CustomParser = FaultsOption.Parse,
        };
        var overrides = new Option<string[]>("--set")
        {
            HelpName = "KEY=VALUE",
            Description = "Override a setting of akka.hocon's xpmem-emulator section for these "
                + "runs (repeatable): --set request-timeout=5s --set xpc.heartbeat-interval=20ms; "
                + "an unknown key or a value the emulator cannot read is bad input",
            Arity = ArgumentArity.ZeroOrMore,
            DefaultValueFactory = _ => [],
        };
        var keepGoing = new Option<bool>("--keep-going")
        {
            Description = "In a sweep, keep running after a failure (default: stop at the first)",
        };
        var quiet = new Option<bool>("--quiet")
        {
            Description = "Print only the failures (each with the command that reproduces it) "
                + "and the closing line: no tables, no per-file lines, no progress bar",
        };
        var nodes = ClusterOptions.Nodes("With --mode cluster: start N local node processes on "
            + "127.0.0.1 (free ports), partitions placed round-robin (default "
            + $"{ClusterOptions.DefaultNodes}; never more nodes than partitions)");
        var seedNodes = ClusterOptions.SeedNodes("With --mode cluster: drive the running "
            + "cluster these members belong to (started with xpmem-emu node) instead of "
            + "starting nodes; this process joins it, hosting no partition, then leaves");
        var host = ClusterOptions.Host("With --mode cluster: the address this driver listens on "
            + "and is reached at (default 127.0.0.1; the nodes must reach it)");
        var port = ClusterOptions.Port("With --mode cluster: the driver's TCP port (default 0: "
            + "a free port)");
        var run = new Command("run", "Run scenarios, in sim mode (one seeded scheduler, virtual "
            + "time) unless --mode live; exit 0: every run held, 1: a step or checker failed, "
            + "2: bad input, 3: a bug in xpmem-emu")
        {
            files, mode, seed, seeds, faults, overrides, output, results, junit, keepGoing, quiet,
            nodes, seedNodes, host, port,
        };
        run.Validators.Add(result =>
        {
            if (result.GetResult(seed) is not null && result.GetResult(seeds) is not null)
            {
                result.AddError("--seed and --seeds cannot go together: --seed N runs one seed, "
                    + "--seeds SPEC a sweep (--seeds N runs one seed too)");
            }
            var clusterOnly = new Option[] { nodes, seedNodes, host, port }
                .Where(option => result.GetResult(option) is { Implicit: false });
            var modeWord = result.GetResult(mode)?.Tokens is [.., var last] ? last.Value : "sim";
            foreach (var option in clusterOnly.Where(_ => modeWord != "cluster"))
                result.AddError($"{option.Name} goes with --mode cluster only");
            if (result.GetResult(nodes) is { Implicit: false }
                && result.GetResult(seedNodes) is { Implicit: false })
            {
                result.AddError("--nodes and --seed-nodes cannot go together: --nodes N starts "
                    + "local nodes, --seed-nodes drives a running cluster");
            }
        });
        run.SetAction(parsed => RunCommand.Execute(new RunRequest(parsed.GetValue(files) ?? [])
        {
            Seed = parsed.GetValue(seed),
            Seeds = parsed.GetValue(seeds),
            Out = parsed.GetValue(output),
            Results = parsed.GetValue(results),
            JUnit = parsed.GetValue(junit),
            KeepGoing = parsed.GetValue(keepGoing),
            Quiet = parsed.GetValue(quiet),
            Mode = parsed.GetValue(mode),
            Faults = parsed.GetValue(faults) ?? [],
            Cluster = new ClusterPlan(parsed.GetValue(nodes), parsed.GetValue(seedNodes) ?? [],
                parsed.GetValue(host) ?? "127.0.0.1", parsed.GetValue(port)),
            Overrides = parsed.GetValue(overrides) ?? [],
        }, console));
        return run;
    }

    /// <summary>A <c>--seed</c> option's value (run and explore), or the error it is.</summary>
    internal static int? ParseSeed(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture,
            out var seed))
        {
            return seed;
        }
        result.AddError($"--seed '{UserText.Safe(text)}' is not a seed: {SeedSpec.SeedIs}");
        return null;
    }

    private static RunMode ParseMode(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        switch (text)
        {
            case "sim":
                return RunMode.Sim;
            case "live":
                return RunMode.Live;
            case "cluster":
                return RunMode.Cluster;
            default:
                result.AddError($"--mode '{UserText.Safe(text)}' is not a run mode: sim (the "
                    + "default: seeded, reproducible), live (real threads and time) or cluster "
                    + "(partitions on node processes)");
                return RunMode.Sim;
        }
    }

    private static SeedSpec? ParseSeeds(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (SeedSpec.TryParse(text, out var spec, out var error)) return spec;
        result.AddError($"--seeds '{UserText.Safe(text)}': {error}; SPEC is {SeedSpec.Forms}");
        return null;
    }

    /// <summary>
    /// Words that start with '-' where a FILE goes: System.CommandLine takes them as files, but
    /// a user meant an option that does not exist. A file whose name starts with '-' can still
    /// be run after <c>--</c> or as <c>./-name</c>.
    /// </summary>
    private static IEnumerable<string> UnknownOptions(ParseResult parsed)
    {
        var doubleDash = parsed.Tokens.FirstOrDefault(t => t.Type == TokenType.DoubleDash);
        var afterDoubleDash = parsed.Tokens
            .SkipWhile(t => doubleDash is null || !ReferenceEquals(t, doubleDash))
            .Where(_ => doubleDash is not null)
            .ToHashSet(ReferenceEqualityComparer.Instance);
        var arguments = parsed.CommandResult.Children.OfType<ArgumentResult>()
            .SelectMany(a => a.Tokens);
        return arguments
            .Where(t => t.Value.Length > 1 && t.Value.StartsWith('-')
                && !afterDoubleDash.Contains(t))
            .Select(t => $"unknown option '{t.Value}' (a file whose name starts with '-' goes "
                + "after -- or as ./NAME)");
    }
}
