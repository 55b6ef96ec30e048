using Emulator.Host.Scenarios;
using Xunit;

namespace Emulator.Tests.Scenarios;

// Proves each value form of the language one word at a time: numbers (two's complement for
// negatives), sizes and their suffixes, offsets, octal modes, durations and rates, with the
// edges of 64 bits on both sides.
public sealed class ScenarioValuesSpec
{
    [Theory]
    [InlineData("0", 0UL)]
    [InlineData("42", 42UL)]
    [InlineData("0x2A", 42UL)]
    [InlineData("0x2a", 42UL)]
    [InlineData("-1", ulong.MaxValue)]
    [InlineData("-0x1", ulong.MaxValue)]
    [InlineData("-2", 0xfffffffffffffffeUL)]
    [InlineData("0xfffffffffffffffe", 0xfffffffffffffffeUL)]
    [InlineData("18446744073709551615", ulong.MaxValue)]
    [InlineData("-9223372036854775808", 0x8000000000000000UL)]
    [InlineData("000000000000000000000000000000000000000007", 7UL)]
    public void ScenarioValues_must_read_numbers(string text, ulong value)
    {
        Assert.Equal(Parsed<ulong>.Ok(value), ScenarioValues.Number(text));
    }

    [Theory]
    [InlineData("18446744073709551616")]
    [InlineData("0x10000000000000000")]
    [InlineData("-9223372036854775809")]
    [InlineData("0x")]
    [InlineData("1_000")]
    [InlineData("abc")]
    [InlineData("--1")]
    [InlineData("")]
    [InlineData("1.5")]
    [InlineData("0X2A")]
    public void ScenarioValues_must_refuse_what_is_not_a_64_bit_number(string text)
    {
        Assert.NotNull(ScenarioValues.Number(text).Error);
    }

    [Theory]
    [InlineData("0", 0UL)]
    [InlineData("4096", 4096UL)]
    [InlineData("1p", 4096UL)]
    [InlineData("4p", 16384UL)]
    [InlineData("16K", 16384UL)]
    [InlineData("2M", 2097152UL)]
    [InlineData("1G", 1073741824UL)]
    [InlineData("0x10", 16UL)]
    [InlineData("0x10p", 65536UL)]
    [InlineData("max", ulong.MaxValue)]
    [InlineData("-1", ulong.MaxValue)]
    [InlineData("-1p", 0xfffffffffffff000UL)]
    [InlineData("4503599627370495p", 0xfffffffffffff000UL)]
    public void ScenarioValues_must_read_sizes(string text, ulong bytes)
    {
        Assert.Equal(Parsed<ulong>.Ok(bytes), ScenarioValues.Size(text));
    }

    [Theory]
    [InlineData("p")]
    [InlineData("1T")]
    [InlineData("1.5K")]
    [InlineData("17179869184G")]
    [InlineData("4503599627370496p")]
    [InlineData("MAX")]
    [InlineData("16k")]
    [InlineData("1g")]
    [InlineData("1P")]
    public void ScenarioValues_must_refuse_bad_sizes(string text)
    {
        Assert.NotNull(ScenarioValues.Size(text).Error);
    }

    [Theory]
    [InlineData("16", false, 16L)]
    [InlineData("1p", true, -4096L)]
    [InlineData("0x7fffffffffffffff", false, long.MaxValue)]
    [InlineData("0x8000000000000000", true, long.MinValue)]
    public void ScenarioValues_must_read_offsets(string text, bool negative, long offset)
    {
        Assert.Equal(Parsed<long>.Ok(offset), ScenarioValues.Offset(text, negative));
    }

    [Theory]
    [InlineData("0x8000000000000000", false)]
    [InlineData("-1", false)]
    [InlineData("max", false)]
    public void ScenarioValues_must_refuse_offsets_beyond_64_bits(string text, bool negative)
    {
        Assert.NotNull(ScenarioValues.Offset(text, negative).Error);
    }

    [Theory]
    [InlineData("0600", 384UL)]
    [InlineData("600", 384UL)]
    [InlineData("0666", 438UL)]
    [InlineData("0", 0UL)]
    [InlineData("0x1ff", 511UL)]
    public void ScenarioValues_must_read_modes_as_octal(string text, ulong mode)
    {
        Assert.Equal(Parsed<ulong>.Ok(mode), ScenarioValues.Mode(text));
    }

