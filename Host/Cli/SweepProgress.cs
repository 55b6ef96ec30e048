using Spectre.Console;
using Spectre.Console.Rendering;

namespace Emulator.Host.Cli;

/// <summary>
/// The progress bar of a sweep on a terminal: the file running, done/total, runs per second,
/// elapsed and remaining time. Without a bar (redirected output, --quiet) the body just runs.
/// </summary>
public static class SweepProgress
{
    /// <summary>
    /// Runs <paramref name="body"/>, handing it a callback to call after each run with the name
    /// of the file that ran (plain text).
    /// </summary>
    public static void Run(IAnsiConsole console, bool bar, long total, Action<Action<string>> body)
    {
        if (!bar)
        {
            body(_ => { });
            return;
        }
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(),
                new PercentageColumn(), new CountColumn(), new RunsPerSecondColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("runs", maxValue: Math.Max(1, total));
                body(file =>
                {
                    task.Description = Markup.Escape(UserText.Safe(file));
                    task.Increment(1);
                });
                task.StopTask();
            });
    }

    /// <summary>Runs done of the total.</summary>
    private sealed class CountColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task,
            TimeSpan deltaTime) => new Text($"{task.Value:0}/{task.MaxValue:0}");
    }

    /// <summary>Runs per second over the last seconds, as the bar measures them.</summary>
    private sealed class RunsPerSecondColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task,
            TimeSpan deltaTime) =>
            new Text(task.Speed is { } speed ? CliConsole.Rate(speed, "runs") : "- runs/s");
    }
}
