namespace Emulator.Host.Scenarios;

/// <summary>
/// A scenario file is bad: it names the file, line and column and says what was wrong and what
/// was expected. The only exception the parser lets out, so the CLI can exit 2 on it alone.
/// </summary>
public sealed class ScenarioException : Exception
{
    public ScenarioException(SourceLocation location, string reason)
        : base($"{location}: {reason}")
    {
        Location = location;
        Reason = reason;
    }

    public SourceLocation Location { get; }

    /// <summary>The message without the location.</summary>
    public string Reason { get; }

    // Users read this line in a terminal or a CI log: the location and the reason, no stack.
    public override string ToString() => Message;
}
