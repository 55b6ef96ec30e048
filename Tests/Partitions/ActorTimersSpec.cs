// Proves the machine's actor timers keep Akka's IWithTimers promises at their lower cost: a timer's
// message arrives at its time as itself; a timer started again under its key replaces the one
// before; a cancelled timer's message is never seen, even when it was already in the mailbox; and
// a stopped actor's timers die with it (nothing reaches dead letters); a tick started again
// fires once, at its new time.
using Akka.Actor;
using Akka.Event;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Emulator.Partitions;
using Xunit;
using static Emulator.Tests.Partitions.ActorSpecSupport;

namespace Emulator.Tests.Partitions;

public sealed class ActorTimersSpec() : TestKit(VirtualTime)
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private TestScheduler Clock => (TestScheduler)Sys.Scheduler;

    private IActorRef StartTimed() =>
        Sys.ActorOf(Props.Create(() => new Timed(Machine(), TestActor)));

    [Fact]
    public void ActorTimers_must_tell_the_message_at_its_time_and_then_be_spent()
    {
        var timed = StartTimed();
        timed.Tell(new Start("k", "ring", Second));
        timed.Tell(new IsActive("k"));
        Assert.True(ExpectMsg<bool>());
        Clock.Advance(Second - TimeSpan.FromTicks(1));
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Clock.Advance(TimeSpan.FromTicks(1));
        ExpectMsg("ring");
        timed.Tell(new IsActive("k"));
        Assert.False(ExpectMsg<bool>());
    }

    [Fact]
    public void ActorTimers_must_let_a_new_timer_under_a_key_replace_the_old_one()
    {
        var timed = StartTimed();
        timed.Tell(new Start("k", "first", Second));
        timed.Tell(new Start("k", "second", 2 * Second));
        timed.Tell(new Start("other", "other", 3 * Second));
        timed.Tell(new IsActive("k"));
        Assert.True(ExpectMsg<bool>());
        Clock.Advance(Second);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Clock.Advance(Second);
        ExpectMsg("second");
        Clock.Advance(Second);
        ExpectMsg("other");
    }

    [Fact]
    public void ActorTimers_must_never_show_a_cancelled_timer_even_one_already_in_the_mailbox()
    {
        var timed = StartTimed();
        timed.Tell(new Start("k", "late", Second));
        using var release = new SemaphoreSlim(0);
        // The actor waits inside a handler while the timer fires into its mailbox behind it,
        // then cancels the timer before it gets to that message.
        timed.Tell(new CancelWhenReleased("k", release));
        ExpectMsg("waiting");
        Clock.Advance(Second);
        release.Release();
        ExpectMsg("cancelled");
        timed.Tell(new IsActive("k"));
        Assert.False(ExpectMsg<bool>());
        timed.Tell(new Start("all", "gone", Second));
        timed.Tell(new CancelAll());
        timed.Tell(new IsActive("all"));
        Assert.False(ExpectMsg<bool>());
        Clock.Advance(Second);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void ActorTimers_must_keep_their_promises_with_several_timers_live_at_once()
    {
        // A lone timer is kept apart from the dictionary made for a second one: replacing,
        // cancelling and firing must not depend on which holds it.
        var timed = StartTimed();
        timed.Tell(new Start("a", "a1", Second));
        timed.Tell(new Start("b", "b1", Second));
        timed.Tell(new Start("a", "a2", 2 * Second));
        timed.Tell(new Cancel("b"));
        timed.Tell(new IsActive("b"));
        Assert.False(ExpectMsg<bool>());
        Clock.Advance(Second);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Clock.Advance(Second);
        ExpectMsg("a2");
        timed.Tell(new IsActive("a"));
        Assert.False(ExpectMsg<bool>());
        timed.Tell(new Start("c", "c1", Second));
        timed.Tell(new Start("d", "d1", Second));
        timed.Tell(new CancelAll());
        Clock.Advance(Second);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    // A tick (its message is its key) is moved, not replaced: on Akka's schedulers its registration
    // runs out and, if the tick was moved past it, registers again for the rest.

    [Fact]
    public void ActorTimers_must_fire_a_tick_started_again_at_its_new_time_only()
    {
        var timed = StartTimed();
        timed.Tell(new Start("tick", "tick", Second));
        Settled(timed);
        Clock.Advance(Second / 2);
        timed.Tell(new Start("tick", "tick", Second));
        timed.Tell(new IsActive("tick"));
        Assert.True(ExpectMsg<bool>());
        Clock.Advance(Second / 2);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Clock.Advance(Second / 2 - TimeSpan.FromTicks(1));
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Clock.Advance(TimeSpan.FromTicks(1));
        ExpectMsg("tick");
        Clock.Advance(10 * Second);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void ActorTimers_must_show_nothing_of_a_cancelled_tick_and_bring_it_back_when_started()
    {
        var timed = StartTimed();
        // Cancelled and left to run out; then started again once it has.
        timed.Tell(new Start("tick", "tick", Second));
        timed.Tell(new Cancel("tick"));
        timed.Tell(new IsActive("tick"));
        Assert.False(ExpectMsg<bool>());
        Clock.Advance(Second);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        timed.Tell(new Start("tick", "tick", Second));
        Settled(timed);
        Clock.Advance(Second);
        ExpectMsg("tick");
        // Cancelled and started again before its registration fires: due from the new start.
        timed.Tell(new Start("tick", "tick", Second));
        Settled(timed);
        Clock.Advance(Second / 2);
        timed.Tell(new Cancel("tick"));
        timed.Tell(new Start("tick", "tick", Second));
        timed.Tell(new IsActive("tick"));
        Assert.True(ExpectMsg<bool>());
        Clock.Advance(Second / 2);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Clock.Advance(Second / 2);
        ExpectMsg("tick");
        Clock.Advance(10 * Second);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void ActorTimers_must_replace_a_tick_started_again_sooner_than_it_fires()
    {
        var timed = StartTimed();
        timed.Tell(new Start("tick", "tick", 2 * Second));
        timed.Tell(new Start("tick", "tick", Second));
        Settled(timed);
        Clock.Advance(Second);
        ExpectMsg("tick");
        Clock.Advance(10 * Second);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void ActorTimers_must_cancel_every_timer_when_the_actor_stops()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(DeadLetter));
        var timed = StartTimed();
        timed.Tell(new Start("k", "after-stop", Second));
        timed.Tell(new IsActive("k"));
        Assert.True(ExpectMsg<bool>());
        Watch(timed);
        Sys.Stop(timed);
        ExpectTerminated(timed);
        Clock.Advance(Second);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    /// <summary>Returns once the actor has handled everything told to it before.</summary>
    private void Settled(IActorRef timed)
    {
        timed.Tell(new IsActive("settled"));
        ExpectMsg<bool>();
    }

    private sealed record Start(string Key, string Message, TimeSpan Delay);

    private sealed record IsActive(string Key);

    private sealed record CancelWhenReleased(string Key, SemaphoreSlim Release);

    private sealed record Cancel(string Key);

    private sealed record CancelAll;

    private sealed class Timed(MachineContext machine, IActorRef observer) : EmulatorActor(machine)
    {
        protected override bool Receive(object message)
        {
            switch (message)
            {
                case Start start:
                    Timers.StartSingleTimer(start.Key, start.Message, start.Delay);
                    return true;
                case IsActive active:
                    Sender.Tell(Timers.IsTimerActive(active.Key));
                    return true;
                case CancelWhenReleased cancel:
                    observer.Tell("waiting");
                    Assert.True(cancel.Release.Wait(TimeSpan.FromSeconds(10)), "never released");
                    Timers.Cancel(cancel.Key);
                    observer.Tell("cancelled");
                    return true;
                case Cancel cancel:
                    Timers.Cancel(cancel.Key);
                    return true;
                case CancelAll:
                    Timers.CancelAll();
                    return true;
                case string fired:
                    observer.Tell(fired);
                    return true;
                default:
                    return false;
            }
        }
    }
}
