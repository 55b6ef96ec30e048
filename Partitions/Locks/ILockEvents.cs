using Emulator.Partitions.Checks;

namespace Emulator.Partitions.Locks;

/// <summary>
/// What a lock held as an actor's state tells of itself: a task waits for it, takes it, lets go
/// of it (or stops waiting): the wait-for graph's <see cref="LockWaiting"/>,
/// <see cref="LockAcquired"/> and <see cref="LockReleased"/>, as values. A fault makes about
/// eight, so they become event objects only where something keeps them (the trace, a tap).
/// </summary>
public interface ILockEvents
{
    void Waiting(LockId id, LockTask task, LockMode mode);

    void Acquired(LockId id, LockTask task, LockMode mode);

    void Released(LockId id, LockTask task);

    /// <summary>Each as its event, handed to <paramref name="observe"/> (specs, tools).</summary>
    public static ILockEvents Events(Action<MachineEvent> observe) => new EventsTo(observe);

    private sealed class EventsTo(Action<MachineEvent> observe) : ILockEvents
    {
        public void Waiting(LockId id, LockTask task, LockMode mode) =>
            observe(new LockWaiting(id, task, mode));

        public void Acquired(LockId id, LockTask task, LockMode mode) =>
            observe(new LockAcquired(id, task, mode));

        public void Released(LockId id, LockTask task) => observe(new LockReleased(id, task));
    }
}
