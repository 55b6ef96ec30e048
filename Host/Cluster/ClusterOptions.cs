using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Akka.Actor;
using Emulator.Host.Cli;

namespace Emulator.Host.Cluster;

/// <summary>
/// The command-line options that say where a cluster member is and whom it joins, the same for
/// <c>node</c> and <c>run --mode cluster</c>: <c>--seed-nodes</c>, <c>--host</c>, <c>--port</c>,
/// and <c>run</c>'s <c>--nodes</c>. Each refuses a bad value with the option named.
/// </summary>
public static class ClusterOptions
{
    /// <summary>How many local nodes <c>run --mode cluster</c> starts unless told.</summary>
    public const int DefaultNodes = 3;

    /// <summary>More local node processes than this is a mistake, not a plan.</summary>
    public const int MaxNodes = 64;

    public static Option<IReadOnlyList<Address>> SeedNodes(string description) => new(
        "--seed-nodes")
    {
        HelpName = "HOST:PORT,...",
        Description = description,
        DefaultValueFactory = _ => [],
        CustomParser = ParseSeeds,
    };

    public static Option<int> Port(string description) => new("--port")
    {
        HelpName = "P",
        Description = description,
        DefaultValueFactory = _ => 0,
        CustomParser = ParsePort,
    };

    public static Option<string> Host(string description) => new("--host")
    {
        HelpName = "HOST",
        Description = description,
        DefaultValueFactory = _ => "127.0.0.1",
        CustomParser = ParseHost,
    };

    public static Option<int> Nodes(string description) => new("--nodes")
    {
        HelpName = "N",
        Description = description,
        DefaultValueFactory = _ => DefaultNodes,
        CustomParser = ParseNodes,
    };

    private static int ParseNodes(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var nodes)
            && nodes is > 0 and <= MaxNodes)
        {
            return nodes;
        }
        result.AddError($"--nodes '{UserText.Safe(text)}' is not a node count (1 to {MaxNodes})");
        return DefaultNodes;
    }

    private static int ParsePort(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (TryParsePort(text, out var port)) return port;
        result.AddError($"--port '{UserText.Safe(text)}' is not a TCP port (0 to 65535)");
        return 0;
    }

    private static string ParseHost(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (Uri.CheckHostName(text) != UriHostNameType.Unknown) return text;
        result.AddError($"--host '{UserText.Safe(text)}' is not a host name or IP address");
        return "127.0.0.1";
    }

    private static IReadOnlyList<Address> ParseSeeds(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        var seeds = new List<Address>();
        foreach (var word in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (TryParseSeed(word, out var seed))
            {
                seeds.Add(seed);
                continue;
            }
            result.AddError($"--seed-nodes '{UserText.Safe(text)}': '{UserText.Safe(word)}' is "
                + "not HOST:PORT (or akka.tcp://xpmem@HOST:PORT)");
            return [];
        }
        return seeds;
    }

    /// <summary>HOST:PORT, or the full address a node prints, with a real port (a seed's port
    /// cannot be 0: nobody would know it).</summary>
    private static bool TryParseSeed(string word, out Address seed)
    {
        seed = Address.AllSystems;
        const string prefix = "akka.tcp://" + ClusterNode.SystemName + "@";
        var hostPort = word.StartsWith(prefix, StringComparison.Ordinal)
            ? word[prefix.Length..]
            : word;
        var colon = hostPort.LastIndexOf(':');
        if (colon <= 0) return false;
        var host = hostPort[..colon];
        if (Uri.CheckHostName(host) == UriHostNameType.Unknown) return false;
        if (!TryParsePort(hostPort[(colon + 1)..], out var port) || port == 0) return false;
        seed = new Address("akka.tcp", ClusterNode.SystemName, host, port);
        return true;
    }

    private static bool TryParsePort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port)
        && port <= ushort.MaxValue;
}
