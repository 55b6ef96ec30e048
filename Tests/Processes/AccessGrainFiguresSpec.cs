// Prints what each access grain costs: a fill and a check of 1 MiB of a process's own memory,
// and through a remote attachment, in sim mode, as messages delivered and elapsed time (printed,
// not asserted: the machine is shared). Checked: a range costs one delivery per unit it moves
// and a bounded number more (the calls themselves), never one per byte or a constant, and a
// check or sum of 1 GiB of which one page was touched costs that page's units and a handful
// more at every grain. See the
// figures with
//   dotnet test -c Release --filter FullyQualifiedName~AccessGrainFigures \
//     --logger "console;verbosity=detailed"
using Emulator.Host.Cli;
using Emulator.Host.Scenarios;
using Emulator.Partitions.Memory;
using Xunit;
using Xunit.Abstractions;

namespace Emulator.Tests.Processes;

public sealed class AccessGrainFiguresSpec(ITestOutputHelper output)
{
    private const int Mebibyte = 1 << 20;

    /// <summary>Deliveries of a run beside its units: spawns, calls, replies, teardown.</summary>
    private const long Overhead = 200;

    private const string Local = """
        processes {
          p {}
        }
        steps = [
          "p: mmap 0x10000000 1M"
          "p: fill 0x10000000 1M index32"
          "p: check 0x10000000 1M index32"
        ]
        """;

    private const string Remote = """
        partitions = 2
        processes {
          owner { partition = 0 }
          user { partition = 1 }
        }
        steps = [
          "owner: mmap 0x10000000 1M"
          "owner: seg = make 0x10000000 1M mode=0666"
          "user: ap = get seg rdwr"
          "user: at = attach ap 0 1M"
          "user: fill at 1M index32"
          "user: check at 1M index32"
        ]
        """;

    private const string Untouched = """
        processes {
          p {}
        }
        steps = [
          "p: mmap 0x10000000 1G"
          "p: write32 0x10000000 1"
          "p: check 0x10000004 1020M zero"
          "p: sum32 0x10000000 1G => 1"
        ]
        """;

    public static TheoryData<AccessGrain> Grains =>
        [AccessGrain.Word, AccessGrain.Line, AccessGrain.Page];

    [Theory]
    [MemberData(nameof(Grains))]
    public void A_range_must_cost_a_delivery_per_unit_it_moves(AccessGrain grain)
    {
        var units = 2L * Mebibyte / grain.Bytes();
        var local = Measure("local", Local, grain);
        Assert.InRange(local, units, units + Overhead);
        if (grain != AccessGrain.Word)
        {
            // Every remote unit is a round trip through both partitions' XPC endpoints.
            var remote = Measure("remote", Remote, grain);
            Assert.InRange(remote, units, 12 * units + 256 * Overhead);
        }
        // The one page the write touched, unit by unit, for each of check and sum32; the rest
        // of the gibibyte in a step each.
        var untouched = Measure("untouched 1 GiB", Untouched, grain);
        Assert.InRange(untouched, 1, 2 * 4096 / grain.Bytes() + Overhead);
    }

    private long Measure(string what, string text, AccessGrain grain)
    {
        var scenario = ScenarioParser.Parse(text, $"{what}.hocon");
        var config = Emulator.Host.Settings.Load(
            $"xpmem-emulator.access-grain = {grain.ToString().ToLowerInvariant()}");
        using var sweep = new SweepRunner(config);
        var result = sweep.Run(scenario, seed: 1);
        Assert.True(result.Passed, $"{what} at {grain} grain, seed 1: {result.Failure}");
        var summary = result.Summary;
        output.WriteLine($"{what,-16} {grain,-4} grain: {summary.Messages,10:N0} messages "
            + $"({summary.XpcMessages:N0} across XPC), {summary.Elapsed.TotalMilliseconds,7:N0} ms");
        return summary.Messages;
    }
}
