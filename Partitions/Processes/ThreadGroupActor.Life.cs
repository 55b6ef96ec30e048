using Akka.Actor;
using Emulator.Partitions.Locks;
using Emulator.Protocol;
using Emulator.Protocol.Partitions;
using Emulator.Protocol.Processes;

namespace Emulator.Partitions.Processes;

/// <summary>Process life: fork, exit, death by signal, and the kernel's teardown order.</summary>
public sealed partial class ThreadGroupActor
{
    /// <summary>
    /// fork, under the write hold: the copy-on-write copy is made in one step (pinned pages copied
    /// for the child, so the owner keeps the frames its attachers map); the partition starts the
    /// child.
    /// </summary>
    private void Fork(Action<Outcome> done)
    {
        var image = new ProcessImage(_credentials, _library, _memory.ForkCopy(), _deviceOpen);
        var id = NextRequestId();
        _replies.Await(id, "PartitionActor.Fork", reply =>
            done(Outcome.Ok((ulong)PendingReplies.Expect<Partition.Spawned>(reply).Pid)));
        Context.Parent.Tell(new PartitionActor.Fork(id, image, Me));
    }

    /// <summary>
    /// The process ends (exit, kill, or a fatal signal from an access): teardown as exit_mm does
    /// it, holding the mm for write (a call that dies holding it already, an out-of-band munmap,
    /// goes on with that hold), then its memory goes. <paramref name="run"/> ends with
    /// <paramref name="outcome"/> (null: Ok), every other call still running in it as Dead; then
    /// work parked on the mm runs and finds the process gone.
    /// </summary>
    private void Die(Process.Run run, Signal signal, Outcome? outcome = null)
    {
        if (!_alive) return;
        _alive = false;
        if (Machine.Trace.Enabled)
            Machine.Trace.Event(TracePath, new Tracing.ProcessExited(signal));
        Action exit = () => Teardown(TaskOf(run), () =>
        {
            _memory.Clear();
            _tg = null;
            Complete(run, outcome ?? Outcome.Ok());
            foreach (var other in _calls.Values.ToList()) Complete(other, Outcome.Dead());
            _mm.ReleaseWrite();
            StopIfUnreferenced();
        });
        if (_mm.WriteHeldBy(TaskOf(run))) exit();
        else _mm.Write(TaskOf(run), exit);
    }

    /// <summary>
    /// xpmem_teardown, under the write hold: the tg turns invisible, releases every permit
    /// (detaching its attachments), then removes every segment (zapping attachers elsewhere) and
    /// waits for those removals and for the accesses in flight through its attachments.
    /// </summary>
    private void Teardown(LockTask task, Action then)
    {
        if (_tg is not { Destroying: false } tg)
        {
            then();
            return;
        }
        tg.Destroying = true;
        var one = Join.After(tg.Permits.Count + tg.Segments.Count + 1, then);
        foreach (var permit in tg.Permits.All.ToList()) ReleasePermit(permit, task, one);
        tg.Permits.Clear();
        foreach (var entry in tg.Segments.Values.ToList()) RemoveSegment(entry, task, one);
        tg.Segments.Clear();
        one();
    }
}
