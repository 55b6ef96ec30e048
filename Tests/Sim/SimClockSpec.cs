// Proves virtual time grows with the work: each delivery costs SimLoop.DeliveryTime (or what
// DeliveryTimeOf says for its message), charged after its handler, so a handler sees the instant
// its delivery began; timers still fire in due order, late if the machine was busy at their due
// time and exactly on time if it was idle, and the clock never moves backwards; the same seed
// still gives the same deliveries and the same clock. The costs come from akka.hocon through
// EmulatorSettings. Actors record the scheduler's clock as they handle each message.
using Akka.Actor;
using Akka.Configuration;
using Settings = Emulator.Host.Settings;
using Emulator.Partitions;
using Emulator.Partitions.Sim;
using Xunit;

namespace Emulator.Tests.Sim;

public sealed class SimClockSpec : IDisposable
{
    private const int Seed = 21;
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    private readonly ActorSystem _system;
    private readonly SimLoop _loop;
    private readonly List<(TimeSpan At, object Message)> _seen = [];
    private readonly IActorRef _clocked;

    public SimClockSpec()
    {
        (_system, _loop) = SimSpecs.Create("clock", Seed);
        _clocked = _system.ActorOf(Props.Create(() => new Clocked(_seen)), "clocked");
        _loop.RunUntilIdle();
    }

    public void Dispose() => SimSystem.Shutdown(_system);

    [Fact]
    public void SimLoop_must_charge_each_delivery_its_cost_after_its_handler()
    {
        _loop.DeliveryTime = Tick;
        var start = _loop.Now;
        for (var index = 0; index < 5; index++) _clocked.Tell(index);

        _loop.RunUntilIdle();

        Assert.Equal(Enumerable.Range(0, 5).Select(i => start + i * Tick), _seen.Select(s => s.At));
        Assert.Equal(start + 5 * Tick, _loop.Now);
    }

    [Fact]
    public void SimLoop_must_charge_what_DeliveryTimeOf_says_for_each_message()
    {
        _loop.DeliveryTimeOf = message => message is "far" ? TimeSpan.FromMicroseconds(1) : Tick;
        var start = _loop.Now;
        _clocked.Tell("near");
        _clocked.Tell("far");
        _clocked.Tell("near");

        _loop.RunUntilIdle();

        Assert.Equal([start, start + Tick, start + Tick + TimeSpan.FromMicroseconds(1)],
            _seen.Select(s => s.At));
        Assert.Equal(start + 2 * Tick + TimeSpan.FromMicroseconds(1), _loop.Now);
    }

    [Fact]
    public void SimLoop_must_fire_timers_in_due_order_after_the_work_that_passed_their_due_time()
    {
        _loop.DeliveryTime = TimeSpan.FromMilliseconds(1);
        var start = _loop.Now;
        TellAfter(TimeSpan.FromMilliseconds(2), "b");
        TellAfter(TimeSpan.FromMilliseconds(1), "a");
        for (var index = 0; index < 5; index++) _clocked.Tell(index);

        Assert.True(_loop.RunUntil(() => _seen.Count == 7, TimeSpan.FromSeconds(1)),
            $"seed {Seed}: the timers did not fire");

        var times = _seen.Select(s => (s.At - start).TotalMilliseconds).ToList();
        Assert.Equal([0.0, 1, 2, 3, 4, 5, 6], times);
        Assert.Equal(["a", "b"], _seen.Skip(5).Select(s => s.Message));
        Assert.Equal(start + TimeSpan.FromMilliseconds(7), _loop.Now);
    }

    [Fact]
    public void SimLoop_must_fire_a_timer_at_its_due_time_when_the_machine_is_idle_then()
    {
        _loop.DeliveryTime = Tick;
        var start = _loop.Now;
        TellAfter(TimeSpan.FromMilliseconds(5), "wait ended");
        _clocked.Tell("work");

        Assert.True(_loop.RunUntil(() => _seen.Count == 2, TimeSpan.FromSeconds(1)),
            $"seed {Seed}: the timer did not fire");

        Assert.Equal(start + TimeSpan.FromMilliseconds(5), _seen[1].At);
        Assert.Equal(start + TimeSpan.FromMilliseconds(5) + Tick, _loop.Now);
    }