    [Theory]
    [InlineData("0686")]
    [InlineData("rw")]
    [InlineData("")]
    [InlineData("-1")]
    public void ScenarioValues_must_refuse_modes_that_are_not_octal(string text)
    {
        Assert.NotNull(ScenarioValues.Mode(text).Error);
    }

    [Theory]
    [InlineData("255", 8, 255UL)]
    [InlineData("-128", 8, 0x80UL)]
    [InlineData("-1", 16, 0xffffUL)]
    [InlineData("0xffffffff", 32, 0xffffffffUL)]
    [InlineData("-1", 64, ulong.MaxValue)]
    public void ScenarioValues_must_read_numbers_of_a_width(string text, int bits, ulong value)
    {
        Assert.Equal(Parsed<ulong>.Ok(value), ScenarioValues.NumberOfWidth(text, bits));
    }

    [Theory]
    [InlineData("256", 8)]
    [InlineData("-129", 8)]
    [InlineData("0x100000000", 32)]
    [InlineData("18446744073709551615", 8)]
    public void ScenarioValues_must_refuse_numbers_wider_than_their_width(string text, int bits)
    {
        Assert.NotNull(ScenarioValues.NumberOfWidth(text, bits).Error);
    }

    [Theory]
    [InlineData("500us", 5000L)]
    [InlineData("2ms", 20000L)]
    [InlineData("1s", 10000000L)]
    [InlineData("1.5ms", 15000L)]
    [InlineData("0ms", 0L)]
    public void ScenarioValues_must_read_durations(string text, long ticks)
    {
        Assert.Equal(Parsed<TimeSpan>.Ok(TimeSpan.FromTicks(ticks)), ScenarioValues.Duration(text));
    }

    [Theory]
    [InlineData("2")]
    [InlineData("ms")]
    [InlineData("-1s")]
    [InlineData("1h")]
    [InlineData("1.s")]
    [InlineData("0")]
    [InlineData("2MS")]
    [InlineData("99999999999999999999s")]
    public void ScenarioValues_must_refuse_bad_durations(string text)
    {
        Assert.NotNull(ScenarioValues.Duration(text).Error);
    }

    [Theory]
    [InlineData("30%", 30.0)]
    [InlineData("0%", 0.0)]
    [InlineData("100%", 100.0)]
    [InlineData("12.5%", 12.5)]
    public void ScenarioValues_must_read_rates(string text, double percent)
    {
        Assert.Equal(Parsed<double>.Ok(percent), ScenarioValues.Rate(text));
    }

    [Theory]
    [InlineData("101%")]
    [InlineData("30")]
    [InlineData("-1%")]
    [InlineData("%")]
    public void ScenarioValues_must_refuse_bad_rates(string text)
    {
        Assert.NotNull(ScenarioValues.Rate(text).Error);
    }

    private const int NumberSeed = 1203;

    // Numbers of up to 64 bits are summed digit by digit, longer ones parsed as 128-bit: both
    // must give what the number is, over every length either side of the boundary (16 hex digits,
    // 19 decimal).
    [Fact]
    public void ScenarioValues_must_read_every_length_of_number_as_BigInteger_does()
    {
        var random = new Random(NumberSeed);
        for (int i = 0; i < 20_000; i++)
        {
            bool hex = random.Next(2) == 0;
            string alphabet = hex ? "0123456789abcdefABCDEF" : "0123456789";
            var digits = new string(Enumerable.Range(0, random.Next(1, 42))
                .Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            string text = (hex ? "0x" : "") + digits;
            var value = System.Numerics.BigInteger.Parse(
                "0" + digits, hex ? System.Globalization.NumberStyles.AllowHexSpecifier
                    : System.Globalization.NumberStyles.None);

            var parsed = ScenarioValues.Number(text);

            string what = $"seed {NumberSeed}, input {i}: {text}";
            if (value <= ulong.MaxValue)
                Assert.True(parsed == Parsed<ulong>.Ok((ulong)value), $"{what}: {parsed}");
            else
                Assert.True(parsed.Error?.Contains("does not fit in 64 bits") == true, what);
        }
    }
}
