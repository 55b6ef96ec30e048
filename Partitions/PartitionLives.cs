using Emulator.Protocol.Ids;

namespace Emulator.Partitions;

/// <summary>
/// Whether each partition's kernel runs, and which incarnation of it: 1 at boot, one more at each
/// restart. A crash is one store here, so it is atomic: from the delivery that crashes a
/// partition on, none of its actors handles anything (see <see cref="EmulatorActor"/>), and the
/// actors of an earlier incarnation never handle anything again. Read by every delivery of the
/// partition's actors, written by its partition actor; safe under real threads (live mode).
/// </summary>
public sealed class PartitionLives
{
    // Per partition: the incarnation, negated while it is crashed. A partition the machine did
    // not boot (a spec's lone partition actor) runs as its first incarnation.
    private int[] _incarnations = [];

    /// <summary>The machine has <paramref name="partitions"/> partitions, all running.</summary>
    public void Boot(int partitions) => _incarnations = [.. Enumerable.Repeat(1, partitions)];

    /// <summary>The partition's current (or, crashed, last) incarnation.</summary>
    public int Incarnation(PartitionId partition) => Math.Abs(Read(partition));

    /// <summary>
    /// True while <paramref name="partition"/> runs as <paramref name="incarnation"/>.
    /// </summary>
    public bool Runs(PartitionId partition, int incarnation) => Read(partition) == incarnation;

    public bool Crashed(PartitionId partition) => Read(partition) < 0;

    public void Crash(PartitionId partition) => Write(partition, -Incarnation(partition));

    /// <summary>
    /// This process runs <paramref name="partition"/>'s incarnation
    /// <paramref name="incarnation"/> (a cluster node started for a restart; its last
    /// incarnation ran in another process).
    /// </summary>
    public void Resume(PartitionId partition, int incarnation) => Write(partition, incarnation);

    /// <summary>The partition runs again, as a new incarnation; returns its number.</summary>
    public int Restart(PartitionId partition)
    {
        var next = Incarnation(partition) + 1;
        Write(partition, next);
        return next;
    }

    private int Read(PartitionId partition)
    {
        var incarnations = Volatile.Read(ref _incarnations);
        return partition.Value < incarnations.Length
            ? Volatile.Read(ref incarnations[partition.Value]) : 1;
    }

    private void Write(PartitionId partition, int value)
    {
        if (partition.Value >= _incarnations.Length)
        {
            var grown = Enumerable.Repeat(1, partition.Value + 1).ToArray();
            _incarnations.CopyTo(grown, 0);
            Volatile.Write(ref _incarnations, grown);
        }
        Volatile.Write(ref _incarnations[partition.Value], value);
    }
}
