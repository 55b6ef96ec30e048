// Proves the pin checker's counts by frame: a frame counts its pins up and down, says -1 (and
// changes nothing) when it has none left to give back, keeps frames of one block and of
// neighbouring blocks apart, and counts any frame number, the largest, negative ones and
// frames far apart among them, as a dictionary by frame would.
using Emulator.Partitions.Checks;
using Xunit;

namespace Emulator.Tests.Checks;

public sealed class FramePinsSpec
{
    [Fact]
    public void FramePins_must_count_pins_up_and_down()
    {
        var pins = new FramePins();
        pins.Pin(7);
        pins.Pin(7);
        pins.Pin(8);
        Assert.Equal(2, pins.Count);
        Assert.Equal(2, pins.Of(7));
        Assert.Equal(1, pins.Unpin(7));
        Assert.Equal(0, pins.Unpin(7));
        Assert.Equal(-1, pins.Unpin(7));
        Assert.Equal(0, pins.Of(7));
        Assert.Equal(1, pins.Count);
        Assert.Equal(0, pins.Unpin(8));
        Assert.Equal(0, pins.Count);
        Assert.Equal(-1, pins.Unpin(8));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(FramePins.BlockFrames - 1L)]
    [InlineData(FramePins.BlockFrames)]
    [InlineData(-1L)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    public void FramePins_must_keep_a_frame_apart_from_its_neighbours(long frame)
    {
        var pins = new FramePins();
        pins.Pin(frame);
        Assert.Equal(1, pins.Of(frame));
        Assert.Equal(0, pins.Of(unchecked(frame + 1)));
        Assert.Equal(0, pins.Of(unchecked(frame - 1)));
        Assert.Equal(0, pins.Of(unchecked(frame + FramePins.BlockFrames)));
        Assert.Equal(-1, pins.Unpin(unchecked(frame - FramePins.BlockFrames)));
        Assert.Equal(0, pins.Unpin(frame));
        Assert.Equal(-1, pins.Unpin(frame));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void FramePins_must_count_as_a_dictionary_by_frame(int seed)
    {
        var random = new Random(seed);
        var pins = new FramePins();
        var counts = new Dictionary<long, int>();
        for (var step = 0; step < 20_000; step++)
        {
            // Mostly dense frames, some far apart: both shapes the machine and the specs make.
            var frame = random.Next(4) == 0 ? random.NextInt64() - (long.MaxValue / 2)
                : random.Next(3 * FramePins.BlockFrames);
            if (random.Next(2) == 0)
            {
                pins.Pin(frame);
                counts[frame] = counts.GetValueOrDefault(frame) + 1;
                continue;
            }
            var expected = counts.TryGetValue(frame, out var count) ? count - 1 : -1;
            if (expected > 0) counts[frame] = expected;
            else counts.Remove(frame);
            Assert.True(expected == pins.Unpin(frame), $"seed {seed}, step {step}, frame {frame}");
            Assert.True(counts.Count == pins.Count, $"seed {seed}, step {step}");
        }
    }
}
