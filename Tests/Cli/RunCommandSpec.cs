// Proves the run command's contract, by running the program in-process on small scenario files
// with stdout and stderr captured: exit 0 when every run holds, 1 when a step fails, 2 for a
// malformed file or an unusable output path (checked before anything runs); --quiet prints only
// failures and the closing line; every failure names file and seed and the command that
// reproduces it; traces are byte-identical for a seed and never overwrite each other; sweeps
// (--seeds) run every file under every seed, stop at the first failure unless --keep-going, keep
// only failing runs' traces, and write results as JSON and JUnit XML that parse.
using System.Text.Json;
using System.Xml.Linq;
using Emulator.Host;
using Emulator.Host.Cli;
using Spectre.Console;
using Xunit;

namespace Emulator.Tests.Cli;

public sealed class RunCommandSpec : IDisposable
{
    private readonly CliFixture _files = new();

    [Fact]
    public void Run_must_exit_0_when_every_step_holds()
    {
        var outcome = CliFixture.Run("run", _files.Write("good.hocon", CliFixture.Good),
            "--seed", "4");
        Assert.True(outcome.Exit == ExitCodes.Held, $"seed 4: {outcome}");
        Assert.EndsWith("1 scenario held, 0 failed\n", outcome.Out);
    }

    [Fact]
    public void Run_must_exit_1_on_a_wrong_expectation_and_say_how_to_reproduce_it()
    {
        var wrong = _files.Write("wrong.hocon", CliFixture.Wrong);
        var outcome = CliFixture.Run("run", wrong, "--seed", "4");
        Assert.True(outcome.Exit == ExitCodes.ScenarioFailed, $"seed 4: {outcome}");
        Assert.Contains($"FAILED ", outcome.Out);
        Assert.Contains($"{wrong}:12:3: step \"user:  read32 at+8 => 3\"", outcome.Out);
        Assert.Contains($"  reproduce: xpmem-emu run {wrong} --seed 4\n", outcome.Out);
    }

    [Fact]
    public void Run_must_exit_2_on_a_malformed_file_and_run_nothing()
    {
        var output = _files.PathOf("out");
        var bad = _files.Write("bad.hocon", CliFixture.Good.Replace("attach ap", "atach ap"));
        var outcome = CliFixture.Run("run", _files.Write("first.hocon", CliFixture.Good), bad,
            "--out", output);
        Assert.True(outcome.Exit == ExitCodes.BadInput, outcome.ToString());
        Assert.False(Directory.Exists(output), "a bad file must stop the run before anything runs");
        Assert.Contains("bad input: ", outcome.Error);
        Assert.True(outcome.Out.Length == 0, $"results printed for bad input: {outcome}");
    }

    [Fact]
    public void Run_must_print_with_quiet_only_failures_and_the_closing_line()
    {
        var good = _files.Write("good.hocon", CliFixture.Good);
        var wrong = _files.Write("wrong.hocon", CliFixture.Wrong);
        Assert.Equal("1 scenario held, 0 failed\n",
            CliFixture.Run("run", good, "--quiet", "--seed", "6").Out);
        var outcome = CliFixture.Run("run", good, wrong, good, "--quiet", "--seed", "6");
        Assert.Equal(
            [
                $"FAILED {ScenarioName(wrong)} ({wrong}, seed 6)",
                $"  {wrong}:12:3: step \"user:  read32 at+8 => 3\": expected 0x3 (3), got ok 0x2 (2) (seed 6)",
                $"  reproduce: xpmem-emu run {wrong} --seed 6",
                "2 scenarios held, 1 failed",
            ],
            outcome.OutLines);
    }

    [Fact]
    public void Run_must_write_the_same_trace_for_the_same_seed()
    {
        var file = _files.Write("good.hocon", CliFixture.Good);
        CliFixture.Run("run", file, "--seed", "9", "--out", _files.PathOf("first"));
        CliFixture.Run("run", file, "--seed", "9", "--out", _files.PathOf("second"));
        var a = File.ReadAllBytes(_files.PathOf("first/trace.jsonl"));
        var b = File.ReadAllBytes(_files.PathOf("second/trace.jsonl"));
        Assert.True(a.Length > 0, "seed 9: empty trace");
        Assert.True(a.AsSpan().SequenceEqual(b), "seed 9: traces differ");
    }

