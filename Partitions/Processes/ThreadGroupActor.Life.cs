using Akka.Actor;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Partitions;
using Emulator.Protocol.Processes;

namespace Emulator.Partitions.Processes;

/// <summary>Process life: fork, exit, death by signal, and the kernel's teardown order.</summary>
public sealed partial class ThreadGroupActor
{
    private void HandleFork(Process.Run run)
    {
        var id = NextRequestId();
        Await(id, reply => Complete(run, Outcome.Ok((ulong)((Partition.Spawned)reply).Pid)));
        var image = new ProcessImage(_credentials, _library, _memory.ForkCopy(), _deviceOpen);
        Context.Parent.Tell(new PartitionActor.Fork(id, image, Me));
    }

    /// <summary>
    /// The process ends (exit, kill, or a fatal signal from an access): teardown as exit_mm does
    /// it, then its memory goes. <paramref name="run"/> ends with <paramref name="outcome"/> (null:
    /// Ok). Every other call still running in the process ends as Dead.
    /// </summary>
    private void Die(Process.Run run, Signal signal, Outcome? outcome = null)
    {
        if (!_alive) return;
        _alive = false;
        if (Machine.Trace.Enabled)
            Machine.Trace.Event(TracePath, new Tracing.ProcessExited(signal));
        Teardown(() =>
        {
            _memory.Clear();
            _tg = null;
            Complete(run, outcome ?? Outcome.Ok());
            foreach (var other in _calls.Values.ToList()) Complete(other, Outcome.Dead());
            StopIfUnreferenced();
        });
    }

    /// <summary>
    /// xpmem_teardown: the tg turns invisible, releases every permit (detaching its attachments),
    /// then removes every segment (zapping attachers elsewhere) and waits for those removals.
    /// </summary>
    private void Teardown(Action then)
    {
        if (_tg is not { Destroying: false } tg)
        {
            then();
            return;
        }
        tg.Destroying = true;
        foreach (var permit in tg.Permits.Values.ToList()) ReleasePermit(permit);
        tg.Permits.Clear();
        var removals = new List<(RequestId, SegmentEntry)>();
        foreach (var entry in tg.Segments.Values) removals.Add((NextRequestId(), entry));
        tg.Segments.Clear();
        AwaitAll(removals.Select(r => r.Item1).ToList(), _ => { }, then);
        foreach (var (id, entry) in removals)
            entry.Actor.Tell(new Protocol.Segments.Segment.Remove(id, Me));
    }
}
