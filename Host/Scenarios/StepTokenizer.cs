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

/// <summary>One token of a step string and the index of its first character in it.</summary>
internal readonly record struct StepToken(StepTokenKind Kind, string Text, int Index)
{
    public bool IsWord => Kind == StepTokenKind.Word;

    public int End => Index + Text.Length;
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
    private const int TokensExpected = 8;

    public static List<StepToken> Tokenize(string step)
    {
        // A step has a handful of tokens: room for them up front, not three regrowths.
        var tokens = new List<StepToken>(TokensExpected);
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
        return tokens;
    }

    private static int WordLength(string step, int start)
    {
        int end = start;
        while (end < step.Length && !char.IsWhiteSpace(step[end]) && step[end] is not ('=' or ':'))
            end++;
        return end - start;
    }

    private static StepToken Take(StepTokenKind kind, string step, ref int i, int length)
    {
        var token = new StepToken(kind, step.Substring(i, length), i);
        i += length;
        return token;
    }
}
