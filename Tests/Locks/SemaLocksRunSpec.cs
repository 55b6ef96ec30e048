// Proves seg->sema and att->mutex show on the real actors in sim, in the trace the checkers and
// reports read: a fault reads its segment's sema from the pin to its Done and installs its PTE
// under the attachment's mutex; a munmap's recall holds the sema for write for the munmap's call
// and clears PTEs under the mutex; a fault that meets the recall waits for the sema and stops
// waiting once the recall is over; a remove that meets a pinned fault waits for it. Each race is
// looked for over seeds 1..30 (the first seed that shows it is used), and the checkers held.
using System.Text.Json;
using Emulator.Host.Reports;
using Emulator.Host.Runner;
using Emulator.Host.Scenarios;
using Emulator.Tests.Examples;
using Emulator.Tests.Reports;
using Xunit;

namespace Emulator.Tests.Locks;

public sealed class SemaLocksRunSpec : IDisposable
{
    private const string Sema = "seg->sema of segment 0x100000064";
    private const string Mutex = "att->mutex of attachment 1 of p0/101";

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("xpmem-sema-");

    public void Dispose() => _folder.Delete(recursive: true);

    private sealed record LockLine(long Seq, string Kind, string Lock, string Task, string? Access);

    [Fact]
    public void A_fault_must_read_the_sema_from_its_pin_to_its_done_and_install_under_the_mutex()
    {
        var (result, lines) = Run(Path.Combine("examples", "quickstart.hocon"), seed: 1);

        Assert.True(result.Passed, $"seed 1: {result.Failure}");
        var fault = "p0/101 (call p0/0.8)";
        var mine = Locks(lines).Where(l => l.Task == fault && l.Lock != "mmap_sem of p0/100"
            && l.Lock != "mmap_sem of p0/101").Select(l => (l.Kind, l.Lock, l.Access)).ToList();
        Assert.Equal(
        [
            ("lock_acquired", Sema, "Read"),
            ("lock_acquired", Mutex, "Write"),
            ("lock_released", Mutex, null),
            ("lock_released", Sema, null),
        ], mine);
        var pinned = Seq(lines, "pinned");
        Assert.True(pinned < Locks(lines).First(l => l.Lock == Sema).Seq, "seed 1: the sema "
            + "was read before the page was pinned");
        AssertCheckersHeld(result, 1);
    }

    [Fact]
    public void A_fault_meeting_a_recall_must_wait_for_the_sema_the_munmap_holds()
    {
        var (seed, result, locks) = FirstSeedShowing("race-munmap-during-fault.hocon",
            l => l.Kind == "lock_waiting" && l.Lock == Sema && l.Access == "Read");

        var wait = locks.First(l => l.Kind == "lock_waiting" && l.Lock == Sema);
        var recall = locks.Last(l => l.Kind == "lock_acquired" && l.Lock == Sema
            && l.Access == "Write" && l.Seq < wait.Seq);
        Assert.StartsWith("p0/100 (call ", recall.Task);
        var recallEnd = locks.First(l => l.Kind == "lock_released" && l.Lock == Sema
            && l.Task == recall.Task && l.Seq > wait.Seq);
        var waitEnd = locks.First(l => l.Lock == Sema && l.Task == wait.Task && l.Seq > wait.Seq);
        Assert.True(waitEnd.Seq > recallEnd.Seq, $"seed {seed}: the fault's wait ended before "
            + "the recall let go");
        // The attacher cleared its PTEs under its mutex for the recall (the owner's request).
        Assert.Contains(locks, l => l.Kind == "lock_acquired" && l.Lock == Mutex
            && l.Task.StartsWith("p0/101 (call p0/100.", StringComparison.Ordinal)
            && l.Seq > recall.Seq && l.Seq < recallEnd.Seq);
        AssertCheckersHeld(result, seed);
    }

    [Fact]
    public void A_remove_meeting_a_pinned_fault_must_wait_for_its_read()
    {
        var (seed, result, locks) = FirstSeedShowing("race-remove-during-fault.hocon",
            l => l.Kind == "lock_waiting" && l.Lock == Sema && l.Access == "Write");

        var wait = locks.First(l => l.Kind == "lock_waiting" && l.Access == "Write");
        var reader = locks.Last(l => l.Kind == "lock_acquired" && l.Lock == Sema
            && l.Access == "Read" && l.Seq < wait.Seq);
        var readEnd = locks.First(l => l.Kind == "lock_released" && l.Lock == Sema
            && l.Task == reader.Task && l.Seq > wait.Seq);
        var granted = locks.First(l => l.Kind == "lock_acquired" && l.Task == wait.Task
            && l.Lock == Sema);
        Assert.True(granted.Seq > readEnd.Seq, $"seed {seed}: the remove held the sema before "
            + "the fault's read ended");
        AssertCheckersHeld(result, seed);
    }

    private (int Seed, RunResult Result, List<LockLine> Locks) FirstSeedShowing(string suite,
        Func<LockLine, bool> shows)
    {
        for (var seed = 1; seed <= 30; seed++)
        {
            var (result, lines) = Run(Path.Combine("Tests", "Suites", suite), seed);
            var locks = Locks(lines);
            if (locks.Any(shows)) return (seed, result, locks);
        }
        Assert.Fail($"{suite}: no seed in 1..30 showed the wait");
        return default;
    }

    private static void AssertCheckersHeld(RunResult result, int seed) =>
        Assert.All(result.Checks.Where(c => c.Name is "no deadlock" or "lock order"),
            check => Assert.True(check.Held, $"seed {seed}: {check.Name}: {check.Detail}"));

    private (RunResult Result, List<JsonElement> Lines) Run(string file, int seed)
    {
        var scenario = ScenarioParser.ParseFile(ExamplesSpec.RepositoryFolder(file));
        var result = ScenarioRunner.Run(scenario, new RunOptions(seed, _folder.FullName));
        var text = File.ReadAllText(Path.Combine(_folder.FullName, JsonlTrace.FileName));
        return (result, JsonlTraceSpec.Parse(text));
    }

    private static List<LockLine> Locks(List<JsonElement> lines) =>
    [
        .. lines.Where(l => l.GetProperty("kind").GetString()?.StartsWith("lock_",
                StringComparison.Ordinal) == true)
            .Select(l => new LockLine(l.GetProperty("seq").GetInt64(),
                l.GetProperty("kind").GetString()!, l.GetProperty("lock").GetString()!,
                l.GetProperty("task").GetString()!,
                l.TryGetProperty("access", out var access) ? access.GetString() : null)),
    ];

    private static long Seq(List<JsonElement> lines, string kind) => lines
        .First(l => l.GetProperty("kind").GetString() == kind).GetProperty("seq").GetInt64();
}
