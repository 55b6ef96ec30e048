namespace Emulator.Tests.Model;

/// <summary>
/// An invariant of the model itself; a failure is a bug in the model, never an outcome.
/// </summary>
internal static class ModelInvariant
{
    public static void Holds(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"reference model invariant broken: {message}");
        }
    }
}
