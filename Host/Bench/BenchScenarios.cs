using System.Globalization;
using System.Text;

namespace Emulator.Host.Bench;

/// <summary>
/// The scenarios the bench times, as text: each is run at two sizes (or with and without the
/// work it measures), so that the difference is the work alone, without the machine's start and
/// the scenario's setup.
/// </summary>
internal static class BenchScenarios
{
    /// <summary>
    /// An owner exports <paramref name="pages"/> pages; a user on the same partition or the
    /// other attaches them and reads every word of them <paramref name="touches"/> times (the
    /// first touch of each page is a fault; later touches are loads alone).
    /// </summary>
    public static string Faults(int pages, int touches, bool crossPartition) => Text($$"""
        name = "first-touch faults, {{(crossPartition ? "cross" : "same")}} partition"
        partitions = 2
        processes {
          owner { partition = 0 }
          user { partition = {{(crossPartition ? 1 : 0)}} }
        }
        steps = [
          "owner: mmap 0x10000000 {{pages}}p"
          "owner: seg = make 0x10000000 {{pages}}p mode=0666"
          "user: ap = get seg rdwr"
          "user: at = attach ap 0 {{pages}}p"
          { repeat = {{touches}}, steps = [ "user: sum32 at {{pages}}p => 0" ] }
        ]
        """);

    /// <summary>
    /// <paramref name="pairs"/> owner-and-user pairs across <paramref name="partitions"/>
    /// partitions (pair i's owner on partition i mod n, its user on the next), every user
    /// attaching its owner's 2 x <paramref name="pages"/> pages; then all users at once read every
    /// word of their first <paramref name="pages"/> pages (a warm-up: top-level step 2), and
    /// then of the next <paramref name="pages"/> (the measured batch: step 3): as many fault
    /// chains in flight as pairs, each crossing between partitions. The setup runs the pairs side
    /// by side too.
    /// </summary>
    public static string PairedFaults(int pairs, int pages, int partitions)
    {
        var text = new StringBuilder(Text($$"""
            name = "{{pairs}} pairs fault 2 x {{pages}} pages each across partitions"
            partitions = {{partitions}}
            processes {

            """));
        for (var i = 0; i < pairs; i++)
        {
            text.Append(Text($"  owner{i} {{ partition = {i % partitions} }}\n"));
            text.Append(Text($"  user{i} {{ partition = {(i + 1) % partitions} }}\n"));
        }
        text.Append("}\nsteps = [\n");
        Branches(text, pairs, i =>
        [
            $"owner{i}: mmap 0x10000000 {2 * pages}p",
            $"owner{i}: seg{i} = make 0x10000000 {2 * pages}p mode=0666",
            $"user{i}: ap{i} = get seg{i} rdwr",
            $"user{i}: at{i} = attach ap{i} 0 {2 * pages}p",
        ]);
        Branches(text, pairs, i => [$"user{i}: sum32 at{i} {pages}p => 0"]);
        Branches(text, pairs, i => [$"user{i}: sum32 at{i}+{pages}p {pages}p => 0"]);
        return text.Append("]\n").ToString();
    }

    /// <summary><paramref name="pairs"/> attaches and detaches of one page, one after another.
    /// </summary>
    public static string AttachDetach(int pairs) => OwnerAndUser("attach and detach", $$"""
          "owner: seg = make 0x10000000 1p mode=0666"
          "user: ap = get seg rdwr"
          { repeat = {{pairs}}, steps = [ "user: at = attach ap 0 1p", "user: detach at" ] }
        """);

    /// <summary><paramref name="rounds"/> of make, get, release and remove.</summary>
    public static string PermitCalls(int rounds) => OwnerAndUser("make, get, release, remove",
        $$"""
          { repeat = {{rounds}}, steps = [
              "owner: seg = make 0x10000000 1p mode=0666"
              "user: ap = get seg rdwr"
              "user: release ap"
              "owner: remove seg"
          ] }
        """);

    /// <summary>
    /// An owner with a page mapped and a user, on one partition, then <paramref name="steps"/>.
    /// </summary>
    private static string OwnerAndUser(string name, FormattableString steps) => $$"""
        name = "{{name}}"
        partitions = 1
        processes {
          owner { partition = 0 }
          user { partition = 0 }
        }
        steps = [
          "owner: mmap 0x10000000 1p"
        {{Text(steps)}}
        ]
        """;

    /// <summary>
    /// The smallest XPMEM round trip across two partitions (make, get, attach, one remote fault,
    /// one load): what explore's speed is measured on.
    /// </summary>
    public const string RoundTrip = """
        name = "two-partition round trip"
        partitions = 2
        processes {
          owner { partition = 0 }
          user { partition = 1 }
        }
        steps = [
          "owner: mmap 0x10000 1p"
          "owner: fill 0x10000 1p index32"
          "owner: seg = make 0x10000 1p mode=0666"
          "user: ap = get seg rdwr"
          "user: at = attach ap 0 1p"
          "user: read32 at+8 => 2"
        ]
        """;

    /// <summary>A step running a branch per pair, each its <paramref name="steps"/>.</summary>
    private static void Branches(StringBuilder text, int pairs,
        Func<int, FormattableString[]> steps)
    {
        text.Append("  { parallel = [\n");
        for (var i = 0; i < pairs; i++)
        {
            text.Append("    [ ").AppendJoin(", ", steps(i).Select(s => $"\"{Text(s)}\""))
                .Append(" ]\n");
        }
        text.Append("  ] }\n");
    }

    private static string Text(FormattableString text) =>
        text.ToString(CultureInfo.InvariantCulture);
}
