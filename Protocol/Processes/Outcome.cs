namespace Emulator.Protocol.Processes;

/// <summary>How a call ended.</summary>
public enum OutcomeKind
{
    /// <summary>
    /// Succeeded; <see cref="Outcome.Value"/> is the result (id, address, value read).
    /// </summary>
    Ok,
    /// <summary>Returned -1 with <see cref="Outcome.Errno"/>; nothing changed.</summary>
    Failed,
    /// <summary>The access raised <see cref="Outcome.Signal"/>; the process is dead.</summary>
    Signalled,
    /// <summary>A check found a byte that differs; <see cref="Outcome.Detail"/> names it.</summary>
    Mismatch,
    /// <summary>The process had already ended when the call came.</summary>
    Dead,
}

/// <summary>The one answer to a call.</summary>
public readonly record struct Outcome(OutcomeKind Kind, ulong Value, Errno Errno, Signal Signal,
    string? Detail)
{
    public static Outcome Ok(ulong value = 0)
        => new(OutcomeKind.Ok, value, Errno.None, Signal.None, null);
    public static Outcome Fail(Errno errno) => new(OutcomeKind.Failed, 0, errno, Signal.None, null);
    public static Outcome Signalled(Signal signal)
        => new(OutcomeKind.Signalled, 0, Errno.None, signal, null);
    public static Outcome Mismatch(string detail)
        => new(OutcomeKind.Mismatch, 0, Errno.None, Signal.None, detail);
    public static Outcome Dead() => new(OutcomeKind.Dead, 0, Errno.None, Signal.None, null);

    public override string ToString() => Kind switch
    {
        OutcomeKind.Ok => $"ok 0x{Value:x}",
        OutcomeKind.Failed => Errno.ToString(),
        OutcomeKind.Signalled => Signal.ToString(),
        OutcomeKind.Mismatch => $"mismatch: {Detail}",
        _ => "process dead",
    };
}
