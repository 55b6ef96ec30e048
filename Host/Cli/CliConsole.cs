using System.Globalization;
using Spectre.Console;

namespace Emulator.Host.Cli;

/// <summary>
/// Where the command line writes: results to <see cref="Out"/> (stdout), diagnostics and stack
/// traces to <see cref="Error"/> (stderr). On a terminal, output has colours and wraps at the
/// terminal's width, and a sweep shows a progress bar; redirected to a file or a pipe, it is plain
/// text: no ANSI codes, no bar, and no line is ever wrapped.
/// </summary>
public sealed class CliConsole
{
    public CliConsole(TextWriter output, TextWriter error, bool outputIsTerminal,
        bool errorIsTerminal)
    {
        OutWriter = output;
        ErrorWriter = error;
        OutputIsTerminal = outputIsTerminal;
        ErrorIsTerminal = errorIsTerminal;
        Out = Create(output, outputIsTerminal);
        Error = Create(error, errorIsTerminal);
    }

    /// <summary>
    /// Over consoles made elsewhere (tests: a terminal console writing into a string).
    /// </summary>
    internal CliConsole(IAnsiConsole output, IAnsiConsole error, TextWriter outputWriter,
        TextWriter errorWriter, bool outputIsTerminal)
    {
        Out = output;
        Error = error;
        OutWriter = outputWriter;
        ErrorWriter = errorWriter;
        OutputIsTerminal = outputIsTerminal;
    }

    /// <summary>Results: summaries, verdicts, failures, the progress bar.</summary>
    public IAnsiConsole Out { get; }

    /// <summary>Diagnostics: bad input, stack traces, notes.</summary>
    public IAnsiConsole Error { get; }

    public TextWriter OutWriter { get; }

    public TextWriter ErrorWriter { get; }

    /// <summary>True when stdout is a terminal a person watches (a bar may be drawn).</summary>
    public bool OutputIsTerminal { get; }

    /// <summary>True when stderr is a terminal (an explore's progress line redraws itself).
    /// </summary>
    public bool ErrorIsTerminal { get; }

    /// <summary>The process's own stdout and stderr.</summary>
    public static CliConsole Standard() => new(Console.Out, Console.Error,
        !Console.IsOutputRedirected, !Console.IsErrorRedirected);

    /// <summary>Writes plain text to stdout (no markup), on one line however long.</summary>
    public void Line(string text = "") => Out.Write(new Text(text + "\n"));

    /// <summary>
    /// Writes a failure to stdout two spaces in, line by line (a checker's breach lists the events
    /// that led to it on lines of their own), each line escaped and clipped as user text.
    /// </summary>
    public void Failure(string failure)
    {
        foreach (var line in failure.Split('\n')) Line("  " + UserText.Safe(line));
    }

    /// <summary>Writes <paramref name="markup"/> to stdout.</summary>
    public void Markup(string markup) => Out.MarkupLine(markup);

    /// <summary>Writes a diagnostic line to stderr: <c>xpmem-emu: what</c>.</summary>
    public void Diagnostic(string what) =>
        Error.Write(new Text($"xpmem-emu: {what}\n"));

    /// <summary>"1 run", "2 runs": a count with its noun, singular or plural.</summary>
    public static string Count(long count, string noun) =>
        $"{count} {noun}{(count == 1 ? "" : "s")}";

    /// <summary>
    /// A rate as "N unit/s": whole from 10 up, with a decimal below (a sweep of big scenarios
    /// ran 0.47 runs a second, once printed as 0).
    /// </summary>
    public static string Rate(double perSecond, string unit) =>
        perSecond.ToString(perSecond < 10 ? "0.0#" : "0", CultureInfo.InvariantCulture)
        + $" {unit}/s";

    private static IAnsiConsole Create(TextWriter writer, bool terminal)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        // Redirected output is read by programs and people searching it: a line stays whole.
        if (!terminal) console.Profile.Width = int.MaxValue;
        return console;
    }
}