    [Fact]
    public void Run_must_give_files_with_one_name_their_own_trace_folders()
    {
        var first = _files.Write("a/x.hocon", CliFixture.Good);
        var second = _files.Write("b/x.hocon", CliFixture.Good.Replace("read32 at+8 => 2",
            "read32 at+12 => 3"));
        var outcome = CliFixture.Run("run", first, second, "--seed", "2", "--out",
            _files.PathOf("out"));
        Assert.True(outcome.Exit == ExitCodes.Held, $"seed 2: {outcome}");
        var one = File.ReadAllText(_files.PathOf("out/x-1/trace.jsonl"));
        var two = File.ReadAllText(_files.PathOf("out/x-2/trace.jsonl"));
        Assert.Contains(first, one);
        Assert.Contains(second, two);
    }

    [Theory]
    [InlineData("existing file")]
    [InlineData("parent is a file")]
    [InlineData("cannot be written")]
    public void Run_must_refuse_an_unusable_out_before_anything_runs(string how)
    {
        var blocker = _files.Write("blocker", "a file");
        var output = how switch
        {
            "existing file" => blocker,
            "parent is a file" => Path.Combine(blocker, "out"),
            _ => Unwritable(),
        };
        var outcome = CliFixture.Run("run", _files.Write("good.hocon", CliFixture.Good), "--out",
            output);
        Assert.True(outcome.Exit == ExitCodes.BadInput, $"{how}: {outcome}");
        Assert.Contains("--out", outcome.Error);
        Assert.True(outcome.Out.Length == 0, $"{how}: something ran: {outcome}");
    }

    [Theory]
    [InlineData("--results")]
    [InlineData("--junit")]
    public void Run_must_refuse_a_results_file_that_is_a_folder(string option)
    {
        var outcome = CliFixture.Run("run", _files.Write("good.hocon", CliFixture.Good), option,
            _files.Folder.FullName);
        Assert.True(outcome.Exit == ExitCodes.BadInput, outcome.ToString());
        Assert.Contains($"{option} {_files.Folder.FullName} is a folder", outcome.Error);
    }

    [Fact]
    public void Sweep_must_run_every_file_under_every_seed()
    {
        var results = _files.PathOf("results.json");
        var outcome = CliFixture.Run("run", _files.Write("one.hocon", CliFixture.Good),
            _files.Write("two.hocon", CliFixture.Good), "--seeds", "3,9,20..22", "--results",
            results);
        Assert.True(outcome.Exit == ExitCodes.Held, $"seeds 3,9,20..22: {outcome}");
        using var json = JsonDocument.Parse(File.ReadAllText(results));
        var runs = json.RootElement.GetProperty("runs").EnumerateArray()
            .Select(r => $"{Path.GetFileName(r.GetProperty("file").GetString())}:"
                + r.GetProperty("seed").GetInt32()).ToList();
        Assert.Equal(
            ["one.hocon:3", "one.hocon:9", "one.hocon:20", "one.hocon:21", "one.hocon:22",
             "two.hocon:3", "two.hocon:9", "two.hocon:20", "two.hocon:21", "two.hocon:22"],
            runs);
        Assert.Contains("10 runs held, 0 failed (2 files, --seeds 3,9,20..22", outcome.Out);
    }

    [Fact]
    public void Sweep_must_count_seeds_from_the_file_s_own_seed()
    {
        var results = _files.PathOf("results.json");
        var file = _files.Write("seeded.hocon", "seed = 40\n" + CliFixture.Good);
        var outcome = CliFixture.Run("run", file, "--seeds", "3x", "--results", results);
        Assert.True(outcome.Exit == ExitCodes.Held, $"seeds 40..42: {outcome}");
        using var json = JsonDocument.Parse(File.ReadAllText(results));
        Assert.Equal([40, 41, 42], json.RootElement.GetProperty("runs").EnumerateArray()
            .Select(r => r.GetProperty("seed").GetInt32()));
    }

    [Fact]
    public void Sweep_must_refuse_a_count_past_the_last_seed_before_running()
    {
        var file = _files.Write("last.hocon", "seed = 2147483647\n" + CliFixture.Good);
        var outcome = CliFixture.Run("run", file, "--seeds", "2x");
        Assert.True(outcome.Exit == ExitCodes.BadInput, outcome.ToString());
        Assert.Contains("go past 2147483647", outcome.Error);
    }

