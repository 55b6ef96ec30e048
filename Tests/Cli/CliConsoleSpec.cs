// Proves how the CLI words counts and rates: a slow sweep's rate keeps its decimals instead of
// reading 0.
using Emulator.Host.Cli;
using Xunit;

namespace Emulator.Tests.Cli;

public sealed class CliConsoleSpec
{
    [Theory]
    [InlineData(0.0, "0.0 runs/s")]
    [InlineData(0.47, "0.47 runs/s")]
    [InlineData(5.5, "5.5 runs/s")]
    [InlineData(698.4, "698 runs/s")]
    public void Rate_must_keep_decimals_below_ten(double perSecond, string expected) =>
        Assert.Equal(expected, CliConsole.Rate(perSecond, "runs"));
}
