using System.Globalization;
using Emulator.Protocol;

namespace Emulator.Host.Scenarios;

/// <summary>A value read from one word of a step, or why the word is not one.</summary>
internal readonly record struct Parsed<T>(T Value, string? Error)
{
    public static Parsed<T> Ok(T value) => new(value, null);

    public static Parsed<T> Fail(string error) => new(default!, error);
}

/// <summary>
/// The value forms of the scenario language (numbers, sizes, modes, durations, rates, names),
/// one word each. Pure functions: the step parser says where a failure is.
/// </summary>
internal static class ScenarioValues
{
    public const string NumberForm = "a number (decimal, or hex with 0x; negative allowed)";
    public const string SizeForm = "a size (bytes, or with p, K, M or G; or max)";
    public const string DurationForm = "a duration like 500us, 2ms or 1s";
    public const string DurationMaxText = "10000000000s";
    public const string DurationMaxNote = "about 317 years";

    /// <summary>
    /// The longest duration the language reads, and the most a file may wait in all. Virtual time
    /// costs nothing, but a run's clock is a date from 2000 that must stay a valid date (up to
    /// the year 9999) however long the file waits and its calls take.
    /// </summary>
    public static readonly TimeSpan DurationMax = TimeSpan.FromSeconds(10_000_000_000L);
    public const string RateForm = "a rate like 30% (from 0% to 100%)";

    /// <summary>The errno names an expectation may use (version 1).</summary>
    public static readonly IReadOnlyList<Errno> ExpectableErrnos =
    [
        Errno.EINVAL, Errno.EACCES, Errno.ENOENT, Errno.EBUSY, Errno.ENOMEM, Errno.EFAULT,
        Errno.EPERM, Errno.EINTR, Errno.EREMOTE, Errno.ENOLINK, Errno.NOPROC,
    ];

    /// <summary>The signals an access may be expected to raise.</summary>
    public static readonly IReadOnlyList<Signal> ExpectableSignals =
        [Signal.SIGBUS, Signal.SIGSEGV, Signal.SIGKILL];

    /// <summary>The signals <c>kill</c> may send.</summary>
    public static readonly IReadOnlyList<Signal> KillSignals =
        [Signal.SIGKILL, Signal.SIGTERM, Signal.SIGBUS, Signal.SIGSEGV];

    private static readonly UInt128 TwoToThe63 = (UInt128)1 << 63;

    // By name, since every expectation is looked up: enum names built once, not per lookup, and
    // looked up by the word as it is in the step (a span), not a copy of it.
    private static readonly Dictionary<string, Errno>.AlternateLookup<ReadOnlySpan<char>>
        ErrnosByName = ExpectableErrnos
            .ToDictionary(e => e.ToString(), StringComparer.Ordinal)
            .GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly Dictionary<string, Signal>.AlternateLookup<ReadOnlySpan<char>>
        SignalsByName = Enum.GetValues<Signal>()
            .ToDictionary(s => s.ToString(), StringComparer.Ordinal)
            .GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>>
        ExpectableSignalNames = ExpectableSignals
            .Select(s => s.ToString())
            .ToHashSet(StringComparer.Ordinal)
            .GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly string[] DurationUnits = ["us", "ms", "s"];

