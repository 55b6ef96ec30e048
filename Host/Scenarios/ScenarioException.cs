namespace Emulator.Host.Scenarios;

/// <summary>
/// One thing wrong in a scenario file: where it is and what is wrong, with what was expected.
/// The reason is kept as a message shows it: control characters escaped, length bounded.
/// </summary>
public sealed record ScenarioError(SourceLocation Location, string Reason)
{
    public string Reason { get; } = MessageText.Reason(Reason);

    /// <summary>
    /// <c>FILE:LINE:COLUMN: reason</c>, or <c>FILE: reason</c> for the whole file.
    /// </summary>
    public override string ToString() => $"{MessageText.Escape(Location.ToString())}: {Reason}";
}

/// <summary>
/// A scenario file is bad: every error the parser found in it (up to
/// <see cref="ScenarioParser.ErrorsMax"/>), in file order, each naming the file, line and column
/// and saying what was wrong and what was expected. The only exception the parser lets out, so
/// the CLI can exit 2 on it alone.
/// </summary>
public sealed class ScenarioException : Exception
{
    /// <summary>A file with one error.</summary>
    public ScenarioException(SourceLocation location, string reason)
        : this([new ScenarioError(location, reason)])
    {
    }

    /// <summary>
    /// A file with these errors (at least one), put in file order; <paramref name="stoppedEarly"/>
    /// says the parser stopped looking at the bound and the file may hold more.
    /// </summary>
    public ScenarioException(IEnumerable<ScenarioError> errors, bool stoppedEarly = false)
        : this(InFileOrder(errors), stoppedEarly)
    {
    }

    private ScenarioException(IReadOnlyList<ScenarioError> errors, bool stoppedEarly)
        : base(Compose(errors, stoppedEarly))
    {
        Errors = errors;
        StoppedEarly = stoppedEarly;
    }

    /// <summary>Every error found, in file order (by line, then column); never empty.</summary>
    public IReadOnlyList<ScenarioError> Errors { get; }

    /// <summary>True when the parser stopped at the bound: fixing these may reveal more.</summary>
    public bool StoppedEarly { get; }

    /// <summary>Where the first error (in file order) is.</summary>
    public SourceLocation Location => Errors[0].Location;

    /// <summary>The first error's message without its location.</summary>
    public string Reason => Errors[0].Reason;

    // Users read this in a terminal or a CI log: the errors, one per line, no stack.
    public override string ToString() => Message;

    private static List<ScenarioError> InFileOrder(IEnumerable<ScenarioError> errors)
    {
        var ordered = errors.Distinct()
            .OrderBy(e => e.Location.Line)
            .ThenBy(e => e.Location.Column)
            .ToList();
        return ordered.Count > 0
            ? ordered
            : throw new ArgumentException("a bad scenario has at least one error", nameof(errors));
    }

    private static string Compose(IReadOnlyList<ScenarioError> errors, bool stoppedEarly)
    {
        var lines = errors.Select(e => e.ToString());
        return string.Join("\n", stoppedEarly
            ? lines.Append($"stopping after {errors.Count} errors; fix these to see the rest")
            : lines);
    }
}
