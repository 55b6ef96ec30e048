using Akka.Configuration;
using Emulator.Host.Scenarios;
using Emulator.Partitions;

namespace Emulator.Host.Cli;

/// <summary>
/// <c>--set KEY=VALUE</c> (repeatable): overrides one key of the emulator's section of akka.hocon
/// (<c>xpmem-emulator</c>) for the runs of this command: <c>--set request-timeout=5s</c>,
/// <c>--set xpc.heartbeat-interval=20ms</c> (the section's name may be given too). The key must
/// be one the section has, a value and not a block; the value is read as the key's default is
/// (a duration, a number, a size), and one the emulator cannot read is refused with the key
/// named. Values go in as HOCON strings, so nothing but the value can be injected.
/// </summary>
public static class SetOption
{
    public const string Section = "xpmem-emulator";

    public const string Form = "KEY=VALUE, KEY a setting of akka.hocon's xpmem-emulator section "
        + "(request-timeout, xpc.heartbeat-interval, ...)";

    /// <summary>
    /// The overrides as HOCON text over akka.hocon, or false with <paramref name="error"/>
    /// naming the first that cannot be set.
    /// </summary>
    public static bool TryParse(IReadOnlyList<string> settings, out string hocon, out string error)
    {
        hocon = "";
        error = "";
        var lines = new List<string>();
        var defaults = Settings.Defaults.GetConfig(Section);
        var keys = Leaves(defaults, "").ToList();
        foreach (var setting in settings)
        {
            var equals = setting.IndexOf('=');
            if (equals <= 0)
            {
                error = $"--set '{UserText.Safe(setting)}' is not {Form}";
                return false;
            }
            var key = setting[..equals].Trim();
            if (key.StartsWith(Section + ".", StringComparison.Ordinal))
                key = key[(Section.Length + 1)..];
            if (!keys.Contains(key))
            {
                error = $"--set: no setting '{UserText.Safe(key)}' in akka.hocon's {Section} "
                    + $"section{Suggestions.DidYouMean(key, keys)} (settings: "
                    + $"{string.Join(", ", keys)})";
                return false;
            }
            var value = setting[(equals + 1)..].Trim();
            lines.Add($"{Section}.{key} = \"{Escape(value)}\"");
            var candidate = string.Join("\n", lines);
            try
            {
                EmulatorSettings.Create(Settings.Load(candidate));
            }
            catch (Exception e) when (e is FormatException or ArgumentException
                or ConfigurationException or OverflowException or InvalidOperationException)
            {
                error = $"--set {UserText.Safe(key)}='{UserText.Safe(value)}': not a value the "
                    + $"emulator reads there (its default is "
                    + $"{defaults.GetValue(key)}): {UserText.Safe(e.Message)}";
                return false;
            }
        }
        hocon = string.Join("\n", lines);
        return true;
    }

    /// <summary>Every key of <paramref name="config"/> that holds a value, dotted.</summary>
    private static IEnumerable<string> Leaves(Config config, string prefix)
    {
        foreach (var (name, value) in config.AsEnumerable())
        {
            var key = prefix + name;
            if (value.IsObject()) foreach (var leaf in Leaves(config.GetConfig(name), key + "."))
                yield return leaf;
            else yield return key;
        }
    }

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("\"", "\\\"", StringComparison.Ordinal);
}
