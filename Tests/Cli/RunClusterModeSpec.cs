// Proves `run --mode cluster` holds the file the other modes hold (RunModeOptionSpec), run
// in-process as a user would. It belongs to the cluster specs' collection: the node processes it
// starts are children of the test process, as every cluster spec's are, and a cluster spec that
// asserts none of its own is left (ClusterRunSpec) would count these too if they ran beside it
// (CI once saw cluster-ring "leave" two nodes: this file's two partitions' nodes).
using Emulator.Host.Cli;
using Emulator.Tests.Cluster;
using Xunit;

namespace Emulator.Tests.Cli;

[Collection(ClusterCollection.Name)]
public sealed class RunClusterModeSpec : IDisposable
{
    private readonly CliFixture _files = new();

    [Fact]
    public void Run_must_hold_the_same_file_in_cluster_mode()
    {
        var outcome = CliFixture.Run("run", _files.Write("good.hocon", CliFixture.Good),
            "--mode", "cluster", "--quiet");
        Assert.True(outcome.Exit == ExitCodes.Held, $"cluster: {outcome}");
        Assert.Contains("1 scenario held, 0 failed", outcome.Out);
    }

    public void Dispose() => _files.Dispose();
}
