// Proves what SimTimers offers a strategy while a mailbox stays ready (an actor that keeps
// telling itself): Idle never (the timer waits until the actor is done), Due once the
// deliveries' cost has moved the clock past the timer's time (the clock stays where it is), Race
// at once (the clock jumps to the timer's time). Timers chosen are decisions like any other.
using Akka.Actor;
using Emulator.Partitions.Sim;
using Xunit;

namespace Emulator.Tests.Sim;

public sealed class SimLoopTimersSpec
{
    private const int Seed = 3;
    private const int Rounds = 1000;
    private static readonly TimeSpan Due = TimeSpan.FromMilliseconds(5);

    [Fact]
    public void Idle_must_fire_the_timer_only_once_nothing_is_ready()
    {
        var (rounds, at, _) = Run(SimTimers.Idle, deliveryTime: TimeSpan.Zero);
        Assert.True(rounds == Rounds, $"seed {Seed}: fired after {rounds} rounds");
        Assert.Equal(Due, at);
    }

    [Fact]
    public void Due_must_offer_the_timer_once_the_deliveries_cost_passed_its_time()
    {
        var (rounds, at, _) = Run(SimTimers.Due, deliveryTime: TimeSpan.FromMilliseconds(1));
        Assert.True(rounds is >= 5 and <= 6, $"seed {Seed}: fired after {rounds} rounds");
        Assert.True(at >= Due && at <= Due + TimeSpan.FromMilliseconds(1), $"fired at {at}");
    }

    [Fact]
    public void Race_must_offer_the_timer_at_once_and_move_the_clock_to_it()
    {
        var (rounds, at, decisions) = Run(SimTimers.Race, deliveryTime: TimeSpan.Zero);
        Assert.True(rounds <= 1, $"seed {Seed}: fired after {rounds} rounds");
        Assert.Equal(Due, at);
        Assert.True(decisions >= 1, "firing the timer was not a decision");
    }

    private static (int Rounds, TimeSpan At, long Decisions) Run(SimTimers timers,
        TimeSpan deliveryTime)
    {
        var (system, loop) = SimSpecs.Create("timers", Seed);
        try
        {
            loop.Strategy = new TimerFirst();
            loop.Timers = timers;
            loop.DeliveryTime = deliveryTime;
            loop.Reset(Seed);
            var state = new State();
            var spinner = system.ActorOf(Props.Create(() => new Spinner(state)), "spinner");
            loop.RunUntilIdle();
            system.Scheduler.Advanced.ScheduleOnce(Due, () =>
            {
                state.FiredAfter = state.Rounds;
                state.FiredAt = loop.Now;
            });
            spinner.Tell(0);
            Assert.True(loop.RunUntil(() => state.FiredAt is not null && state.Rounds == Rounds,
                TimeSpan.FromSeconds(10)), $"seed {Seed}: stuck");
            return (state.FiredAfter, state.FiredAt!.Value, loop.Decisions);
        }
        finally
        {
            SimSystem.Shutdown(system);
        }
    }

    /// <summary>Fires the timer whenever it is offered; else the first ready mailbox.</summary>
    private sealed class TimerFirst : SimStrategy
    {
        public override string Name => "timer-first";

        public override void Begin(int seed)
        {
        }

        public override int Choose(SimOffer offer) => offer.TimerOffered ? offer.TimerOption : 0;
    }

    private sealed class State
    {
        public int Rounds;
        public int FiredAfter;
        public TimeSpan? FiredAt;
    }

    private sealed class Spinner(State state) : UntypedActor
    {
        protected override void OnReceive(object message)
        {
            state.Rounds++;
            if (state.Rounds < Rounds) Self.Tell(0);
        }
    }
}
