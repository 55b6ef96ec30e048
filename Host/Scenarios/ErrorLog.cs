namespace Emulator.Host.Scenarios;

/// <summary>
/// The errors found so far in one file. Readers throw a <see cref="ScenarioException"/> for the
/// first thing wrong in a step, a declaration or a value; the reader one level up catches it here,
/// records it and goes on with the next one, so one run of the parser reports every error it can
/// find. Past <see cref="ScenarioParser.ErrorsMax"/> errors it stops looking.
/// </summary>
internal sealed class ErrorLog
{
    private readonly List<ScenarioError> _errors = [];
    private bool _stopped;

    public bool IsEmpty => _errors.Count == 0;

    /// <summary>
    /// Records the errors; at the bound, throws the file's exception instead (the readers' catches
    /// let it through, so the parse ends there).
    /// </summary>
    public void Add(ScenarioException error)
    {
        foreach (var one in error.Errors)
        {
            if (_errors.Count == ScenarioParser.ErrorsMax)
            {
                _stopped = true;
                throw new ScenarioException(_errors, stoppedEarly: true);
            }
            _errors.Add(one);
        }
    }

    /// <summary>Runs <paramref name="check"/>; false when it found an error (recorded).</summary>
    public bool Try(Action check)
    {
        try
        {
            check();
            return true;
        }
        catch (ScenarioException error) when (!_stopped)
        {
            Add(error);
            return false;
        }
    }

    /// <summary>
    /// What <paramref name="read"/> gives, or <paramref name="fallback"/> on an error.
    /// </summary>
    public T Read<T>(Func<T> read, T fallback) => Read(read, static read => read(), fallback);

    /// <summary>
    /// As <see cref="Read{T}"/>, with what <paramref name="read"/> needs passed in: with a static
    /// lambda nothing is allocated, for what is read once per step of a large file.
    /// </summary>
    public T Read<TState, T>(TState state, Func<TState, T> read, T fallback)
    {
        try
        {
            return read(state);
        }
        catch (ScenarioException error) when (!_stopped)
        {
            Add(error);
            return fallback;
        }
    }

    /// <summary>Every error recorded, with <paramref name="last"/> added (a bug of ours).</summary>
    public ScenarioException With(ScenarioError last) => new([.. _errors, last], _stopped);

    public void ThrowIfAny()
    {
        if (_errors.Count > 0)
            throw new ScenarioException(_errors);
    }
}
