// Proves `xpmem-emu node` refuses bad arguments as bad input (exit 2, a message naming the
// option and what it takes, the usage, nothing started) and is listed by help. Every case here
// is refused before a node starts: a good command line would run until a signal (that path is
// NodeProcessSpec's, with real processes).
using Emulator.Host.Cli;
using Xunit;

namespace Emulator.Tests.Cli;

public sealed class NodeCommandSpec
{
    [Theory]
    [InlineData("--of 2", "'--partitions' is required")]
    [InlineData("--partitions 0", "'--of' is required")]
    [InlineData("--partitions 0,2 --of 2", "partition 2 is not one of the machine's 2")]
    [InlineData("--partitions 0,0 --of 2", "partition 0 twice")]
    [InlineData("--partitions x --of 2", "'x' is not a partition number")]
    [InlineData("--partitions 0 --of 0", "--of '0' is not a partition count")]
    [InlineData("--partitions 0 --of 2 --port 70000", "--port '70000' is not a TCP port")]
    [InlineData("--partitions 0 --of 2 --seed-nodes 127.0.0.1", "'127.0.0.1' is not HOST:PORT")]
    [InlineData("--partitions 0 --of 2 --seed-nodes h:0", "'h:0' is not HOST:PORT")]
    [InlineData("--partitions 0 --of 2 --host a\"b", "is not a host name or IP address")]
    [InlineData("--partitions 0 --of 2 --incarnation 0", "--incarnation '0' is not a number")]
    [InlineData("--partitions 0 --of 2 --first-pid -5", "--first-pid '-5' is not a number")]
    public void Node_must_refuse_bad_arguments_as_bad_input(string arguments, string message)
    {
        var outcome = CliFixture.Run(["node", .. arguments.Split(' ')]);
        Assert.True(outcome.Exit == ExitCodes.BadInput, outcome.ToString());
        Assert.Contains(message, outcome.Error);
        Assert.Contains("xpmem-emu node --partitions LIST --of N", outcome.Error);
        Assert.True(outcome.Out.Length == 0, outcome.ToString());
    }

    [Fact]
    public void Node_must_be_explained_by_help()
    {
        var outcome = CliFixture.Run("help", "node");
        Assert.True(outcome.Exit == ExitCodes.Held, outcome.ToString());
        Assert.Contains("--seed-nodes", outcome.Out);
        Assert.Contains("SIGTERM", outcome.Out);
    }
}
