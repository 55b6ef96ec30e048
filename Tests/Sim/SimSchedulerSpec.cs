using Akka.Actor;
using Emulator.Partitions.Sim;
using Xunit;

namespace Emulator.Tests.Sim;

// Proves that time in a sim system is virtual: timers (actor timers, ScheduleTellOnce, periodic)
// fire only when the loop fires them, in (due time, registration) order, each at its due time;
// cancelled timers never fire, nor stay queued in their thousands; and RunUntil reports a stuck
// run instead of waiting.
public sealed class SimSchedulerSpec : IDisposable
{
    private const int Seed = 5;

    private readonly ActorSystem _system;
    private readonly SimLoop _loop;
    private readonly List<(TimeSpan At, object Message)> _received = new();
    private readonly IActorRef _recorder;

    public SimSchedulerSpec()
    {
        (_system, _loop) = SimSpecs.Create("timers", Seed);
        _recorder = _system.ActorOf(Props.Create(() => new Recorder(_received)), "recorder");
        _loop.RunUntilIdle();
    }

    public void Dispose() => SimSystem.Shutdown(_system);

    [Fact]
    public void SimScheduler_must_fire_an_actor_timer_only_when_virtual_time_reaches_it()
    {
        _recorder.Tell(new Recorder.StartSingle("once", TimeSpan.FromMilliseconds(100)));
        _loop.RunUntilIdle();
        Assert.Empty(Timed());

        _loop.Advance(TimeSpan.FromMilliseconds(99));
        Assert.True(Timed().Count == 0, $"seed {Seed}: fired before its due time");
        Assert.Equal(TimeSpan.FromMilliseconds(99), _loop.Now);

        _loop.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(new[] { (TimeSpan.FromMilliseconds(100), (object)"once") }, Timed());
        Assert.Equal(TimeSpan.FromMilliseconds(100), _loop.Now);
    }

    [Fact]
    public void SimScheduler_must_fire_timers_in_due_order_then_registration_order()
    {
        TellAfter(30, "c");
        TellAfter(10, "a");
        TellAfter(20, "b1");
        TellAfter(20, "b2");

        _loop.Advance(TimeSpan.FromSeconds(1));

        var expected = new[]
        {
            (TimeSpan.FromMilliseconds(10), (object)"a"),
            (TimeSpan.FromMilliseconds(20), (object)"b1"),
            (TimeSpan.FromMilliseconds(20), (object)"b2"),
            (TimeSpan.FromMilliseconds(30), (object)"c"),
        };
        Assert.Equal(expected, _received);
        Assert.Equal(TimeSpan.FromSeconds(1), _loop.Now);
    }

    [Fact]
    public void SimScheduler_must_repeat_a_periodic_timer_at_each_interval()
    {
        _recorder.Tell(new Recorder.StartPeriodic("beat", TimeSpan.FromMilliseconds(10)));
        _loop.Advance(TimeSpan.FromMilliseconds(35));

        var times = Timed().Select(entry => entry.At.TotalMilliseconds).ToList();
        var expected = new[] { 10.0, 20.0, 30.0 };
        Assert.True(times.SequenceEqual(expected), $"seed {Seed}: {string.Join(",", times)}");
    }

    [Fact]
    public void SimScheduler_must_not_fire_cancelled_timers()
    {
        var cancelable = _system.Scheduler.ScheduleTellOnceCancelable(
            TimeSpan.FromMilliseconds(10), _recorder, "cancelled", ActorRefs.NoSender);
        _recorder.Tell(new Recorder.StartPeriodic("beat", TimeSpan.FromMilliseconds(10)));
        _recorder.Tell(new Recorder.StartSingle("single", TimeSpan.FromMilliseconds(10)));
        _loop.RunUntilIdle();
        cancelable.Cancel();
        _recorder.Tell(new Recorder.Cancel("beat"));
        _recorder.Tell(new Recorder.Cancel("single"));
        _loop.RunUntilIdle();

        _loop.Advance(TimeSpan.FromSeconds(1));

        Assert.True(Timed().Count == 0, $"seed {Seed}: {string.Join(",", Timed())}");
        Assert.Equal(0, _loop.Scheduler.PendingTimers);
    }

