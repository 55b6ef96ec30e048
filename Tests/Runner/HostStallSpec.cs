// Proves a failed live run whose partitions gave up on a peer though the run crashed and cut
// nothing and set no link fault says so, naming who gave up on whom and the heartbeat patience,
// and that a run that set a link fault itself does not (its own step may be why): a stalled
// host looks to the partitions just like a crash, and without the remark the user sees only an
// unexplained SIGBUS or ENOLINK.
// How: a live run whose trace observer holds partition 0's XPC endpoint still for five times the
// peers' heartbeat patience while it takes the first fault's request (the host stall, made on
// purpose, with threads to spare in the pool for everything else); and the remark's text from
// the plain function.
using Emulator.Host;
using Emulator.Host.Machines;
using Emulator.Host.Runner;
using Emulator.Host.Scenarios;
using Emulator.Partitions.Tracing;
using Emulator.Partitions.Xpc;
using Emulator.Protocol.Faults;
using Emulator.Protocol.Ids;
using Xunit;

namespace Emulator.Tests.Runner;

public sealed class HostStallSpec
{
    /// <summary>XPC's patience in these runs: 10 heartbeats of 20ms.</summary>
    private const string Patience =
        "xpmem-emulator.xpc { heartbeat-interval = 20ms, missed-heartbeats-max = 10 }";

    /// <summary>5 patiences, and half the request timeout (the fault waits on the peer, not its
    /// own deadline).</summary>
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(1);

    private const string Steps = """
          "owner: mmap 0x10000 1p"
          "owner: seg = make 0x10000 1p mode=0666"
          "user: ap = get seg rdwr"
          "user: at = attach ap 0 1p"
          "user: read32 at"
        ]
        """;

    [Fact]
    public void A_live_run_failed_by_a_stalled_host_must_say_the_partitions_gave_up_on_a_peer()
    {
        var (result, stalled) = RunStalled("steps = [");
        Assert.False(result.Passed, "the fault during the stall held");
        Assert.NotNull(result.Remark);
        Assert.Contains("10 heartbeats of 20ms", result.Remark);
        // A stall of the test host's own may have come first and failed an earlier step: the
        // remark is due all the same, but only the stall made here says who and how.
        if (stalled)
        {
            Assert.Contains("SIGBUS", result.Failure);
            Assert.Contains("1 on 0", result.Remark);
        }
        Assert.Contains("xpc.missed-heartbeats-max", result.Remark);
    }

    [Fact]
    public void A_run_that_set_a_link_fault_must_not_blame_the_host()
    {
        // drop 0% changes no packet's fate, but it is the run's own link setting.
        var (result, _) = RunStalled("steps = [\n  \"drop 0%\"");
        Assert.False(result.Passed, "the fault during the stall held");
        Assert.Null(result.Remark);
    }

    [Fact]
    public void Remark_must_name_the_first_partitions_that_gave_up_and_count_the_rest()
    {
        var xpc = XpcSettings.Default;
        Assert.Null(HostStall.Remark([], 0, xpc));
        var remark = HostStall.Remark([(new PartitionId(1), new PartitionId(0)),
            (new PartitionId(2), new PartitionId(0))], 5, xpc);
        Assert.NotNull(remark);
        Assert.Contains("5 times (1 on 0, 2 on 0 and 3 more)", remark);
        Assert.Contains("10 heartbeats of 50ms", remark);
    }

    /// <summary>The run, and whether its stall came (a host stall of its own may come first).
    /// </summary>
    private static (RunResult Result, bool Stalled) RunStalled(string stepsStart)
    {
        var scenario = ScenarioParser.Parse($$"""
            partitions = 2
            processes {
              owner { partition = 0 }
              user  { partition = 1 }
            }
            {{stepsStart}}
            {{Steps}}
            """, "stall.hocon");
        var observer = new StallingObserver(Stall);
        // Threads to spare in the pool: the test host blocks some of its threads, and with none
        // left beside the stalled one the whole machine would stand still until the pool grows
        // (~0.5 s a thread), partition 1's endpoint too, which would then miss nothing.
        ThreadPool.GetMinThreads(out var workers, out var ports);
        ThreadPool.SetMinThreads(Math.Max(workers, Environment.ProcessorCount + 8), ports);
        try
        {
            var result = ScenarioRunner.Run(scenario,
                new RunOptions(1, Mode: RunMode.Live, Observer: observer), Settings.Load(Patience));
            return (result, observer.Stalled);
        }
        finally
        {
            ThreadPool.SetMinThreads(workers, ports);
        }
    }

    /// <summary>
    /// Holds partition 0's XPC endpoint still for <paramref name="stall"/> as it takes the first
    /// fault's pin request from partition 1: the peers hear nothing from it meanwhile.
    /// </summary>
    private sealed class StallingObserver(TimeSpan stall) : ITrace
    {
        private int _stalled;

        public bool Stalled => Volatile.Read(ref _stalled) == 1;

        public bool Enabled => true;

        public void Delivered(string actor, object message)
        {
            if (actor.EndsWith("/xpc-p0", StringComparison.Ordinal)
                && message is XpcActor.Sequenced { Message: Fault.Pin }
                && Interlocked.Exchange(ref _stalled, 1) == 0)
            {
                Thread.Sleep(stall);
            }
        }

        public void Event(string actor, ITraceEvent @event)
        {
        }
    }
}
