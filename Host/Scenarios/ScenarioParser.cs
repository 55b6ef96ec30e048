namespace Emulator.Host.Scenarios;

// Placeholder until the parser branch lands.
public static class ScenarioParser
{
    public static Scenario ParseFile(string path) => throw new ScenarioException(new SourceLocation(path, 1, 1), "no parser yet");
}

public sealed class ScenarioException(SourceLocation location, string message) : Exception($"{location}: {message}")
{
    public SourceLocation Location { get; } = location;
}
