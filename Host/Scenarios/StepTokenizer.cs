using System.Buffers;

namespace Emulator.Host.Scenarios;

internal enum StepTokenKind
{
    Word,
    /// <summary><c>:</c> after the process name.</summary>
    Colon,
    /// <summary><c>=</c> after a bound name or an option name.</summary>
    Equals,
    /// <summary><c>=&gt;</c> before the expectation.</summary>
    Arrow,
}

/// <summary>
/// One token of a step string: where it is in the step, not a copy of it. A large file has a
/// few hundred thousand tokens and keeps almost none, so a token's string is made only when it
/// is kept (<see cref="Text"/>: a name a command holds, a word a message quotes).
/// </summary>
internal readonly record struct StepToken(StepTokenKind Kind, string Step, int Index, int Length)
{
    public bool IsWord => Kind == StepTokenKind.Word;

    public int End => Index + Length;

    public ReadOnlySpan<char> Span => Step.AsSpan(Index, Length);

    /// <summary>A new string each time: for a message or a value kept, not for comparing.</summary>
    public string Text => Step.Substring(Index, Length);

    public bool Is(string word) => Span.SequenceEqual(word);

    /// <summary>Characters [start, end) of the token, to point inside a word.</summary>
    public StepToken Part(int start, int end) =>
        this with { Index = Index + start, Length = end - start };
}

/// <summary>
/// Tokens [first, end) of a step's tokens, indexed from 0, without copying them: a step's
/// arguments.
/// </summary>
internal readonly struct StepTokenRange(List<StepToken> tokens, int first, int end)
{
    public int Count => end - first;

    public StepToken this[int index] =>
        (uint)index < (uint)Count ? tokens[first + index] : throw new ArgumentOutOfRangeException(
            nameof(index));
}

/// <summary>
/// Splits a step string into words and the three separators, so that whitespace around
/// <c>:</c> and <c>=</c> is free: <c>"user:  ap = get seg rdwr"</c> and
/// <c>"user:ap=get seg rdwr"</c> give the same tokens.
/// </summary>
internal static class StepTokenizer
{
    // What ends a word: whitespace (as char.IsWhiteSpace says) or a separator. Searched for, a
    // step's words are found many characters at a time, not one call per character.
    private static readonly SearchValues<char> WordEnds = SearchValues.Create(FindWordEnds());

    /// <summary>Fills <paramref name="tokens"/>, cleared first: one list serves all.</summary>
    public static void Tokenize(string step, List<StepToken> tokens)
    {
        tokens.Clear();
        int i = 0;
        while (i < step.Length)
        {
            if (char.IsWhiteSpace(step[i]))
                i++;
            else if (step[i] == '=' && i + 1 < step.Length && step[i + 1] == '>')
                tokens.Add(Take(StepTokenKind.Arrow, step, ref i, 2));
            else if (step[i] == '=')
                tokens.Add(Take(StepTokenKind.Equals, step, ref i, 1));
            else if (step[i] == ':')
                tokens.Add(Take(StepTokenKind.Colon, step, ref i, 1));
            else
                tokens.Add(Take(StepTokenKind.Word, step, ref i, WordLength(step, i)));
        }
    }

    private static int WordLength(string step, int start)
    {
        int length = step.AsSpan(start).IndexOfAny(WordEnds);
        return length < 0 ? step.Length - start : length;
    }

    // A loop, not a query: this runs once, before the first step is read, often cold.
    private static string FindWordEnds()
    {
        var ends = new System.Text.StringBuilder("=:");
        for (int c = 0; c <= char.MaxValue; c++)
        {
            if (char.IsWhiteSpace((char)c))
                ends.Append((char)c);
        }
        return ends.ToString();
    }

    private static StepToken Take(StepTokenKind kind, string step, ref int i, int length)
    {
        var token = new StepToken(kind, step, i, length);
        i += length;
        return token;
    }
}
