// Proves the live delivery count spread over cache lines still counts every add exactly: threads
// adding at once (more threads than stripes, so some share one) lose none, and a read after they
// end sees them all.
using Emulator.Partitions.Live;
using Xunit;

namespace Emulator.Tests.Live;

public sealed class StripedCounterSpec
{
    [Fact]
    public void StripedCounter_must_start_at_zero()
    {
        Assert.Equal(0, new StripedCounter().Sum);
    }

    [Fact]
    public void StripedCounter_must_count_every_add_of_threads_adding_at_once()
    {
        const int Adds = 50_000;
        var threads = Environment.ProcessorCount * 2 + 65;
        var counter = new StripedCounter();
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            for (var add = 0; add < Adds; add++) counter.Increment();
        })).ToList();
        workers.ForEach(worker => worker.Start());
        workers.ForEach(worker => worker.Join());
        Assert.Equal((long)threads * Adds, counter.Sum);
    }
}
