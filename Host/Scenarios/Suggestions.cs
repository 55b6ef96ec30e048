namespace Emulator.Host.Scenarios;

/// <summary>
/// "Did you mean ...?" for a word that is not one the language knows: the nearest known word by
/// edit distance (insertions, deletions, substitutions and swaps of two neighbours, letter case
/// ignored), offered only when it is near enough to be a typo: one edit in a word of three
/// letters or more, or fewer edits than a third of the longer word's length. So <c>atach</c>
/// gives <c>attach</c>, <c>mdoe</c> gives <c>mode</c> and <c>sigbus</c> gives <c>SIGBUS</c>,
/// while <c>SIGHUP</c> (two edits from <c>SIGBUS</c>) and <c>stripes</c> give nothing.
/// </summary>
internal static class Suggestions
{
    /// <summary>
    /// No known word is longer: a longer word is no typo of one, and is not compared.
    /// </summary>
    private const int WordLengthMax = 64;

    /// <summary><c>; did you mean 'X'?</c>, or "" when no candidate is near.</summary>
    public static string DidYouMean(string word, IEnumerable<string> candidates) =>
        Nearest(word, candidates) is { } nearest ? DidYouMeanText(nearest) : "";

    /// <summary>
    /// The hint for a suggestion already chosen, or shaped (<c>owner: COMMAND</c>).
    /// </summary>
    public static string DidYouMeanText(string suggestion) =>
        $"; did you mean {MessageText.Quote(suggestion)}?";

    /// <summary>
    /// The nearest candidate, if it is near enough to be a typo; ties go to the first.
    /// </summary>
    public static string? Nearest(string word, IEnumerable<string> candidates)
    {
        if (word.Length == 0 || word.Length > WordLengthMax)
            return null;
        string? best = null;
        (int Folded, int Exact) bestDistance = (int.MaxValue, int.MaxValue);
        foreach (string candidate in candidates)
        {
            int longer = Math.Max(word.Length, candidate.Length);
            if (candidate == word || !IsNear(Math.Abs(word.Length - candidate.Length), longer))
                continue;
            int folded = Distance(word, candidate, ignoreCase: true);
            if (!IsNear(folded, longer))
                continue;
            var distance = (folded, Distance(word, candidate, ignoreCase: false));
            if (distance.CompareTo(bestDistance) < 0)
                (best, bestDistance) = (candidate, distance);
        }
        return best;
    }

    // One edit is a typo from three letters on ("gdi" for "gid"); more edits need a longer word.
    private static bool IsNear(int distance, int longer) =>
        distance == 0 || (distance == 1 && longer >= 3) || distance * 3 < longer;

    /// <summary>
    /// Optimal string alignment distance: each edit, or swap of neighbours, costs 1.
    /// </summary>
    internal static int Distance(string a, string b, bool ignoreCase)
    {
        var previous2 = new int[b.Length + 1];
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = Same(a[i - 1], b[j - 1], ignoreCase) ? 0 : 1;
                current[j] = Math.Min(
                    Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
                bool swapped = i > 1 && j > 1
                    && Same(a[i - 1], b[j - 2], ignoreCase) && Same(a[i - 2], b[j - 1], ignoreCase);
                if (swapped)
                    current[j] = Math.Min(current[j], previous2[j - 2] + 1);
            }
            (previous2, previous, current) = (previous, current, previous2);
        }
        return previous[b.Length];
    }

    private static bool Same(char x, char y, bool ignoreCase) =>
        x == y || (ignoreCase && char.ToLowerInvariant(x) == char.ToLowerInvariant(y));
}
