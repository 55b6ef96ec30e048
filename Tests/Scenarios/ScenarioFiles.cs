using Emulator.Host.Scenarios;
using Xunit;

namespace Emulator.Tests.Scenarios;

/// <summary>Texts the parser specs share: the examples users copy, and a builder.</summary>
internal static class ScenarioFiles
{
    /// <summary>The example of docs/design.md section 7, verbatim.</summary>
    public const string DesignExample = """
        partitions = 2
        processes {
          owner { partition = 0 }
          user  { partition = 1 }
        }
        steps = [
          "owner: mmap 0x10000 4p"
          "owner: fill 0x10000 4p index32"
          "owner: seg = make 0x10000 4p mode=0666"
          "user:  ap = get seg rdwr"
          "user:  at = attach ap 0 4p"
          "user:  read32 at+16 => 4"
          "user:  write32 at+16 99"
          "owner: read32 0x10010 => 99"
          "owner: exit"
          "user:  read32 at => SIGBUS"
        ]
        """;

    /// <summary>The File example of scenario-language.md, verbatim but for its steps.</summary>
    public const string LanguageFileExample = """
        name = "owner exit invalidates a remote attachment"   # optional; default: the file name
        seed = 7                 # optional; the CLI's --seed wins
        partitions = 2           # partitions 0..N-1; default 1
        processes {              # declared processes start at the beginning of the run
          owner { partition = 0 }                  # uid and gid default to 1000
          user  { partition = 1, uid = 1001, gid = 1000 }
          admin { partition = 1, uid = 0 }         # uid 0 has CAP_IPC_OWNER (bypasses mode checks)
        }
        steps = [          # run in order; each step ends before the next begins
          "owner: mmap 0x10000 4p"
          "owner: seg = make 0x10000 4p mode=0666"
          "user: ap = get seg rdwr"
          "user: at = attach ap 0 4p"
          { parallel = [
              [ "owner: exit" ]
              [ "user: read32 at => 0", "wait 2ms" ]
            ] }
          { repeat = 3, steps = [ "expect quiet" ] }
          "user: read32 at => SIGBUS"
          "expect pins balanced"
        ]
        """;

    /// <summary>The header lines <see cref="WithSteps"/> writes before the first step.</summary>
    public const int HeaderLines = 6;

    /// <summary>
    /// Two partitions, owner on 0 and user on 1, and the steps each quoted on its own line:
    /// step i (0-based) is on line <see cref="HeaderLines"/> + 1 + i, its quote in column 3.
    /// </summary>
    public static string WithSteps(params string[] steps) =>
        "partitions = 2\n"
        + "processes {\n"
        + "  owner { partition = 0 }\n"
        + "  user { partition = 1, uid = 1001 }\n"
        + "}\n"
        + "steps = [\n"
        + string.Concat(steps.Select(s => $"  \"{s}\"\n"))
        + "]\n";

    /// <summary>Steps that bind seg (owner), ap and at (user) over 4 pages at 0x10000.</summary>
    public static readonly string[] Prelude =
    [
        "owner: mmap 0x10000 4p",
        "owner: seg = make 0x10000 4p",
        "user: ap = get seg rdwr",
        "user: at = attach ap 0 4p",
    ];

    public static Scenario Parse(string text) => ScenarioParser.Parse(text, "t.hocon");

    /// <summary>The command of the last step, after the <see cref="Prelude"/>.</summary>
    public static CommandStep LastStep(params string[] steps)
    {
        var scenario = Parse(WithSteps([.. Prelude, .. steps]));
        return (CommandStep)scenario.Steps[^1];
    }

    public static Command Last(string step) => LastStep(step).Command;

    public static ScenarioException Error(string text) =>
        Assert.Throws<ScenarioException>(() => ScenarioParser.Parse(text, "t.hocon"));

    public static ScenarioException StepError(params string[] steps) => Error(WithSteps(steps));
}
