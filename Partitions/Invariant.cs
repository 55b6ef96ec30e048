using System.Runtime.CompilerServices;

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

    /// <summary>
    /// As <see cref="Holds(bool, string)"/>, with a message formatted only when the state is
    /// broken: invariants sit on every delivery's path, and formatting their ids each time was a
    /// tenth of what a sim run allocated.
    /// </summary>
    public static void Holds(bool condition,
        [InterpolatedStringHandlerArgument(nameof(condition))] ref BrokenMessage what)
    {
        if (!condition) throw new InvariantException(what.ToStringAndClear());
    }

    /// <summary>
    /// The message of an invariant, formatted by the compiler's interpolation only when the
    /// condition it goes with is false.
    /// </summary>
    [InterpolatedStringHandler]
    public ref struct BrokenMessage
    {
        private DefaultInterpolatedStringHandler _text;

        public BrokenMessage(int literalLength, int formattedCount, bool condition,
            out bool broken)
        {
            broken = !condition;
            _text = broken ? new DefaultInterpolatedStringHandler(literalLength, formattedCount)
                : default;
        }

        public void AppendLiteral(string value) => _text.AppendLiteral(value);

        public void AppendFormatted<T>(T value) => _text.AppendFormatted(value);

        public void AppendFormatted<T>(T value, string? format) =>
            _text.AppendFormatted(value, format);

        public string ToStringAndClear() => _text.ToStringAndClear();
    }
}

/// <summary>A broken invariant: a bug in the emulator.</summary>
public sealed class InvariantException(string what) : Exception($"invariant broken: {what}");
