using Akka.Configuration;
using Emulator.Host.Cli;
using Emulator.Host.Scenarios;

namespace Emulator.Host.Explore;

/// <summary>
/// A scenario file made ready to run as <c>run</c> would run it: parsed, with its
/// <c>--faults</c> as first steps and its <c>--set</c> overrides over akka.hocon, and the sha256
/// of its text, which a schedule names it by. <see cref="Path"/> is the full path;
/// <see cref="Name"/> the path as the user gave it to <c>explore</c>, which the run's messages and
/// trace show, so a replay from another directory writes the same bytes.
/// </summary>
public sealed record PreparedScenario(string Path, string Name, string Sha256, Scenario Scenario,
    Config AkkaConfig)
{
    /// <summary>The file ready to run, named <paramref name="name"/> (default: as given); null,
    /// with <paramref name="error"/> (file, line, what is wrong), when it, a fault or an override
    /// cannot be.</summary>
    public static PreparedScenario? Of(string path, IReadOnlyList<string> faults,
        IReadOnlyList<string> overrides, out string error, string? name = null)
    {
        Scenario scenario;
        string sha256;
        try
        {
            var text = ScenarioFileReader.Read(path);
            scenario = ScenarioParser.Parse(text, name ?? path);
            sha256 = ScheduleFile.Sha256(text);
        }
        catch (ScenarioException bad)
        {
            error = bad.Message;
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"{path}: cannot read it: {e.Message}";
            return null;
        }
        if (faults.Count > 0)
        {
            if (FaultsOption.Apply(scenario, faults, out var refused) is not { } faulty)
            {
                error = $"{path}: {refused}";
                return null;
            }
            scenario = faulty;
        }
        if (!SetOption.TryParse(overrides, out var hocon, out error)) return null;
        var config = overrides.Count > 0
            ? ConfigurationFactory.ParseString(hocon).WithFallback(Settings.Defaults)
            : Settings.Load();
        return new PreparedScenario(System.IO.Path.GetFullPath(path), name ?? path, sha256,
            scenario, config);
    }
}
