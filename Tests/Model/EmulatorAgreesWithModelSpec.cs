// What this proves: the actor emulator and the sequential reference model give the same outcome
// (kind, value, errno, signal) for every call of thousands of random call sequences, on one to
// three partitions, and the same pin totals at the end. How: CallGenerator draws a run per seed;
// ModelHarness runs it on both and reports the first disagreement; CsCheck shrinks a failing run
// to the shortest sequence it can find. A failure names the seed (and the shrunk run).
using CsCheck;
using Xunit;

namespace Emulator.Tests.Model;

public sealed class EmulatorAgreesWithModelSpec
{
    /// <summary>Runs in CI; each is 30-70 calls. Raise it locally with XPMEM_MODEL_RUNS.</summary>
    private static readonly int Runs = int.TryParse(Environment.GetEnvironmentVariable("XPMEM_MODEL_RUNS"), out var n) ? n : 2000;

    [Fact]
    public void Emulator_must_agree_with_the_model_on_seeded_runs()
    {
        for (ulong seed = 1; seed <= (ulong)Runs; seed++)
        {
            var run = CallGenerator.ForSeed(seed);
            using var model = new ReferenceModel();
            using var emulator = new EmulatorSystem((int)seed);
            var disagreement = ModelHarness.Compare(model, emulator, run);
            Assert.True(disagreement is null, $"seed {seed}: {disagreement}\n{run}");
        }
    }

    [Fact]
    public void Emulator_must_agree_with_the_model_on_shrunk_runs()
    {
        CallGenerator.Runs.Sample(run =>
        {
            using var model = new ReferenceModel();
            using var emulator = new EmulatorSystem(1);
            return ModelHarness.Compare(model, emulator, run) is null;
        }, iter: 200, threads: 1);
    }
}
