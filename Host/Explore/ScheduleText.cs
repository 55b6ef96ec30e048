using System.Globalization;
using System.Text;
using Emulator.Partitions.Sim;

namespace Emulator.Host.Explore;

/// <summary>
/// The compact text of a schedule's lists, as a schedule file holds them: space-separated tokens,
/// a run of equal tokens written once with <c>*COUNT</c>. Choices are numbers (<c>0*57 1 0*3
/// 2</c>: 57 decisions in the default order, then the second option, ...); link draws are
/// <c>c0</c> / <c>c1</c> (a loss or duplicate did not / did happen) and <c>dTICKS</c> (a delay
/// that many 100 ns ticks above the least). Pure functions.
/// </summary>
public static class ScheduleText
{
    /// <summary>Most items one list may hold: a bound on what a file can make us allocate.
    /// </summary>
    public const int ItemsMax = 100_000_000;

    public static string Choices(IReadOnlyList<int> choices) =>
        Runs(choices.Select(choice => choice.ToString(CultureInfo.InvariantCulture)));

    public static string Draws(IReadOnlyList<LinkDraw> draws) =>
        Runs(draws.Select(draw => (draw.IsDelay ? "d" : "c")
            + draw.Value.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The choices of <paramref name="text"/>; null with <paramref name="error"/>.
    /// </summary>
    public static IReadOnlyList<int>? ParseChoices(string text, out string error) =>
        Parse<int>(text, token => int.TryParse(token, NumberStyles.None,
            CultureInfo.InvariantCulture, out var choice) ? choice : null, "a choice (0, 1, 2...)",
            out error);

    /// <summary>The link draws of <paramref name="text"/>; null with <paramref name="error"/>.
    /// </summary>
    public static IReadOnlyList<LinkDraw>? ParseDraws(string text, out string error) =>
        Parse(text, ParseDraw, "a link draw (c0, c1 or dTICKS)", out error);

    private static LinkDraw? ParseDraw(string token)
    {
        if (token.Length < 2 || !long.TryParse(token.AsSpan(1), NumberStyles.None,
            CultureInfo.InvariantCulture, out var value)) return null;
        return token[0] switch
        {
            'c' when value <= 1 => new LinkDraw(false, value),
            'd' => new LinkDraw(true, value),
            _ => null,
        };
    }

    private static string Runs(IEnumerable<string> tokens)
    {
        var text = new StringBuilder();
        string? last = null;
        var count = 0;
        foreach (var token in tokens)
        {
            if (token == last)
            {
                count++;
                continue;
            }
            Append(text, last, count);
            last = token;
            count = 1;
        }
        Append(text, last, count);
        return text.ToString();
    }

    private static void Append(StringBuilder text, string? token, int count)
    {
        if (token is null) return;
        if (text.Length > 0) text.Append(' ');
        text.Append(token);
        if (count > 1) text.Append('*').Append(count.ToString(CultureInfo.InvariantCulture));
    }

    private static IReadOnlyList<T>? Parse<T>(string text, Func<string, T?> item, string what,
        out string error) where T : struct
    {
        var items = new List<T>();
        error = "";
        var tokens = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (var index = 0; index < tokens.Length; index++)
        {
            var token = tokens[index];
            var star = token.IndexOf('*');
            var count = 1;
            if (star >= 0 && !(int.TryParse(token.AsSpan(star + 1), NumberStyles.None,
                CultureInfo.InvariantCulture, out count) && count >= 1))
            {
                error = $"token {index + 1} '{Cut(token)}': the count after '*' is not a number "
                    + "of 1 or more";
                return null;
            }
            if (item(star >= 0 ? token[..star] : token) is not { } value)
            {
                error = $"token {index + 1} '{Cut(token)}' is not {what}, optionally *COUNT";
                return null;
            }
            if ((long)items.Count + count > ItemsMax)
            {
                error = $"more than {ItemsMax} items";
                return null;
            }
            for (var i = 0; i < count; i++) items.Add(value);
        }
        return items;
    }

    private static string Cut(string token) => token.Length <= 24 ? token : token[..24] + "...";
}
