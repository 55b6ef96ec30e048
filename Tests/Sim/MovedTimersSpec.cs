using Akka.Actor;
using Emulator.Partitions;
using Emulator.Partitions.Sim;
using Xunit;

namespace Emulator.Tests.Sim;

// Proves that a tick an actor starts again (ActorTimers on the sim's scheduler) is moved instead
// of a new timer being set, and that nothing shows it: it fires when and in the order a new timer
// set at that moment would, once; a cancelled tick comes back to life; and a tick that already
// fired, was dropped, or would have to move earlier is replaced by a new timer as before.
public sealed class MovedTimersSpec : IDisposable
{
    private const int Seed = 9;
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    private readonly ActorSystem _system;
    private readonly SimLoop _loop;
    private readonly List<(TimeSpan At, string Tick)> _fired = [];
    private readonly IActorRef _ticker;

    public MovedTimersSpec()
    {
        (_system, _loop) = SimSpecs.Create("moved-timers", Seed);
        _ticker = _system.ActorOf(Props.Create(() => new Ticker(_fired)), "ticker");
        _loop.RunUntilIdle();
    }

    public void Dispose() => SimSystem.Shutdown(_system);

    private SimScheduler Scheduler => _loop.Scheduler;

    [Fact]
    public void A_tick_started_again_is_moved_and_fires_where_a_new_timer_set_then_would()
    {
        Do(new Start(Ticker.A, 10 * Ms), new Start(Ticker.B, 20 * Ms));
        _loop.Advance(5 * Ms);
        // Due at 20 ms like B, but set after it: it fires after B, as a new timer would.
        Do(new Start(Ticker.A, 15 * Ms));
        Assert.True(Scheduler.QueuedTimers == 2,
            $"seed {Seed}: {Scheduler.QueuedTimers} timers queued, the moved one added again");

        _loop.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal([(20 * Ms, Ticker.B), (20 * Ms, Ticker.A)], _fired);
        Assert.Equal(0, Scheduler.PendingTimers);
    }

    [Fact]
    public void A_cancelled_tick_started_again_is_moved_back_to_life()
    {
        Do(new Start(Ticker.A, 10 * Ms), new Cancel(Ticker.A));
        Assert.False(IsActive(Ticker.A), $"seed {Seed}: a cancelled tick counts as active");
        Assert.Equal(0, Scheduler.PendingTimers);

        Do(new Start(Ticker.A, 30 * Ms));

        Assert.True(IsActive(Ticker.A), $"seed {Seed}: the tick started again is not active");
        Assert.Equal(1, Scheduler.QueuedTimers);
        _loop.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([(30 * Ms, Ticker.A)], _fired);
    }

    [Fact]
    public void A_tick_moved_earlier_is_a_new_timer_and_the_old_one_never_fires()
    {
        Do(new Start(Ticker.A, 30 * Ms), new Start(Ticker.A, 10 * Ms));

        _loop.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal([(10 * Ms, Ticker.A)], _fired);
    }

    [Fact]
    public void A_tick_fired_into_the_mailbox_and_started_again_before_it_is_read_is_replaced()
    {
        Do(new Start(Ticker.A, 10 * Ms));
        // The start is queued first, then the tick fires behind it: the actor restarts a tick
        // that is no longer waiting, then reads the fired one, which must show nothing.
        _ticker.Tell(new Start(Ticker.A, 10 * Ms));
        Assert.True(Scheduler.FireNext(TimeSpan.MaxValue), $"seed {Seed}: nothing fired");
        _loop.RunUntilIdle();
        Assert.Empty(_fired);

        _loop.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal([(20 * Ms, Ticker.A)], _fired);
    }

    [Fact]
    public void A_tick_fired_into_the_mailbox_then_cancelled_shows_nothing_and_starts_again()
    {
        Do(new Start(Ticker.A, 10 * Ms));
        _ticker.Tell(new Cancel(Ticker.A));
        Assert.True(Scheduler.FireNext(TimeSpan.MaxValue), $"seed {Seed}: nothing fired");
        _loop.RunUntilIdle();
        Assert.Empty(_fired);

        Do(new Start(Ticker.A, 10 * Ms));
        _loop.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal([(20 * Ms, Ticker.A)], _fired);
    }

    [Fact]
    public void A_moved_tick_keeps_its_new_place_through_sweeps_and_a_reset_leaves_none_to_move()
    {
        _system.Scheduler.ScheduleTellOnce(
            TimeSpan.FromDays(1), _ticker, "head", ActorRefs.NoSender);
        Do(new Start(Ticker.A, 10 * Ms), new Start(Ticker.A, 30 * Ms),
            new Start(Ticker.B, 10 * Ms), new Cancel(Ticker.B));
        // Enough cancelled timers to sweep the queue a few times: B's goes with them, so B
        // started again is a new timer.
        for (var i = 0; i < 10_000; i++)
        {
            _system.Scheduler.ScheduleTellOnceCancelable(
                TimeSpan.FromDays(2), _ticker, "deadline", ActorRefs.NoSender).Cancel();
        }
        Do(new Start(Ticker.B, 50 * Ms));
        _loop.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([(30 * Ms, Ticker.A), (50 * Ms, Ticker.B)], _fired);

        // A reset drops every timer and starts time at zero again: the tick kept since (due at
        // 1.001 s) must be set anew, not moved to 2 s.
        Do(new Start(Ticker.A, Ms), new Cancel(Ticker.A));
        _loop.Reset(Seed);
        Do(new Start(Ticker.A, TimeSpan.FromSeconds(2)));
        _loop.Advance(TimeSpan.FromSeconds(3));
        Assert.True(_fired.Count == 3 && _fired[2] == (TimeSpan.FromSeconds(2), Ticker.A),
            $"seed {Seed}: after the reset: {string.Join(", ", _fired)}");
    }

    private void Do(params object[] commands)
    {
        foreach (var command in commands) _ticker.Tell(command);
        _loop.RunUntilIdle();
    }

    private bool IsActive(string tick)
    {
        var probe = new IsActiveProbe(tick);
        Do(probe);
        return probe.Active;
    }

    private sealed record Start(string Tick, TimeSpan Delay);

    private sealed record Cancel(string Tick);

    private sealed class IsActiveProbe(string tick)
    {
        public string Tick { get; } = tick;

        public bool Active { get; set; }
    }

    /// <summary>Starts and cancels ticks (each its own key and message) with ActorTimers.
    /// </summary>
    private sealed class Ticker : UntypedActor
    {
        public const string A = "a";
        public const string B = "b";

        private readonly List<(TimeSpan At, string Tick)> _fired;
        private readonly ActorTimers _timers;

        public Ticker(List<(TimeSpan At, string Tick)> fired)
        {
            _fired = fired;
            _timers = new ActorTimers(Context.System.Scheduler, Self);
        }

        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case Start start:
                    _timers.StartSingleTimer(start.Tick, start.Tick, start.Delay);
                    break;
                case Cancel cancel:
                    _timers.Cancel(cancel.Tick);
                    break;
                case IsActiveProbe probe:
                    probe.Active = _timers.IsTimerActive(probe.Tick);
                    break;
                case ActorTimers.Armed armed when _timers.Fired(armed) is string tick:
                    _fired.Add((Context.System.Scheduler.MonotonicClock, tick));
                    break;
                default:
                    // Other timers' messages (and spent ticks): only the queue's size matters.
                    break;
            }
        }
    }
}
