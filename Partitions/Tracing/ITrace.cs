namespace Emulator.Partitions.Tracing;

/// <summary>
/// Where actors report what they see. Callers test <see cref="Enabled"/> first, so tracing that
/// is off costs one branch and builds no strings.
/// </summary>
public interface ITrace
{
    bool Enabled { get; }

    /// <summary>
    /// An actor at <paramref name="actor"/> (a path without address) is handling
    /// <paramref name="message"/>.
    /// </summary>
    void Delivered(string actor, object message);

    /// <summary>
    /// A named event of the emulated machine (a pin, a signal, a call's outcome).
    /// </summary>
    void Event(string actor, string kind, string detail);
}

/// <summary>Tracing off.</summary>
public sealed class NoTrace : ITrace
{
    public static readonly NoTrace Instance = new();

    public bool Enabled => false;

    public void Delivered(string actor, object message) { }

    public void Event(string actor, string kind, string detail) { }
}