    [Fact]
    public void Sweep_must_stop_at_the_first_failure_and_say_how_to_reproduce_it()
    {
        var wrong = _files.Write("wrong.hocon", CliFixture.Wrong);
        var outcome = CliFixture.Run("run", _files.Write("good.hocon", CliFixture.Good), wrong,
            "--seeds", "5..9", "--quiet");
        Assert.True(outcome.Exit == ExitCodes.ScenarioFailed, $"seeds 5..9: {outcome}");
        Assert.Equal(
            [
                $"FAILED {ScenarioName(wrong)} ({wrong}, seed 5)",
                $"  {wrong}:12:3: step \"user:  read32 at+8 => 3\": expected 0x3 (3), got ok 0x2 (2) (seed 5)",
                $"  reproduce: xpmem-emu run {wrong} --seed 5",
            ],
            outcome.OutLines[..3]);
        Assert.StartsWith("5 runs held, 1 failed, 4 not run (2 files, --seeds 5..9, ",
            outcome.OutLines[3]);
        Assert.EndsWith("; stopped at the first failure (--keep-going runs every seed)",
            outcome.OutLines[3]);
        Assert.Equal(4, outcome.OutLines.Length);
    }

    [Fact]
    public void Sweep_must_keep_going_when_asked_and_keep_only_failing_traces()
    {
        var output = _files.PathOf("out");
        var wrong = _files.Write("wrong.hocon", CliFixture.Wrong);
        var outcome = CliFixture.Run("run", _files.Write("good.hocon", CliFixture.Good), wrong,
            "--seeds", "1..3", "--keep-going", "--out", output);
        Assert.True(outcome.Exit == ExitCodes.ScenarioFailed, $"seeds 1..3: {outcome}");
        Assert.Contains("3 runs held, 3 failed (2 files, --seeds 1..3", outcome.Out);
        Assert.Equal(["seed-1", "seed-2", "seed-3"],
            Directory.GetDirectories(Path.Combine(output, "wrong")).Select(Path.GetFileName)
                .Order(StringComparer.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(output, "good")), "a held run kept its trace");
        foreach (var seed in new[] { 1, 2, 3 })
        {
            var trace = Path.Combine(output, "wrong", $"seed-{seed}", "trace.jsonl");
            Assert.True(new FileInfo(trace).Length > 0, $"seed {seed}: no trace");
            Assert.Contains($"  trace: {trace}\n", outcome.Out);
        }
    }

    [Fact]
    public void Sweep_must_write_a_failing_trace_equal_to_the_one_a_single_run_writes()
    {
        var wrong = _files.Write("wrong.hocon", CliFixture.Wrong);
        CliFixture.Run("run", wrong, "--seeds", "7", "--out", _files.PathOf("sweep"));
        CliFixture.Run("run", wrong, "--seed", "7", "--out", _files.PathOf("single"));
        var a = File.ReadAllBytes(_files.PathOf("sweep/wrong/seed-7/trace.jsonl"));
        var b = File.ReadAllBytes(_files.PathOf("single/trace.jsonl"));
        Assert.True(a.Length > 0 && a.AsSpan().SequenceEqual(b), "seed 7: traces differ");
    }

    [Fact]
    public void Sweep_must_write_results_as_json_that_parses_with_every_figure()
    {
        var results = _files.PathOf("results/run.json");
        var wrong = _files.Write("wrong.hocon", CliFixture.Wrong);
        var outcome = CliFixture.Run("run", _files.Write("good.hocon", CliFixture.Good), wrong,
            "--seeds", "1..2", "--keep-going", "--results", results);
        Assert.True(outcome.Exit == ExitCodes.ScenarioFailed, $"seeds 1..2: {outcome}");
        using var json = JsonDocument.Parse(File.ReadAllText(results));
        var root = json.RootElement;
        Assert.Equal("1..2", root.GetProperty("seeds").GetString());
        Assert.Equal(1, root.GetProperty("exitCode").GetInt32());
        var totals = root.GetProperty("totals");
        Assert.Equal((4, 2, 2, 0), (totals.GetProperty("runs").GetInt32(),
            totals.GetProperty("held").GetInt32(), totals.GetProperty("failed").GetInt32(),
            totals.GetProperty("notRun").GetInt32()));
        var runs = root.GetProperty("runs").EnumerateArray().ToList();
        var held = runs[0];
        Assert.Equal("held", held.GetProperty("verdict").GetString());
        Assert.Equal(6, held.GetProperty("steps").GetInt32());
        Assert.Equal(6, held.GetProperty("calls").GetInt32());
        Assert.Equal(1, held.GetProperty("faults").GetInt32());
        Assert.True(held.GetProperty("messages").GetInt64() > 0, "seed 1: no messages");
        Assert.Equal(1, held.GetProperty("pins").GetProperty("pinned").GetInt32());
        Assert.Equal(1, held.GetProperty("pins").GetProperty("unpinned").GetInt32());
        Assert.True(held.GetProperty("elapsedMs").GetDouble() >= 0, "seed 1: elapsed");
        Assert.Equal(JsonValueKind.Null, held.GetProperty("failure").ValueKind);
        var failed = runs[3];
        Assert.Equal("failed", failed.GetProperty("verdict").GetString());
        Assert.Equal(2, failed.GetProperty("seed").GetInt32());
        Assert.Contains("expected 0x3 (3), got ok 0x2 (2) (seed 2)",
            failed.GetProperty("failure").GetString());
        Assert.Equal(12, failed.GetProperty("failedStep").GetProperty("line").GetInt32());
        Assert.Equal("user:  read32 at+8 => 3",
            failed.GetProperty("failedStep").GetProperty("text").GetString());
        Assert.Equal($"xpmem-emu run {wrong} --seed 2",
            failed.GetProperty("reproduce").GetString());
    }

