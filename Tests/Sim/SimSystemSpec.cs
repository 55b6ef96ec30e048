using Akka.Actor;
using Akka.Configuration;
using Emulator.Partitions.Sim;
using Xunit;

namespace Emulator.Tests.Sim;

// Proves that a sim system starts top-level actors as loop steps, and that Shutdown terminates
// it without hanging, with or without coordinated shutdown, with actors and timers still live.
public sealed class SimSystemSpec
{
    private static readonly TimeSpan VirtualLimit = TimeSpan.FromSeconds(10);

    [Fact]
    public void SimSystem_must_start_top_level_actors_only_when_the_loop_runs()
    {
        const int seed = 11;
        var (system, loop) = SimSpecs.Create("top-level", seed);
        try
        {
            var trace = new SimTrace(loop);
            var first = system.ActorOf(Props.Create(() => new Echo()), "first");
            var second = system.ActorOf(Props.Create(() => new Echo()), "second");
            first.Tell("hello");
            second.Tell("hello");
            Assert.True(loop.Deliveries == 0, $"seed {seed}: delivered before the loop ran");

            loop.RunUntilIdle();

            Assert.True(trace.Lines.Count == 2, $"seed {seed}: {string.Join(" | ", trace.Lines)}");
            Assert.Contains("/user/first hello", trace.Lines);
            Assert.Contains("/user/second hello", trace.Lines);
        }
        finally
        {
            SimSystem.Shutdown(system);
        }
    }

    [Fact]
    public void SimSystem_must_simulate_the_user_guardian_and_leave_system_actors_elsewhere()
    {
        var (system, loop) = SimSpecs.Create("guardian", 19);
        try
        {
            var provider = ((ExtendedActorSystem)system).Provider;
            // Top-level actors start inside the /user guardian's run: it must be a loop step.
            var userGuardian = provider.Guardian.Cell.Mailbox!;
            var systemGuardian = provider.SystemGuardian.Cell.Mailbox!;
            Assert.True(loop.IsAdopted(userGuardian), "the /user guardian is not simulated");
            Assert.False(loop.IsAdopted(systemGuardian), "the /system guardian is simulated");
        }
        finally
        {
            SimSystem.Shutdown(system);
        }
    }

    [Theory]
    [InlineData("on")]
    [InlineData("off")]
    public void SimSystem_must_shut_down_with_live_actors_and_timers(string coordinated)
    {
        const int seed = 13;
        var extra = ConfigurationFactory.ParseString(
            $"akka.coordinated-shutdown.run-by-actor-system-terminate = {coordinated}");
        var (system, loop) = SimSpecs.Create("shutdown", seed, extra);
        var run = ToyProtocol.Start(system);
        Assert.False(
            loop.RunUntil(() => run.Finished, TimeSpan.FromMilliseconds(6)),
            $"seed {seed}: the toy finished too early to test a live shutdown");

        SimSystem.Shutdown(system);

        Assert.True(system.WhenTerminated.IsCompleted, $"seed {seed}: not terminated");
        Assert.True(run.Finished, $"seed {seed}: the coordinator did not stop");
    }

    [Fact]
    public void SimSystem_must_shut_down_a_system_twice_without_hanging()
    {
        var (system, loop) = SimSpecs.Create("twice", 17);
        system.ActorOf(Props.Create(() => new Echo()), "echo");
        loop.RunUntilIdle();

        SimSystem.Shutdown(system);
        SimSystem.Shutdown(system);

        Assert.True(system.WhenTerminated.IsCompleted);
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo()
        {
            ReceiveAny(message => Sender.Tell(message));
        }
    }
}
