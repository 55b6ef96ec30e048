using System.CommandLine.Parsing;
using System.Globalization;

namespace Emulator.Host.Cli;

/// <summary>Parsers of options that take a whole number in a range.</summary>
public static class NumberOptions
{
    /// <summary>
    /// The option's last value as a whole number from <paramref name="min"/> to
    /// <paramref name="max"/>, or an error saying so (the value returned then is never used).
    /// </summary>
    public static T Whole<T>(ArgumentResult result, string option, T min, T max)
        where T : struct, System.Numerics.INumber<T>
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (T.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            && value >= min && value <= max)
        {
            return value;
        }
        result.AddError($"{option} '{UserText.Safe(text)}' is not a whole number from {min} to "
            + $"{max}");
        return min;
    }
}