    [Fact]
    public void Sweep_must_write_junit_xml_with_one_testcase_per_file_and_seed()
    {
        var junit = _files.PathOf("junit.xml");
        var wrong = _files.Write("wrong.hocon", CliFixture.Wrong);
        CliFixture.Run("run", _files.Write("good.hocon", CliFixture.Good), wrong, "--seeds",
            "1..3", "--keep-going", "--junit", junit);
        var xml = XDocument.Load(junit);
        var suites = xml.Root!;
        Assert.Equal("testsuites", suites.Name.LocalName);
        Assert.Equal("6", suites.Attribute("tests")!.Value);
        Assert.Equal("3", suites.Attribute("failures")!.Value);
        var cases = xml.Descendants("testcase").ToList();
        Assert.Equal(6, cases.Count);
        var failures = xml.Descendants("failure").ToList();
        Assert.Equal(3, failures.Count);
        Assert.Contains("expected 0x3 (3), got ok 0x2 (2) (seed 3)",
            failures[2].Attribute("message")!.Value);
        Assert.Contains($"reproduce: xpmem-emu run {wrong} --seed 3", failures[2].Value);
        Assert.Equal(2, xml.Descendants("testsuite").Count());
    }

    [Fact]
    public void Sweep_must_print_plain_lines_without_a_bar_when_output_is_redirected()
    {
        var outcome = CliFixture.Run("run", _files.Write("good.hocon", CliFixture.Good),
            "--seeds", "1..20");
        Assert.True(outcome.Exit == ExitCodes.Held, $"seeds 1..20: {outcome}");
        Assert.DoesNotContain('\u001b', outcome.Out);
        Assert.DoesNotContain("runs/s ", outcome.Out);
        Assert.Equal(2, outcome.OutLines.Length);
        var good = _files.PathOf("good.hocon");
        Assert.Equal($"held   {ScenarioName(good)} ({good}): 20 seeds held", outcome.OutLines[0]);
    }

    [Fact]
    public void Sweep_must_show_a_progress_bar_with_runs_per_second_on_a_terminal()
    {
        var output = new StringWriter();
        var terminal = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.Standard,
            Interactive = InteractionSupport.Yes,
        });
        var error = new StringWriter();
        var console = new CliConsole(terminal, terminal, output, error, outputIsTerminal: true);
        var exit = Program.Run(
            ["run", _files.Write("good.hocon", CliFixture.Good), "--seeds", "1..20"], console);
        Assert.True(exit == ExitCodes.Held, $"seeds 1..20: {output}{error}");
        Assert.Contains("runs/s", output.ToString());
        Assert.Contains("20/20", output.ToString());
        Assert.Contains('\u001b', output.ToString());
    }

    /// <summary>The scenario name the parser gives a file without <c>name = ...</c>.</summary>
    private static string ScenarioName(string path) =>
        Emulator.Host.Scenarios.ScenarioParser.ParseFile(path).Name;

    private string Unwritable()
    {
        // root writes through permission bits; /proc refuses new folders even to root.
        if (Environment.UserName == "root" || OperatingSystem.IsWindows())
            return "/proc/xpmem-emu-cannot-write/out";
        var locked = Directory.CreateDirectory(_files.PathOf("locked"));
        File.SetUnixFileMode(locked.FullName, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        return Path.Combine(locked.FullName, "out");
    }

    public void Dispose()
    {
        var locked = _files.PathOf("locked");
        if (Directory.Exists(locked) && !OperatingSystem.IsWindows())
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _files.Dispose();
    }
}
