using System.Globalization;

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
    /// first touch of each page is a fault; later touches are loads alone). A third partition,
    /// idle, makes room for a third node in cluster mode.
    /// </summary>
    public static string Faults(int pages, int touches, bool crossPartition,
        int partitions = 2) => Text($$"""
        name = "first-touch faults, {{(crossPartition ? "cross" : "same")}} partition"
        partitions = {{partitions}}
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

    private static string Text(FormattableString text) =>
        text.ToString(CultureInfo.InvariantCulture);
}
