// Proves an invariant formats its message only when it is broken (they sit on every delivery).
using Emulator.Partitions;
using Xunit;

namespace Emulator.Tests.Partitions;

public sealed class InvariantSpec
{
    /// <summary>Counts how often it is formatted.</summary>
    private sealed class Counted
    {
        public int Formatted { get; private set; }

        public override string ToString() => $"counted {++Formatted}";
    }

    [Fact]
    public void A_holding_invariant_must_not_format_its_message()
    {
        var value = new Counted();
        for (var i = 0; i < 3; i++) Invariant.Holds(i < 3, $"{value} broke at {i:x}");
        Assert.Equal(0, value.Formatted);
    }

    [Fact]
    public void A_broken_invariant_must_throw_its_message_formatted()
    {
        var value = new Counted();
        var broken = Assert.Throws<InvariantException>(
            () => Invariant.Holds(false, $"{value} broke at {26:x}"));
        Assert.Equal("invariant broken: counted 1 broke at 1a", broken.Message);
    }
}
