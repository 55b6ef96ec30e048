using System.Globalization;

namespace Emulator.Host.Cli;

/// <summary>
/// The seeds of <c>--seeds SPEC</c>: one seed (<c>17</c>), a range (<c>1..1000</c>, both ends
/// included), a list of seeds and ranges (<c>3,9,20..30</c>), or a count of seeds starting at
/// each file's own seed (<c>100x</c>: the file's <c>seed = N</c>, or 1, and the 99 after it).
/// </summary>
public sealed class SeedSpec
{
    /// <summary>The forms, as help and error messages show them.</summary>
    public const string Forms =
        "one seed (17), a range (1..1000), a list (3,9,20..30) "
        + "or a count from each file's own seed (100x)";

    /// <summary>What a seed is, as help and error messages say it.</summary>
    public static readonly string SeedIs =
        $"a seed is an integer from {int.MinValue} to {int.MaxValue}";

    private readonly IReadOnlyList<(int First, int Last)> _ranges;
    private readonly int _count;

    private SeedSpec(string text, IReadOnlyList<(int First, int Last)> ranges, int count)
    {
        Text = text;
        _ranges = ranges;
        _count = count;
    }

    /// <summary>The spec as written, without blanks.</summary>
    public string Text { get; }

    /// <summary>True for the count form: the seeds start at each file's own seed.</summary>
    public bool FromFileSeed => _count > 0;

    /// <summary>Parses a spec; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(string text, out SeedSpec? spec, out string error)
    {
        spec = null;
        var compact = string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
        if (compact.Length == 0) return Refuse("SPEC is empty", out error);
        if (IsCount(compact))
        {
            if (!int.TryParse(compact[..^1], NumberStyles.None, CultureInfo.InvariantCulture,
                out var count) || count < 1)
            {
                return Refuse($"'{compact}' is not a count: write a whole number from 1 to "
                    + $"{int.MaxValue} before the x (100x)", out error);
            }
            spec = new SeedSpec(compact, [], count);
            error = "";
            return true;
        }
        var ranges = new List<(int First, int Last)>();
        foreach (var item in compact.Split(','))
        {
            if (!TryParseItem(item, out var range, out error)) return false;
            ranges.Add(range);
        }
        var sorted = ranges.OrderBy(r => r.First).ToList();
        for (var i = 1; i < sorted.Count; i++)
        {
            if (sorted[i].First <= sorted[i - 1].Last)
            {
                return Refuse($"{Show(sorted[i])} and {Show(sorted[i - 1])} overlap: "
                    + "name each seed once", out error);
            }
        }
        spec = new SeedSpec(compact, ranges, 0);
        error = "";
        return true;
    }

    /// <summary>
    /// Why this spec cannot run a file whose own seed is <paramref name="fileSeed"/>, or null.
    /// </summary>
    public string? ProblemFor(int fileSeed) =>
        FromFileSeed && (long)fileSeed + _count - 1 > int.MaxValue
            ? $"{_count} seeds from the file's seed {fileSeed} go past {int.MaxValue}"
            : null;

    /// <summary>How many runs a file with this own seed gets.</summary>
    public long CountFor(int fileSeed) =>
        FromFileSeed ? _count : _ranges.Sum(r => (long)r.Last - r.First + 1);

    /// <summary>The seeds, in the order written, for a file with this own seed.</summary>
    public IEnumerable<int> SeedsFor(int fileSeed)
    {
        if (FromFileSeed)
        {
            for (long seed = fileSeed; seed < (long)fileSeed + _count; seed++)
                yield return (int)seed;
            yield break;
        }
        foreach (var (first, last) in _ranges)
        {
            for (long seed = first; seed <= last; seed++) yield return (int)seed;
        }
    }

    public override string ToString() => Text;

    private static bool TryParseItem(string item, out (int First, int Last) range,
        out string error)
    {
        range = default;
        if (item.Length == 0) return Refuse("an item of the list is empty", out error);
        if (IsCount(item))
        {
            return Refuse($"a count ({item}) stands alone, not in a list", out error);
        }
        var dots = item.IndexOf("..", StringComparison.Ordinal);
        var firstText = dots < 0 ? item : item[..dots];
        var lastText = dots < 0 ? item : item[(dots + 2)..];
        if (!TryParseSeed(firstText, out var first, out error)
            || !TryParseSeed(lastText, out var last, out error))
        {
            return false;
        }
        if (last < first)
        {
            return Refuse($"the range {item} goes down: write {last}..{first}", out error);
        }
        range = (first, last);
        return true;
    }

    private static bool TryParseSeed(string text, out int seed, out string error)
    {
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture,
            out seed))
        {
            error = "";
            return true;
        }
        return Refuse($"'{text}' is not a seed ({SeedIs})", out error);
    }

    /// <summary>Digits then an x: the count form.</summary>
    private static bool IsCount(string text) =>
        text.Length > 1 && text[^1] == 'x' && text[..^1].All(char.IsAsciiDigit);

    private static string Show((int First, int Last) range) =>
        range.First == range.Last ? $"{range.First}" : $"{range.First}..{range.Last}";

    private static bool Refuse(string why, out string error)
    {
        error = why;
        return false;
    }
}
