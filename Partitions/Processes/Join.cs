namespace Emulator.Partitions.Processes;

/// <summary>Joins a fan-out of callbacks: the last of them runs what comes next.</summary>
public static class Join
{
    /// <summary>
    /// An action to call once per part; the <paramref name="parts"/>-th call runs
    /// <paramref name="then"/>. With no parts, <paramref name="then"/> runs at once.
    /// </summary>
    public static Action After(int parts, Action then)
    {
        if (parts == 0)
        {
            then();
            return () => throw new InvariantException("a join of no parts was called");
        }
        var left = parts;
        return () =>
        {
            Invariant.Holds(left > 0, "a join was called more often than it has parts");
            if (--left == 0) then();
        };
    }
}