    // SearchValues, not ContainsAnyExceptInRange: that one boxes a char per call (.NET 10).
    private static readonly System.Buffers.SearchValues<char> HexDigits =
        System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");
    private static readonly System.Buffers.SearchValues<char> DecimalDigits =
        System.Buffers.SearchValues.Create("0123456789");
    private static readonly System.Buffers.SearchValues<char> OctalDigits =
        System.Buffers.SearchValues.Create("01234567");
    private static readonly System.Buffers.SearchValues<char> NameChars =
        System.Buffers.SearchValues.Create(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");

    // The longest decimal TryUnsignedDecimal hands to decimal.Parse: 20 digits, '.', 28 digits.
    private const int DecimalLengthMax = 49;

    public static bool IsName(ReadOnlySpan<char> text) =>
        text.Length > 0
        && (char.IsAsciiLetter(text[0]) || text[0] == '_')
        && !text.ContainsAnyExcept(NameChars);

    /// <summary>Written as a number (decimal or 0x hex, maybe negative), of any size.</summary>
    public static bool IsNumeral(ReadOnlySpan<char> text) =>
        TryMagnitude(text.StartsWith('-') ? text[1..] : text, out _);

    /// <summary>Decimal or 0x hex; a negative is its 64-bit two's complement.</summary>
    public static Parsed<ulong> Number(ReadOnlySpan<char> text)
    {
        bool negative = text.StartsWith('-');
        if (!TryMagnitude(negative ? text[1..] : text, out var magnitude))
            return Parsed<ulong>.Fail($"expected {NumberForm}, found {Quote(text)}");
        return Signed(text, magnitude, negative);
    }

    /// <summary>A number that fits in <c>bits</c> bits, signed or not; masked to them.</summary>
    public static Parsed<ulong> NumberOfWidth(ReadOnlySpan<char> text, int bits)
    {
        var number = Number(text);
        if (number.Error is not null || bits == 64)
            return number;
        ulong mask = (1UL << bits) - 1;
        bool negative = text.StartsWith('-');
        bool fitsUnsigned = !negative && number.Value <= mask;
        bool fitsSigned = negative && (long)number.Value >= -(1L << (bits - 1));
        return fitsUnsigned || fitsSigned
            ? Parsed<ulong>.Ok(number.Value & mask)
            : Parsed<ulong>.Fail($"{Quote(text)} does not fit in {bits} bits");
    }

    /// <summary>A number that fits an int (exit codes, permit types, seeds).</summary>
    public static Parsed<int> Int32(ReadOnlySpan<char> text)
    {
        var number = Number(text);
        if (number.Error is not null && !IsNumeral(text))
            return Parsed<int>.Fail(number.Error);
        bool negative = text.StartsWith('-');
        long value = (long)number.Value;
        bool fits = number.Error is null
            && (negative ? value >= int.MinValue : number.Value <= int.MaxValue);
        return fits
            ? Parsed<int>.Ok((int)value)
            : Parsed<int>.Fail($"{Quote(text)} does not fit in a 32-bit signed integer");
    }

    /// <summary>
    /// Bytes, or <c>4p</c> (pages of 4096), <c>16K</c>, <c>2M</c>, <c>1G</c>; <c>max</c> is
    /// XPMEM_MAXADDR_SIZE.
    /// </summary>
    public static Parsed<ulong> Size(ReadOnlySpan<char> text)
    {
        if (text.SequenceEqual("max"))
            return Parsed<ulong>.Ok(Xpmem.MaxAddrSize);
        var magnitude = SizeMagnitude(text, out bool negative);
        return magnitude.Error is null
            ? Signed(text, magnitude.Value, negative)
            : Parsed<ulong>.Fail(magnitude.Error);
    }

    /// <summary>The offset in <c>NAME+SIZE</c> or <c>NAME-SIZE</c>, signed.</summary>
    public static Parsed<long> Offset(ReadOnlySpan<char> text, bool negative)
    {
        if (text.StartsWith('-') || !TryMagnitude(WithoutUnit(text, out _), out _))
        {
            char sign = negative ? '-' : '+';
            return Parsed<long>.Fail(
                $"expected a size (bytes, or with p, K, M or G) after '{sign}', "
                + $"found {Quote(text)}");
        }
        var magnitude = SizeMagnitude(text, out _);
        if (magnitude.Error is not null)
            return Parsed<long>.Fail(magnitude.Error);
        if (magnitude.Value > (negative ? TwoToThe63 : TwoToThe63 - 1))
            return Parsed<long>.Fail($"offset {Quote(text)} does not fit in 64 bits");
        ulong bytes = (ulong)magnitude.Value;
        return Parsed<long>.Ok(negative ? (long)(0UL - bytes) : (long)bytes);
    }

    /// <summary>Octal (<c>0666</c>, <c>666</c>), or hex when written <c>0x...</c>.</summary>
    public static Parsed<ulong> Mode(ReadOnlySpan<char> text)
    {
        if (text.StartsWith("0x", StringComparison.Ordinal))
            return Number(text);
        if (text.Length == 0 || text.ContainsAnyExcept(OctalDigits))
        {
            return Parsed<ulong>.Fail("expected an octal mode like 0600 "
                + $"(digits 0-7, or hex with 0x), found {Quote(text)}");
        }
        UInt128 mode = 0;
        foreach (char c in text.TrimStart('0'))
        {
            mode = mode * 8 + (UInt128)(c - '0');
            if (mode > ulong.MaxValue)
                return Parsed<ulong>.Fail($"mode {Quote(text)} does not fit in 64 bits");
        }
        return Parsed<ulong>.Ok((ulong)mode);
    }

    /// <summary><c>rdwr</c> (2), <c>rdonly</c> (1), or a raw number passed as is.</summary>
    public static Parsed<ulong> GetFlags(ReadOnlySpan<char> text)
    {
        if (text is "rdwr")
            return Parsed<ulong>.Ok(Xpmem.RdWr);
        if (text is "rdonly")
            return Parsed<ulong>.Ok(Xpmem.RdOnly);
        var number = Number(text);
        return number.Error is null
            ? number
            : Parsed<ulong>.Fail("expected get flags: rdwr, rdonly or a number, "
                + $"found {Quote(text)}{DidYouMean(text, ["rdwr", "rdonly"])}");
    }

    /// <summary>
    /// <c>500us</c>, <c>2ms</c>, <c>1s</c>, and with decimals, <c>1.5ms</c>; at most
    /// <see cref="DurationMax"/>.
    /// </summary>
    public static Parsed<TimeSpan> Duration(ReadOnlySpan<char> text)
    {
        int unitStart = text.Length;
        while (unitStart > 0 && char.IsAsciiLetter(text[unitStart - 1]))
            unitStart--;
        var unit = text[unitStart..];
        var form = TryUnsignedDecimal(text[..unitStart], out decimal amount);
        if (form == DecimalForm.Invalid || unit.Length == 0)
            return Parsed<TimeSpan>.Fail($"expected {DurationForm}, found {Quote(text)}");
        decimal? ticksPerUnit = unit switch
        {
            "us" => 10m,
            "ms" => TimeSpan.TicksPerMillisecond,
            "s" => TimeSpan.TicksPerSecond,
            _ => null,
        };
        if (ticksPerUnit is null)
        {
            return Parsed<TimeSpan>.Fail($"unknown unit {Quote(unit)} in {Quote(text)} "
                + $"(expected {DurationForm}){DidYouMean(unit, DurationUnits)}");
        }
        decimal ticks = form == DecimalForm.Valid ? Math.Round(amount * ticksPerUnit.Value) : -1;
        return ticks >= 0 && ticks <= DurationMax.Ticks
            ? Parsed<TimeSpan>.Ok(TimeSpan.FromTicks((long)ticks))
            : Parsed<TimeSpan>.Fail(
                $"duration {Quote(text)} is too long "
                + $"(the longest is {DurationMaxText}, {DurationMaxNote})");
    }

    /// <summary><c>MIN..MAX</c>, both durations, MIN not above MAX.</summary>
    public static Parsed<(TimeSpan Min, TimeSpan Max)> DurationRange(ReadOnlySpan<char> text)
    {
        int dots = text.IndexOf("..", StringComparison.Ordinal);
        if (dots < 0)
        {
            return Parsed<(TimeSpan, TimeSpan)>.Fail(
                $"expected MIN..MAX (each {DurationForm}), found {Quote(text)}");
        }
        var min = Duration(text[..dots]);
        var max = Duration(text[(dots + 2)..]);
        if ((min.Error ?? max.Error) is { } error)
            return Parsed<(TimeSpan, TimeSpan)>.Fail(error);
        return min.Value <= max.Value
            ? Parsed<(TimeSpan, TimeSpan)>.Ok((min.Value, max.Value))
            : Parsed<(TimeSpan, TimeSpan)>.Fail($"{Quote(text)}: MIN is above MAX");
    }

    /// <summary><c>30%</c>, <c>0%</c>, <c>12.5%</c>.</summary>
    public static Parsed<double> Rate(ReadOnlySpan<char> text)
    {
        decimal percent = 0;
        bool isRate = text.EndsWith('%')
            && TryUnsignedDecimal(text[..^1], out percent) == DecimalForm.Valid
            && percent <= 100;
        return isRate
            ? Parsed<double>.Ok((double)percent)
            : Parsed<double>.Fail($"expected {RateForm}, found {Quote(text)}");
    }

    /// <summary>A partition number, before the range check.</summary>
    public static Parsed<int> Partition(ReadOnlySpan<char> text)
    {
        if (!TryMagnitude(text, out var magnitude))
            return Parsed<int>.Fail($"expected a partition number, found {Quote(text)}");
        return Parsed<int>.Ok(magnitude > int.MaxValue ? int.MaxValue : (int)magnitude);
    }

    /// <summary>The errno <paramref name="text"/> names, if an expectation may name it.</summary>
    public static bool TryExpectableErrno(ReadOnlySpan<char> text, out Errno errno) =>
        ErrnosByName.TryGetValue(text, out errno);

    /// <summary>Whether <paramref name="text"/> names a signal an access may raise.</summary>
    public static bool IsExpectableSignal(ReadOnlySpan<char> text) =>
        ExpectableSignalNames.Contains(text);

    public static Parsed<Signal> SignalNamed(ReadOnlySpan<char> text, IReadOnlyList<Signal> allowed)
    {
        var signal = SignalsByName.TryGetValue(text, out var named) && allowed.Contains(named)
            ? named
            : Signal.None;
        return signal != Signal.None
            ? Parsed<Signal>.Ok(signal)
            : Parsed<Signal>.Fail($"expected a signal ({string.Join(", ", allowed)}), "
                + $"found {Quote(text)}"
                + DidYouMean(text, allowed.Select(s => s.ToString())));
    }

    private static Parsed<UInt128> SizeMagnitude(ReadOnlySpan<char> text, out bool negative)
    {
        negative = text.StartsWith('-');
        var body = WithoutUnit(negative ? text[1..] : text, out ulong unit);
        if (!TryMagnitude(body, out var magnitude))
        {
            return Parsed<UInt128>.Fail(
                $"expected {SizeForm}, found {Quote(text)}{UnitCase(text)}");
        }
        if (magnitude > ulong.MaxValue || magnitude * unit > ulong.MaxValue)
            return Parsed<UInt128>.Fail($"size {Quote(text)} does not fit in 64 bits");
        return Parsed<UInt128>.Ok(magnitude * unit);
    }

    private static ReadOnlySpan<char> WithoutUnit(ReadOnlySpan<char> size, out ulong unit)
    {
        unit = size.Length == 0 ? 1 : size[^1] switch
        {
            'p' => Xpmem.PageSize,
            'K' => 1UL << 10,
            'M' => 1UL << 20,
            'G' => 1UL << 30,
            _ => 1,
        };
        return unit == 1 ? size : size[..^1];
    }

    private static Parsed<ulong> Signed(ReadOnlySpan<char> text, UInt128 magnitude, bool negative)
    {
        if (magnitude > (negative ? TwoToThe63 : ulong.MaxValue))
            return Parsed<ulong>.Fail($"{Quote(text)} does not fit in 64 bits");
        return Parsed<ulong>.Ok(negative ? 0UL - (ulong)magnitude : (ulong)magnitude);
    }

    // Digits past 128 bits saturate, so the caller says "does not fit" rather than "not a number".
    private static bool TryMagnitude(ReadOnlySpan<char> text, out UInt128 magnitude)
    {
        magnitude = 0;
        bool hex = text.StartsWith("0x", StringComparison.Ordinal);
        var digits = hex ? text[2..] : text;
        bool valid = !digits.ContainsAnyExcept(hex ? HexDigits : DecimalDigits);
        if (digits.Length == 0 || !valid)
            return false;
        var style = hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None;
        var significant = digits.TrimStart('0');
        if (significant.Length == 0)
            return true;
        // Up to 16 hex or 19 decimal digits fit 64 bits: summed here, as most numbers are.
        if (significant.Length <= (hex ? 16 : 19))
        {
            ulong value = 0;
            foreach (char c in significant)
                value = hex ? (value << 4) + HexValue(c) : (value * 10) + (uint)(c - '0');
            magnitude = value;
            return true;
        }
        if (!UInt128.TryParse(significant, style, CultureInfo.InvariantCulture, out magnitude))
            magnitude = UInt128.MaxValue;
        return true;
    }

    private static uint HexValue(char digit) => digit switch
    {
        <= '9' => (uint)(digit - '0'),
        <= 'F' => (uint)(digit - 'A' + 10),
        _ => (uint)(digit - 'a' + 10),
    };

    // Digits, then optionally '.' and digits. A whole part past 20 digits is too large for any
    // use here (the caller says so, rather than "not a number"); fraction digits past the 28th
    // are below what a decimal holds, and far below a tick.
    private static DecimalForm TryUnsignedDecimal(ReadOnlySpan<char> text, out decimal value)
    {
        value = 0;
        int dot = text.IndexOf('.');
        var whole = dot < 0 ? text : text[..dot];
        var fraction = dot < 0 ? "0" : text[(dot + 1)..];
        bool digits = whole.Length > 0 && fraction.Length > 0
            && !whole.ContainsAnyExcept(DecimalDigits)
            && !fraction.ContainsAnyExcept(DecimalDigits);
        if (!digits)
            return DecimalForm.Invalid;
        whole = whole.TrimStart('0');
        if (whole.Length > 20)
            return DecimalForm.TooLarge;
        Span<char> clipped = stackalloc char[DecimalLengthMax];
        int length = 0;
        Append(clipped, ref length, whole.Length == 0 ? "0" : whole);
        Append(clipped, ref length, ".");
        Append(clipped, ref length, fraction[..Math.Min(28, fraction.Length)]);
        value = decimal.Parse(clipped[..length], NumberStyles.AllowDecimalPoint,
            CultureInfo.InvariantCulture);
        return DecimalForm.Valid;
    }

    private static void Append(Span<char> buffer, ref int length, ReadOnlySpan<char> text)
    {
        text.CopyTo(buffer[length..]);
        length += text.Length;
    }

    // "4k" and "2m" are near misses of 4K and 2M: size suffixes are case-sensitive.
    private static string UnitCase(ReadOnlySpan<char> text)
    {
        if (text.Length < 2 || !char.IsAsciiLetter(text[^1]))
            return "";
        char unit = text[^1];
        char flipped = char.IsAsciiLetterUpper(unit)
            ? char.ToLowerInvariant(unit)
            : char.ToUpperInvariant(unit);
        bool valid = "pKMG".Contains(flipped)
            && TryMagnitude(text[..^1].TrimStart('-'), out _);
        return valid ? Suggestions.DidYouMeanText(string.Concat(text[..^1], [flipped])) : "";
    }

    // Messages only: the word is copied when it is quoted, never to be read.
    private static string Quote(ReadOnlySpan<char> text) => MessageText.Quote(text.ToString());

    private static string DidYouMean(ReadOnlySpan<char> word, IEnumerable<string> candidates) =>
        Suggestions.DidYouMean(word.ToString(), candidates);

    private enum DecimalForm
    {
        Invalid,
        Valid,
        TooLarge,
    }
}
