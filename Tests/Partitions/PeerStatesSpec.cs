// Proves a partition's view of its peers follows SGI's states: a peer goes GOINGDOWN while the
// processes that lived at that moment sever what concerns it, and DOWN once the last has severed
// or died (at once with none); UP again when XPC connects; a restart leaves every peer DOWN with
// nothing to sever. And that PartitionLives makes a crash one store: the old incarnation never
// runs again, the new one does; and that PeerView sees a rebooted partition up only once it
// rejoined (what a restart step waits for), and keeps the first times a partition gave up on a
// peer (what a failed live run names when nothing of its own made them).
// How: the plain classes, driven directly.
using Emulator.Partitions;
using Emulator.Partitions.Checks;
using Emulator.Protocol.Ids;
using Xunit;

namespace Emulator.Tests.Partitions;

public sealed class PeerStatesSpec
{
    private static readonly PartitionId P0 = new(0);
    private static readonly PartitionId P1 = new(1);
    private static readonly PartitionId P2 = new(2);

    [Fact]
    public void PeerStates_must_be_down_once_every_living_process_severed_or_died()
    {
        var peers = new PeerStates(3);
        Assert.Empty(peers.NotUp);
        Assert.False(peers.GoDown(P1, [100, 101]));
        Assert.Equal(PeerState.GoingDown, peers[P1]);
        Assert.Equal([P1], peers.NotUp);

        Assert.Empty(peers.Severed(100, P2));   // severing another peer changes nothing here
        Assert.Empty(peers.Severed(100, P1));
        Assert.Equal([P1], peers.Severed(101));  // died: severs everything
        Assert.Equal(PeerState.Down, peers[P1]);
        Assert.Empty(peers.Severed(101, P1));    // said once

        peers.Up(P1);
        Assert.Equal(PeerState.Up, peers[P1]);
        Assert.Empty(peers.NotUp);
    }

    [Fact]
    public void PeerStates_must_be_down_at_once_with_nobody_to_sever_and_after_a_restart()
    {
        var peers = new PeerStates(3);
        Assert.True(peers.GoDown(P2, []));
        Assert.Equal(PeerState.Down, peers[P2]);

        peers.AllDown(self: P0);
        Assert.Equal(PeerState.Up, peers[P0]);
        Assert.Equal([P1, P2], peers.NotUp);
    }

    [Fact]
    public void PartitionLives_must_stop_an_incarnation_at_the_crash_and_run_the_next()
    {
        var lives = new PartitionLives();
        lives.Boot(2);
        Assert.True(lives.Runs(P1, 1));
        lives.Crash(P1);
        Assert.True(lives.Crashed(P1));
        Assert.False(lives.Runs(P1, 1));
        Assert.Equal(1, lives.Incarnation(P1));
        Assert.True(lives.Runs(P0, 1));

        Assert.Equal(2, lives.Restart(P1));
        Assert.False(lives.Crashed(P1));
        Assert.False(lives.Runs(P1, 1));
        Assert.True(lives.Runs(P1, 2));
        // A partition the machine did not boot runs as its first incarnation.
        Assert.True(lives.Runs(new PartitionId(5), 1));
    }

    [Fact]
    public void PeerView_must_see_a_rebooted_partition_up_only_after_it_rejoined()
    {
        var view = new PeerView();
        Assert.True(view.UpSince(P0, P1, view.Mark, orStayed: true));    // up since boot
        Assert.False(view.UpSince(P0, P1, view.Mark, orStayed: false));  // but never came up

        view.Observe(new PartitionRestarted(P0, 2));
        var mark = view.Mark;
        Assert.False(view.UpSince(P0, P1, mark, orStayed: true));
        Assert.True(view.UpSince(P1, P0, mark, orStayed: true));         // P1 has not noticed
        view.Observe(new PeerStateChanged(P1, P0, PeerState.GoingDown));
        Assert.False(view.UpSince(P1, P0, mark, orStayed: true));
        view.Observe(new PeerStateChanged(P1, P0, PeerState.Up));
        view.Observe(new PeerStateChanged(P0, P1, PeerState.Up));
        Assert.True(view.UpSince(P0, P1, mark, orStayed: false));
        Assert.True(view.UpSince(P1, P0, mark, orStayed: false));
    }

    [Fact]
    public void PeerView_must_keep_the_first_times_a_partition_gave_up_on_a_peer()
    {
        var view = new PeerView();
        view.Observe(new PeerStateChanged(P1, P0, PeerState.Up));
        Assert.Equal(0, view.GivenUpCount);

        view.Observe(new PeerStateChanged(P1, P0, PeerState.GoingDown));
        view.Observe(new PeerStateChanged(P1, P0, PeerState.Down));   // the same giving up
        view.Observe(new PeerStateChanged(P0, P2, PeerState.GoingDown));
        Assert.Equal(2, view.GivenUpCount);
        Assert.Equal([(P1, P0), (P0, P2)], view.GivenUp);

        for (var i = 0; i < PeerView.GivenUpKept; i++)
            view.Observe(new PeerStateChanged(P2, P1, PeerState.GoingDown));
        Assert.Equal(PeerView.GivenUpKept + 2, view.GivenUpCount);
        Assert.Equal(PeerView.GivenUpKept, view.GivenUp.Count);
        Assert.Equal((P0, P2), view.GivenUp[1]);
    }
}