    [Fact]
    public void SimScheduler_must_not_keep_cancelled_timers_that_are_not_due()
    {
        // As a reply deadline is armed and disarmed per request: cancelled long before it is due,
        // behind a timer that stays at the head of the queue.
        _system.Scheduler.ScheduleTellOnce(
            TimeSpan.FromDays(1), _recorder, "head", ActorRefs.NoSender);
        for (var i = 0; i < 100_000; i++)
        {
            var deadline = _system.Scheduler.ScheduleTellOnceCancelable(
                TimeSpan.FromDays(2), _recorder, "deadline", ActorRefs.NoSender);
            deadline.Cancel();
        }

        Assert.Equal(1, _loop.Scheduler.PendingTimers);
        Assert.True(_loop.Scheduler.QueuedTimers <= 2048,
            $"seed {Seed}: {_loop.Scheduler.QueuedTimers} timers queued, 1 of them live");
        _loop.Advance(TimeSpan.FromDays(3));
        Assert.Equal(new[] { (TimeSpan.FromDays(1), (object)"head") }, Timed());
    }

    [Fact]
    public void SimScheduler_must_keep_a_timer_set_for_the_end_of_time_pending()
    {
        _loop.Advance(TimeSpan.FromSeconds(1));
        _system.Scheduler.ScheduleTellOnce(
            TimeSpan.MaxValue, _recorder, "never", ActorRefs.NoSender);

        _loop.Advance(TimeSpan.FromDays(1000));

        Assert.True(Timed().Count == 0, $"seed {Seed}: the end of time came");
        Assert.Equal(1, _loop.Scheduler.PendingTimers);
    }

    [Fact]
    public void SimLoop_must_return_false_from_RunUntil_when_the_run_is_stuck()
    {
        _recorder.Tell(new Recorder.StartSingle("late", TimeSpan.FromSeconds(5)));

        var finished = _loop.RunUntil(() => Timed().Count > 0, TimeSpan.FromSeconds(1));

        Assert.False(finished, $"seed {Seed}: a timer beyond the limit fired");
        Assert.True(_loop.IsIdle);
        Assert.True(_loop.Now < TimeSpan.FromSeconds(1), $"seed {Seed}: time moved to {_loop.Now}");
        Assert.True(
            _loop.RunUntil(() => Timed().Count > 0, TimeSpan.FromSeconds(5)),
            $"seed {Seed}: the timer within the limit did not fire");
        Assert.Equal(TimeSpan.FromSeconds(5), _loop.Now);
    }

    [Fact]
    public void SimScheduler_must_show_virtual_time_to_actors()
    {
        _loop.Advance(TimeSpan.FromMinutes(3));

        Assert.Equal(SimScheduler.Epoch + TimeSpan.FromMinutes(3), _system.Scheduler.Now);
        Assert.Equal(TimeSpan.FromMinutes(3), _system.Scheduler.MonotonicClock);
    }

    private void TellAfter(int milliseconds, string message) =>
        _system.Scheduler.ScheduleTellOnce(
            TimeSpan.FromMilliseconds(milliseconds), _recorder, message, ActorRefs.NoSender);

    /// <summary>
    /// The messages that timers brought (the commands told directly are left out).
    /// </summary>
    private List<(TimeSpan At, object Message)> Timed() =>
        _received.Where(entry => entry.Message is string).ToList();

    /// <summary>
    /// Starts and cancels actor timers on command; records each message with its time.
    /// </summary>
    private sealed class Recorder : ReceiveActor, IWithTimers
    {
        public Recorder(List<(TimeSpan At, object Message)> received)
        {
            Receive<StartSingle>(start =>
                Timers.StartSingleTimer(start.Key, start.Key, start.Delay));
            Receive<StartPeriodic>(start =>
                Timers.StartPeriodicTimer(start.Key, start.Key, start.Interval));
            Receive<Cancel>(cancel => Timers.Cancel(cancel.Key));
            Receive<string>(text => received.Add((Context.System.Scheduler.MonotonicClock, text)));
        }

        public ITimerScheduler Timers { get; set; } = null!;

        public sealed record StartSingle(string Key, TimeSpan Delay);

        public sealed record StartPeriodic(string Key, TimeSpan Interval);

        public sealed record Cancel(string Key);
    }
}
