// Proves a segment's faults in flight: a lookup and a hold are tracked apart (the segment is idle
// only with neither), an invalidation marks exactly the lookups whose source lies in its range
// (holds are not lookups), abandoning a lookup marks it while abandoning a hold ends it and hands
// back its pin, and an answer to a lookup the segment does not have is a bug.
using Akka.Actor;
using Emulator.Partitions;
using Emulator.Partitions.Segments;
using Emulator.Protocol.Faults;
using Emulator.Protocol.Ids;
using Xunit;

namespace Emulator.Tests.Segments;

public sealed class PinRequestsSpec
{
    private static readonly PartitionId P0 = new(0);
    private static readonly TgId Attacher = new(new PartitionId(1), 200);

    private static RequestId Id(long n) => new(P0, n);

    private static Fault.Pin Pin(long n, ulong source) =>
        new(Id(n), source, Attacher, 1, new Endpoint(P0, ActorRefs.Nobody), default, OwnerMm.Same);

    [Fact]
    public void PinRequests_must_track_a_lookup_until_the_owner_answers()
    {
        var requests = new PinRequests();
        Assert.True(requests.Idle);
        var pin = Pin(1, 0x10000);
        requests.StartLookup(pin);
        Assert.Equal(1, requests.Lookups);
        Assert.False(requests.Idle);
        var lookup = requests.EndLookup(Id(1));
        Assert.Same(pin, lookup.Pin);
        Assert.False(lookup.Invalid);
        Assert.False(lookup.Abandoned);
        Assert.Equal(0, requests.Lookups);
        Assert.True(requests.Idle);
    }

    [Fact]
    public void PinRequests_must_refuse_an_answer_to_a_lookup_it_does_not_have()
    {
        var requests = new PinRequests();
        Assert.Throws<InvariantException>(() => requests.EndLookup(Id(9)));
        requests.StartLookup(Pin(1, 0x10000));
        requests.EndLookup(Id(1));
        Assert.Throws<InvariantException>(() => requests.EndLookup(Id(1)));
        requests.Hold(Pin(2, 0x10000), 77);
        Assert.Throws<InvariantException>(() => requests.EndLookup(Id(2)));
        Assert.Equal(1, requests.Holds);
    }

    [Fact]
    public void PinRequests_must_refuse_to_start_a_fault_already_served()
    {
        var requests = new PinRequests();
        requests.StartLookup(Pin(1, 0x10000));
        Assert.Throws<InvariantException>(() => requests.StartLookup(Pin(1, 0x20000)));
        requests.Hold(Pin(2, 0x10000), 5);
        Assert.Throws<InvariantException>(() => requests.StartLookup(Pin(2, 0x20000)));
        Assert.Equal(1, requests.Lookups);
        Assert.Equal(1, requests.Holds);
    }

    [Fact]
    public void PinRequests_must_end_a_hold_once_and_call_a_second_end_stale()
    {
        var requests = new PinRequests();
        requests.StartLookup(Pin(1, 0x10000));
        requests.EndLookup(Id(1));
        requests.Hold(Pin(1, 0x10000), 31);
        Assert.Equal(1, requests.Holds);
        Assert.False(requests.Idle);
        Assert.Equal(31, requests.EndHold(Id(1))?.PinId);
        Assert.True(requests.Idle);
        Assert.Null(requests.EndHold(Id(1)));
        Assert.Null(requests.EndHold(Id(2)));
    }

    [Fact]
    public void PinRequests_must_invalidate_exactly_the_lookups_whose_source_lies_in_the_range()
    {
        var requests = new PinRequests();
        requests.StartLookup(Pin(1, 0x0fff));   // just below
        requests.StartLookup(Pin(2, 0x1000));   // first byte
        requests.StartLookup(Pin(3, 0x2abc));   // inside
        requests.StartLookup(Pin(4, 0x2fff));   // last byte
        requests.StartLookup(Pin(5, 0x3000));   // the end is not in it
        requests.Hold(Pin(6, 0x10000), 66);                   // a hold is not a lookup
        Assert.Equal(3, requests.Invalidate(0x1000, 0x3000));
        var invalid = Enumerable.Range(1, 5)
            .Where(n => requests.EndLookup(Id(n)).Invalid).ToList();
        Assert.Equal([2, 3, 4], invalid);
        Assert.Equal(1, requests.Holds);
    }

    [Fact]
    public void PinRequests_must_count_only_lookups_in_range_and_keep_an_earlier_mark()
    {
        var requests = new PinRequests();
        requests.StartLookup(Pin(1, 0x5000));
        Assert.Equal(0, requests.Invalidate(0x6000, 0x8000));
        Assert.Equal(1, requests.Invalidate(0x5000, 0x6000));
        Assert.Equal(0, requests.Invalidate(0x6000, 0x7000));
        Assert.True(requests.EndLookup(Id(1)).Invalid);
        Assert.Equal(0, new PinRequests().Invalidate(0, ulong.MaxValue));
    }

    [Fact]
    public void PinRequests_must_mark_an_abandoned_lookup_and_keep_it_until_answered()
    {
        var requests = new PinRequests();
        requests.StartLookup(Pin(1, 0x10000));
        Assert.Null(requests.Abandon(Id(1)));
        Assert.Equal(1, requests.Lookups);
        Assert.False(requests.Idle);
        var lookup = requests.EndLookup(Id(1));
        Assert.True(lookup.Abandoned);
        Assert.True(requests.Idle);
    }

    [Fact]
    public void PinRequests_must_end_an_abandoned_hold_at_once_and_hand_back_its_pin()
    {
        var requests = new PinRequests();
        requests.Hold(Pin(1, 0x10000), 4242);
        requests.Hold(Pin(2, 0x10000), 17);
        Assert.Equal(4242, requests.Abandon(Id(1))?.PinId);
        Assert.Equal(1, requests.Holds);
        Assert.Null(requests.Abandon(Id(1)));
        Assert.Null(requests.EndHold(Id(1)));
        Assert.Equal(Id(2), requests.EndHold(Id(2))?.Pin.RequestId);
        Assert.True(requests.Idle);
    }

    [Fact]
    public void PinRequests_must_abandon_an_unknown_fault_as_nothing()
    {
        var requests = new PinRequests();
        Assert.Null(requests.Abandon(Id(3)));
        Assert.True(requests.Idle);
    }
}
