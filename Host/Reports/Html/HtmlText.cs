using System.Globalization;
using System.Text;

namespace Emulator.Host.Reports.Html;

/// <summary>
/// Text as the report writes it: escaped for HTML and SVG, times and counts readable.
/// </summary>
public static class HtmlText
{
    /// <summary>Escapes for element text and double-quoted attributes alike.</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        if (text.AsSpan().IndexOfAny("&<>\"'") < 0) return text;
        var escaped = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            escaped.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        }
        return escaped.ToString();
    }

    /// <summary>
    /// A duration in the unit that reads best: <c>850 ns</c>, <c>14.9 µs</c>, <c>3.2 ms</c>.
    /// </summary>
    public static string Duration(long nanoseconds)
    {
        var ns = (double)nanoseconds;
        return Math.Abs(ns) switch
        {
            < 1_000 => $"{nanoseconds} ns",
            < 1_000_000 => Number(ns / 1_000) + " µs",
            < 1_000_000_000 => Number(ns / 1_000_000) + " ms",
            _ => Number(ns / 1_000_000_000) + " s",
        };
    }

    /// <summary>A count with thousands separated: <c>12,345</c>.</summary>
    public static string Count(long count) => count.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A coordinate for SVG: at most one decimal, invariant.</summary>
    public static string Coordinate(double value) =>
        Math.Round(value, 1).ToString("0.#", CultureInfo.InvariantCulture);

    private static string Number(double value) =>
        value.ToString(value < 10 ? "0.##" : value < 100 ? "0.#" : "0",
            CultureInfo.InvariantCulture);
}
