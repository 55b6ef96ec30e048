namespace Emulator.Partitions.Checks;

/// <summary>
/// How many pins each frame has, for the pin checker: frames are numbered densely as the
/// machine makes them, so the counts live in small blocks of neighbouring frames, one block
/// looked up by the frame's high bits. One dictionary entry a pinned frame (147,456 on the Altix
/// run) grew by copying into ever larger arrays and sent each pin to a random place in them.
/// A block goes when its last pin does. Plain state.
/// </summary>
public sealed class FramePins
{
    /// <summary>Frames a block counts: 1 KB of counts, small enough for sparse numbers.</summary>
    public const int BlockFrames = 256;

    private const int BlockShift = 8;

    private readonly Dictionary<long, Block> _blocks = [];

    /// <summary>Frames with at least one pin.</summary>
    public int Count { get; private set; }

    /// <summary>One pin more on <paramref name="frame"/>.</summary>
    public void Pin(long frame)
    {
        var key = frame >> BlockShift;
        if (!_blocks.TryGetValue(key, out var block)) _blocks[key] = block = new Block();
        ref var pins = ref block.Pins[frame & (BlockFrames - 1)];
        if (pins++ == 0)
        {
            block.Frames++;
            Count++;
        }
    }

    /// <summary>
    /// One pin of <paramref name="frame"/> fewer: how many are left; -1, and nothing changes,
    /// if it had none.
    /// </summary>
    public int Unpin(long frame)
    {
        var key = frame >> BlockShift;
        if (!_blocks.TryGetValue(key, out var block)) return -1;
        ref var pins = ref block.Pins[frame & (BlockFrames - 1)];
        if (pins == 0) return -1;
        if (--pins > 0) return pins;
        Count--;
        if (--block.Frames == 0) _blocks.Remove(key);
        return 0;
    }

    /// <summary>How many pins <paramref name="frame"/> has.</summary>
    public int Of(long frame) =>
        _blocks.TryGetValue(frame >> BlockShift, out var block)
            ? block.Pins[frame & (BlockFrames - 1)] : 0;

    private sealed class Block
    {
        public readonly int[] Pins = new int[BlockFrames];
        public int Frames;
    }
}
