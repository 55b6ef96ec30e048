// Proves the live quiescence detector: a waiter returns at the first moment no mailbox run is
// pending or running and its condition holds, not before (a relay of messages across actors on
// real threads is over when it returns, every hop counted), it wakes on the run that ends the
// work rather than at a poll, and it gives up at its wall-clock bound. No test sleeps: the
// actors' work and the waits' bounds are all there is.
using Akka.Actor;
using Emulator.Partitions;
using Emulator.Partitions.Live;
using Xunit;

namespace Emulator.Tests.Live;

public sealed class LiveActivitySpec
{
    /// <summary>A guard, far above what any wait here takes: reaching it fails the test.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public void LiveActivity_must_be_quiet_at_once_with_nothing_in_flight()
    {
        var activity = new LiveActivity();
        Assert.True(activity.WaitUntilQuiet(() => true, TimeSpan.Zero));
    }

    [Fact]
    public void LiveActivity_must_give_up_at_its_bound_while_a_run_is_in_flight()
    {
        var activity = new LiveActivity();
        activity.RunScheduled();
        Assert.False(activity.WaitUntilQuiet(() => true, TimeSpan.FromMilliseconds(20)));
        Assert.Equal(1, activity.RunsInFlight);
    }

    [Fact]
    public void LiveActivity_must_give_up_at_its_bound_while_the_condition_does_not_hold()
    {
        var activity = new LiveActivity();
        Assert.False(activity.WaitUntilQuiet(() => false, TimeSpan.FromMilliseconds(20)));
    }

    [Fact]
    public async Task LiveActivity_must_wake_its_waiter_when_the_last_run_ends()
    {
        var activity = new LiveActivity();
        activity.RunScheduled();
        activity.RunScheduled();
        var waiter = Task.Run(() => activity.WaitUntilQuiet(() => true, Bound));
        activity.RunEnded();
        Assert.False(waiter.IsCompleted, "woke with a run in flight");
        activity.RunEnded();
        Assert.True(await waiter.WaitAsync(Bound), "did not wake when the last run ended");
        Assert.Equal(1, activity.QuietMoments);
    }

    [Fact]
    public async Task LiveActivity_must_check_the_condition_again_at_each_quiet_moment()
    {
        var activity = new LiveActivity();
        var settled = 0;
        var waiter = Task.Run(() => activity.WaitUntilQuiet(() => Volatile.Read(ref settled) == 1,
            Bound));
        // A run that changes nothing the waiter needs: quiet again, still not settled.
        activity.RunScheduled();
        activity.RunEnded();
        // A run that settles it: the quiet moment after it ends the wait.
        activity.RunScheduled();
        Volatile.Write(ref settled, 1);
        activity.RunEnded();
        Assert.True(await waiter.WaitAsync(Bound), "not woken by the settling run");
    }

    [Fact]
    public void LiveActivity_must_refuse_a_run_that_ends_without_being_scheduled()
    {
        Assert.Throws<InvariantException>(() => new LiveActivity().RunEnded());
    }

    [Fact]
    public void LiveSystem_must_be_quiet_only_once_a_relay_across_actors_has_ended()
    {
        const int hops = 2_000;
        var system = LiveSystem.Create("relay");
        try
        {
            var activity = LiveSystem.ActivityOf(system);
            var counted = new int[1];
            var relays = Enumerable.Range(0, 4)
                .Select(i => system.ActorOf(Props.Create(() => new Relay(counted)), $"r{i}"))
                .ToArray();
            foreach (var relay in relays) relay.Tell(relays);
            Assert.True(activity.WaitUntilQuiet(() => true, Bound), "the relays never set up");
            var deliveriesBefore = activity.Deliveries;

            relays[0].Tell(hops);
            Assert.True(activity.WaitUntilQuiet(() => true, Bound), "never quiet");

            // Quiet came only after the last hop: every one was handled already.
            Assert.Equal(hops + 1, Volatile.Read(ref counted[0]));
            Assert.Equal(hops + 1, activity.Deliveries - deliveriesBefore);
        }
        finally
        {
            LiveSystem.Shutdown(system);
        }
    }

    [Fact]
    public void LiveSystem_must_count_a_timer_only_once_it_fires()
    {
        var system = LiveSystem.Create("timer");
        try
        {
            var activity = LiveSystem.ActivityOf(system);
            var counted = new int[1];
            var relay = system.ActorOf(Props.Create(() => new Relay(counted)), "r");
            relay.Tell(new[] { relay });
            Assert.True(activity.WaitUntilQuiet(() => true, Bound));

            system.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(50), relay, 0,
                ActorRefs.NoSender);
            // Quiet while the timer is pending; the condition waits for what it brings.
            Assert.True(activity.WaitUntilQuiet(() => true, Bound));
            Assert.True(activity.WaitUntilQuiet(() => Volatile.Read(ref counted[0]) == 1, Bound),
                "the timer's message never arrived");
        }
        finally
        {
            LiveSystem.Shutdown(system);
        }
    }

    /// <summary>Passes a countdown to the next relay (in a ring) until it reaches zero.</summary>
    private sealed class Relay : ReceiveActor
    {
        private IActorRef[] _ring = [];

        public Relay(int[] counted)
        {
            Receive<IActorRef[]>(ring => _ring = ring);
            Receive<int>(left =>
            {
                Interlocked.Increment(ref counted[0]);
                if (left > 0) _ring[left % _ring.Length].Tell(left - 1);
            });
        }
    }
}
