// Proves each strategy's rule on the loop's own ready set, with no actors running: pct draws
// depth-1 distinct change points among the estimated decisions and always runs the highest
// priority actor, which changes only at a change point (where a timer offered before its time
// fires instead); round-robin serves actors in the order
// they became ready, so none waits more turns than there are ready actors; random draws what
// the loop always drew (one Next(count) a step, as Random(seed) does); replay takes the
// recorded options counted from the first-come one, and names the decision that does not fit.
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;
using Emulator.Partitions.Sim;
using Xunit;

namespace Emulator.Tests.Sim;

public sealed class SimStrategySpec
{
    [Fact]
    public void Pct_must_draw_depth_minus_one_distinct_change_points_among_the_estimated_steps()
    {
        for (var seed = 1; seed <= 50; seed++)
        {
            var pct = new PctStrategy(depth: 4, estimatedSteps: 20);
            pct.Begin(seed);
            var points = pct.ChangePoints;
            Assert.True(points.Count == 3, $"seed {seed}: {points.Count} change points");
            Assert.True(points.Distinct().Count() == 3 && points.All(p => p is >= 1 and <= 20)
                && points.SequenceEqual(points.Order()),
                $"seed {seed}: {string.Join(",", points)}");
            var again = new PctStrategy(depth: 4, estimatedSteps: 20);
            again.Begin(seed);
            Assert.True(points.SequenceEqual(again.ChangePoints), $"seed {seed}: not repeatable");
        }
        var none = new PctStrategy(depth: 1, estimatedSteps: 20);
        none.Begin(1);
        Assert.Empty(none.ChangePoints);
    }

    [Fact]
    public void Pct_must_run_the_highest_priority_actor_and_switch_only_at_a_change_point()
    {
        const int seed = 11;
        var pct = new PctStrategy(depth: 2, estimatedSteps: 30);
        pct.Begin(seed);
        var change = pct.ChangePoints.Single();
        var ready = new ReadyBoxes(3);
        var chosen = new List<long>();
        for (var decision = 1; decision <= 30; decision++)
        {
            // Every actor stays ready: only priorities decide.
            var option = pct.Choose(ready.Offer);
            chosen.Add(ready.Offer.ActorAt(option));
        }
        var before = chosen.Take((int)change - 1).Distinct().ToList();
        var after = chosen.Skip((int)change - 1).Distinct().ToList();
        Assert.True(before.Count <= 1 && after.Count == 1 && (before.Count == 0
            || before[0] != after[0]), $"seed {seed}: change point {change}, chosen "
            + string.Join(",", chosen));
    }

    [Fact]
    public void RoundRobin_must_let_no_ready_actor_wait_more_turns_than_there_are_actors()
    {
        var ready = new ReadyBoxes(5);
        var strategy = new RoundRobinStrategy();
        var waited = new Dictionary<long, int>();
        for (var turn = 0; turn < 100; turn++)
        {
            var option = strategy.Choose(ready.Offer);
            var actor = ready.Offer.ActorAt(option);
            foreach (var other in ready.Actors) waited[other] = waited.GetValueOrDefault(other) + 1;
            waited[actor] = 0;
            ready.RunAndMakeReadyAgain(option);
            Assert.True(waited.Values.Max() < 5, $"turn {turn}: an actor waited "
                + $"{waited.Values.Max()} turns");
        }
    }

    [Fact]
    public void Random_must_draw_one_Next_of_the_count_per_step_as_the_seed_always_gave()
    {
        const int seed = 42;
        var strategy = new RandomStrategy();
        strategy.Begin(seed);
        var expected = new Random(seed);
        var ready = new ReadyBoxes(4);
        for (var step = 0; step < 200; step++)
        {
            Assert.True(strategy.Choose(ready.Offer) == expected.Next(4),
                $"seed {seed} step {step}");
        }
    }

    [Fact]
    public void Random_and_pct_must_take_a_timer_offered_before_its_time_rarely()
    {
        const int seed = 8;
        const int decisions = 3200;
        var ready = new ReadyBoxes(3);
        ready.Offer.Set(timerOffered: true, timerIsDue: false);
        var random = new RandomStrategy();
        random.Begin(seed);
        var timers = Enumerable.Range(0, decisions)
            .Count(_ => random.Choose(ready.Offer) == ready.Offer.TimerOption);
        var expected = decisions / RandomStrategy.EarlyTimerOdds;
        Assert.True(timers > expected / 2 && timers < expected * 2,
            $"seed {seed}: random took the early timer {timers} times in {decisions}");

        var pct = new PctStrategy(depth: 4, estimatedSteps: decisions);
        pct.Begin(seed);
        var at = Enumerable.Range(1, decisions)
            .Where(_ => pct.Choose(ready.Offer) == ready.Offer.TimerOption).Select(d => (long)d);
        Assert.True(at.SequenceEqual(pct.ChangePoints),
            $"seed {seed}: pct fired it at {string.Join(",", at)}, change points "
            + string.Join(",", pct.ChangePoints));
    }

    [Fact]
    public void Replay_must_count_options_from_the_first_come_and_name_a_choice_that_does_not_fit()
    {
        var ready = new ReadyBoxes(3);
        var replay = new ReplayStrategy([0, 2, 1, 5], []);
        replay.Begin(1);
        var oldest = ready.Offer.Oldest;
        Assert.Equal(oldest, replay.Choose(ready.Offer));
        Assert.Equal((oldest + 2) % 3, replay.Choose(ready.Offer));
        Assert.Equal((oldest + 1) % 3, replay.Choose(ready.Offer));
        Assert.Null(replay.Mismatch);
        replay.Choose(ready.Offer);
        Assert.Equal("decision 4 of the schedule takes option 5 of 3", replay.Mismatch);
        // Past its end the default order: no mismatch for a schedule cut short.
        var cut = new ReplayStrategy([], []);
        cut.Begin(1);
        Assert.Equal(oldest, cut.Choose(ready.Offer));
        Assert.Null(cut.Mismatch);
    }

    /// <summary>The loop's ready set over bare mailboxes, and its offer.</summary>
    private sealed class ReadyBoxes
    {
        private readonly SimReadySet _set = new();
        private readonly List<Mailbox> _boxes = [];

        public ReadyBoxes(int count)
        {
            Offer = new SimOffer(_set);
            for (var i = 0; i < count; i++)
            {
                var box = new Mailbox(new UnboundedMessageQueue());
                _set.Adopt(box);
                _set.TryAdd(box);
                _set.NextStep();
                _boxes.Add(box);
            }
        }

        public SimOffer Offer { get; }

        public IEnumerable<long> Actors => Enumerable.Range(0, _set.Count).Select(_set.NumberAt);

        /// <summary>The chosen mailbox runs and, having more messages, is ready again.</summary>
        public void RunAndMakeReadyAgain(int option)
        {
            _set.NextStep();
            var box = _set.TakeAt(option);
            _set.TryAdd(box);
        }
    }
}
