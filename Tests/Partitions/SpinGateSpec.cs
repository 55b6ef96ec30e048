// Proves the spin gate admits one taker at a time, even when more threads than cores contend
// for it, and is free again once its scope is disposed.
using Emulator.Partitions;
using Xunit;

namespace Emulator.Tests.Partitions;

public sealed class SpinGateSpec
{
    private sealed class Guarded
    {
        public SpinGate Gate;
        public long Count;
        public int Inside;
        public int Overlaps;
    }

    [Fact]
    public void SpinGate_must_admit_one_taker_at_a_time()
    {
        // More threads than this machine's cores: a holder is preempted now and then, and its
        // takers must wait for it, not overtake it.
        var threads = Environment.ProcessorCount * 2;
        const int Each = 50_000;
        var guarded = new Guarded();
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            for (var i = 0; i < Each; i++)
            {
                using (guarded.Gate.Enter())
                {
                    if (Interlocked.Increment(ref guarded.Inside) != 1)
                        Interlocked.Increment(ref guarded.Overlaps);
                    // A plain read-modify-write: a second taker inside would lose updates.
                    guarded.Count++;
                    Interlocked.Decrement(ref guarded.Inside);
                }
            }
        }) { IsBackground = true }).ToList();
        workers.ForEach(worker => worker.Start());

        Assert.All(workers, worker => Assert.True(worker.Join(TimeSpan.FromMinutes(1)),
            "a taker never got the gate"));

        Assert.Equal(0, guarded.Overlaps);
        Assert.Equal((long)threads * Each, guarded.Count);
    }

    [Fact]
    public void SpinGate_must_be_free_again_once_its_scope_is_disposed()
    {
        var guarded = new Guarded();
        using (guarded.Gate.Enter()) guarded.Count++;
        // Taken again on another thread: it would spin there for ever had the scope kept it.
        var again = new Thread(() =>
        {
            using (guarded.Gate.Enter()) guarded.Count++;
        }) { IsBackground = true };
        again.Start();

        Assert.True(again.Join(TimeSpan.FromSeconds(10)), "the gate was still held");
        Assert.Equal(2, guarded.Count);
    }
}
