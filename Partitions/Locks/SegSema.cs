using Emulator.Partitions.Checks;

namespace Emulator.Partitions.Locks;

/// <summary>
/// A segment's seg->sema (and the owner's recall gate for it, xpmem-spec 3.2), as the lock state
/// of the segment actor that stands for it: the actor decides who waits and who goes (its
/// Writing state stashes, its pin table counts the faults), and this says so in lock events,
/// so the checkers see the waits the actor already has and no others.
///
/// - Readers are faults whose page is pinned and on its way to the attacher: from the pin to the
///   attacher's Done (xpmem-spec 3.3 steps 4-11 end there). The owner's lookup before the pin
///   holds nothing here: a recall does not wait for it (the owner answers it in order with its
///   own writes), so it is no edge of the wait-for graph.
/// - A writer is a recall (the gate closed) or a remove: it waits for the readers, then holds the
///   sema until every attacher has zapped.
/// - A request that meets a writer is parked (stashed) and waits; when it is served its wait ends
///   (a fault goes on to its lookup, a writer takes the sema or waits for its readers).
/// Plain state, no actor; it allocates only when a task waits.
/// </summary>
public sealed class SegSema(LockId id, ILockEvents events)
{
    /// <summary>A sema whose events go to <paramref name="emit"/> as objects (specs, tools).
    /// </summary>
    public SegSema(LockId id, Action<MachineEvent> emit) : this(id, ILockEvents.Events(emit))
    {
    }

    private readonly ReadHolds _reads = new(id);
    private HashSet<LockTask>? _parked;
    private LockTask _writer;
    private bool _writerWaits;

    /// <summary>Faults holding it for read.</summary>
    public int Readers => _reads.Count;

    /// <summary>A writer holds it (its readers drained, or it does not wait for them).</summary>
    public bool WriteHeld { get; private set; }

    /// <summary>Tasks parked behind a writer.</summary>
    public int Parked => _parked?.Count ?? 0;

    /// <summary>
    /// <paramref name="task"/> is parked behind the writer, wanting <paramref name="mode"/>; a task
    /// parked again (unstashed behind another writer) goes on waiting, without a second event.
    /// </summary>
    public void Park(LockTask task, LockMode mode)
    {
        if ((_parked ??= []).Add(task)) events.Waiting(id, task, mode);
    }

    /// <summary>
    /// A parked task is served without a hold here (a fault going on to its lookup, a request
    /// refused): its wait ends. Nothing for a task that never waited.
    /// </summary>
    public void Unpark(LockTask task)
    {
        if (_parked?.Remove(task) == true) events.Released(id, task);
    }

    /// <summary>A fault's page is pinned for <paramref name="task"/>: it reads the sema.</summary>
    public void Read(LockTask task)
    {
        _parked?.Remove(task);
        _reads.Add(task);
        events.Acquired(id, task, LockMode.Read);
    }

    /// <summary>The attacher is done with the page (or it was given back): one read ends.</summary>
    public void EndRead(LockTask task)
    {
        _reads.Remove(task);
        events.Released(id, task);
    }

    /// <summary>
    /// A recall or remove for <paramref name="task"/>: it holds the sema now if
    /// <paramref name="now"/> (no reader, or a remove that does not wait for them), else it
    /// waits until <see cref="Granted"/>.
    /// </summary>
    public void Write(LockTask task, bool now)
    {
        Invariant.Holds(!WriteHeld && !_writerWaits, $"{id}: two writers at once");
        _writer = task;
        if (now)
        {
            Grant();
            return;
        }
        _writerWaits = true;
        if (_parked?.Remove(task) != true) events.Waiting(id, task, LockMode.Write);
    }

    /// <summary>The waiting writer's readers have drained: it holds the sema now.</summary>
    public void Granted()
    {
        Invariant.Holds(_writerWaits, $"{id}: granted with no writer waiting");
        _writerWaits = false;
        Grant();
    }

    /// <summary>The writer is done (every attacher zapped): the parked are served.</summary>
    public void EndWrite()
    {
        Invariant.Holds(WriteHeld, $"{id}: released for write while not held");
        WriteHeld = false;
        events.Released(id, _writer);
    }

    private void Grant()
    {
        _parked?.Remove(_writer);
        WriteHeld = true;
        events.Acquired(id, _writer, LockMode.Write);
    }
}
