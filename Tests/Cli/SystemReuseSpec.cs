// Proves a sweep may reuse one ActorSystem: a run on a reused system writes a trace byte-for-byte
// equal to the same seed's trace on a fresh system, for every example under several seeds, run
// back to back on one system (different partition counts, after a failed run too), and the
// system is created once; and that SimLoop.Reset really starts over (time zero, no timers, counts
// zero, the new seed).
using Akka.Actor;
using Emulator.Host.Cli;
using Emulator.Host.Runner;
using Emulator.Host.Scenarios;
using Emulator.Partitions.Sim;
using Emulator.Tests.Examples;
using Xunit;

namespace Emulator.Tests.Cli;

public sealed class SystemReuseSpec : IDisposable
{
    private static readonly int[] Seeds = [1, 5, 23];

    private readonly CliFixture _files = new();

    [Fact]
    public void SweepRunner_must_write_on_a_reused_system_the_trace_of_a_fresh_one()
    {
        var examples = Directory.GetFiles(ExamplesSpec.RepositoryFolder("examples"), "*.hocon")
            .Order(StringComparer.Ordinal).Select(ScenarioParser.ParseFile).ToList();
        var wrong = ScenarioParser.Parse(CliFixture.Wrong, "wrong.hocon");
        using var runner = new SweepRunner(Emulator.Host.Settings.Load());
        var run = 0;
        foreach (var seed in Seeds)
        {
            foreach (var scenario in examples)
            {
                var fresh = _files.PathOf($"fresh-{++run}");
                var reused = _files.PathOf($"reused-{run}");
                ScenarioRunner.Run(scenario, new RunOptions(seed, fresh));
                var result = runner.Run(scenario, seed, reused);
                Assert.True(result.Passed, $"{scenario.File} seed {seed}: {result.Failure}");
                var a = File.ReadAllBytes(Path.Combine(fresh, "trace.jsonl"));
                var b = File.ReadAllBytes(Path.Combine(reused, "trace.jsonl"));
                Assert.True(a.Length > 0, $"{scenario.File} seed {seed}: empty trace");
                Assert.True(a.AsSpan().SequenceEqual(b),
                    $"{scenario.File} seed {seed}: the reused system's trace differs");
            }
            // A failed run leaves its machine half-way; the next run must not see it.
            Assert.False(runner.Run(wrong, seed).Passed, $"wrong.hocon seed {seed}: held");
        }
        Assert.True(runner.SystemsCreated == 1,
            $"seeds {string.Join(",", Seeds)}: {runner.SystemsCreated} systems created");
    }

    [Fact]
    public void SimLoop_must_start_over_at_time_zero_with_no_timer_and_the_new_seed()
    {
        const int seed = 31;
        var (system, loop) = SimSystem.Create("reset", 7, Emulator.Host.Settings.Load());
        try
        {
            var sink = system.ActorOf(Props.Create(() => new Sink()), "sink");
            system.Scheduler.ScheduleTellOnce(TimeSpan.FromSeconds(1), sink, "early",
                ActorRefs.NoSender);
            system.Scheduler.ScheduleTellOnce(TimeSpan.FromHours(1), sink, "late",
                ActorRefs.NoSender);
            loop.Advance(TimeSpan.FromSeconds(2));
            Assert.True(loop.Deliveries == 1, $"seed 7: {loop.Deliveries} deliveries");

            loop.Reset(seed);

            Assert.True(loop.Now == TimeSpan.Zero, $"seed {seed}: virtual time {loop.Now}");
            Assert.True(loop.Scheduler.PendingTimers == 0,
                $"seed {seed}: {loop.Scheduler.PendingTimers} timers left");
            Assert.True(loop.Deliveries == 0 && loop.Steps == 0,
                $"seed {seed}: counts {loop.Deliveries}/{loop.Steps}");
            Assert.Equal(seed, loop.Seed);
            loop.Advance(TimeSpan.FromHours(2));
            Assert.True(loop.Deliveries == 0, $"seed {seed}: a dropped timer fired");
        }
        finally
        {
            SimSystem.Shutdown(system);
        }
    }

    public void Dispose() => _files.Dispose();

    private sealed class Sink : ReceiveActor
    {
        public Sink() => ReceiveAny(_ => { });
    }
}
