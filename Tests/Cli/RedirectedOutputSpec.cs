// Proves what a user sees when xpmem-emu's output goes to a file or another program: the built
// program, started as a process with stdout and stderr redirected, prints a failure longer than
// any terminal on one line (no wrapping at 80 columns), writes no ANSI escape codes, and keeps
// results on stdout and diagnostics on stderr.
using System.Diagnostics;
using Emulator.Host.Cli;
using Xunit;

namespace Emulator.Tests.Cli;

public sealed class RedirectedOutputSpec : IDisposable
{
    private static readonly TimeSpan WallLimit = TimeSpan.FromMinutes(2);

    private readonly CliFixture _files = new();

    [Fact]
    public async Task Program_must_keep_a_long_failure_on_one_line_without_escape_codes()
    {
        var wrong = _files.Write(
            "a-scenario-with-a-name-long-enough-to-push-its-failure-line-past-any-terminal.hocon",
            CliFixture.Wrong);
        var (exit, output, error) = await Start("run", wrong, "--seed", "11");
        Assert.True(exit == ExitCodes.ScenarioFailed, $"seed 11: exit {exit}\n{output}{error}");
        var message = $"  {wrong}:12:3: step \"user:  read32 at+8 => 3\": expected 0x3 (3), "
            + "got ok 0x2 (2) (seed 11)";
        Assert.True(message.Length > 150, $"seed 11: the line is only {message.Length} long");
        Assert.Contains(message, output.Split('\n'));
        Assert.DoesNotContain('\u001b', output);
        Assert.DoesNotContain('\u001b', error);
    }

    [Fact]
    public async Task Program_must_write_diagnostics_to_stderr_and_results_to_stdout()
    {
        var good = _files.Write("good.hocon", CliFixture.Good);
        var held = await Start("run", good, "--seed", "3", "--quiet");
        Assert.True(held.Exit == ExitCodes.Held, $"seed 3: {held}");
        Assert.Equal("1 scenario held, 0 failed\n", held.Output);
        Assert.Equal("", held.Error);
        var bad = await Start("run", good, "--bogus");
        Assert.True(bad.Exit == ExitCodes.BadInput, bad.ToString());
        Assert.Equal("", bad.Output);
        Assert.Contains("unknown option '--bogus'", bad.Error);
    }

    private static async Task<(int Exit, string Output, string Error)> Start(
        params string[] args)
    {
        var program = Path.Combine(AppContext.BaseDirectory, "xpmem-emu.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(program);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        using var limit = new CancellationTokenSource(WallLimit);
        var output = process.StandardOutput.ReadToEndAsync(limit.Token);
        var error = process.StandardError.ReadToEndAsync(limit.Token);
        await process.WaitForExitAsync(limit.Token);
        return (process.ExitCode, await output, await error);
    }

    public void Dispose() => _files.Dispose();
}
