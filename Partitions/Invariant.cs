namespace Emulator.Partitions;

/// <summary>
/// A state that must hold inside a handler. A broken one throws: the actor is stopped, the monitor
/// records it and the run fails as an emulator bug (never a reply, never a user error).
/// </summary>
public static class Invariant
{
    public static void Holds(bool condition, string what)
    {
        if (!condition) throw new InvariantException(what);
    }
}

/// <summary>A broken invariant: a bug in the emulator.</summary>
public sealed class InvariantException(string what) : Exception($"invariant broken: {what}");