    [Fact]
    public void SimLoop_must_advance_at_least_the_duration_and_never_backwards()
    {
        _loop.DeliveryTime = TimeSpan.FromMilliseconds(1);
        var start = _loop.Now;
        for (var index = 0; index < 3; index++) _clocked.Tell(index);

        _loop.Advance(TimeSpan.FromMilliseconds(2));

        Assert.Equal(start + TimeSpan.FromMilliseconds(3), _loop.Now);
        _loop.Advance(TimeSpan.FromMilliseconds(2));
        Assert.Equal(start + TimeSpan.FromMilliseconds(5), _loop.Now);
    }

    [Fact]
    public void SimLoop_must_refuse_a_negative_delivery_time()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _loop.DeliveryTime = -Tick);
    }

    [Fact]
    public void SimLoop_must_give_the_same_deliveries_and_clock_for_the_same_seed_with_costs()
    {
        var first = RunToyWithCost(7);
        var second = RunToyWithCost(7);

        Assert.True(first.Lines.SequenceEqual(second.Lines), "seed 7: the deliveries differ");
        Assert.Equal(first.End, second.End);
        Assert.True(first.End > TimeSpan.FromMilliseconds(5),
            $"seed 7: the toy ended at {first.End}");
    }

    [Fact]
    public void EmulatorSettings_must_read_the_delivery_costs_from_akka_hocon()
    {
        var defaults = EmulatorSettings.Create(Settings.Defaults);
        Assert.Equal(TimeSpan.FromTicks(1), defaults.SimDeliveryTime);
        Assert.Equal(TimeSpan.FromMicroseconds(1), defaults.SimXpcDeliveryTime);
        Assert.Equal(EmulatorSettings.Default, defaults);

        var tuned = EmulatorSettings.Create(Settings.Load("""
            xpmem-emulator.sim-delivery-time = 300ns
            xpmem-emulator.sim-xpc-delivery-time = 0s
            """));
        Assert.Equal(TimeSpan.FromTicks(3), tuned.SimDeliveryTime);
        Assert.Equal(TimeSpan.Zero, tuned.SimXpcDeliveryTime);

        var bare = EmulatorSettings.Create(ConfigurationFactory.ParseString(
            "xpmem-emulator.partitions = 1"));
        Assert.Equal(EmulatorSettings.Default, bare);

        Assert.ThrowsAny<Exception>(() => EmulatorSettings.Create(Settings.Load(
            "xpmem-emulator.sim-delivery-time = -1ms")));
        Assert.ThrowsAny<Exception>(() => EmulatorSettings.Create(Settings.Load(
            "xpmem-emulator.sim-xpc-delivery-time = infinite")));
    }

    private static (IReadOnlyList<string> Lines, TimeSpan End) RunToyWithCost(int seed)
    {
        var (system, loop) = SimSpecs.Create("toy", seed);
        try
        {
            loop.DeliveryTime = Tick;
            var trace = new SimTrace(loop);
            var run = ToyProtocol.Start(system);
            Assert.True(loop.RunUntil(() => run.Finished, TimeSpan.FromSeconds(10)),
                $"seed {seed}: the toy got stuck");
            loop.RunUntilIdle();
            return (trace.Lines, loop.Now);
        }
        finally
        {
            SimSystem.Shutdown(system);
        }
    }

    private void TellAfter(TimeSpan delay, string message) =>
        _system.Scheduler.ScheduleTellOnce(delay, _clocked, message, ActorRefs.NoSender);

    /// <summary>Records each message with the virtual time its handler sees.</summary>
    private sealed class Clocked : ReceiveActor
    {
        public Clocked(List<(TimeSpan At, object Message)> seen) =>
            ReceiveAny(message => seen.Add((Context.System.Scheduler.MonotonicClock, message)));
    }
}
