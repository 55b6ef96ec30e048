using Emulator.Host.Scenarios;
using Xunit;
using static Emulator.Tests.Scenarios.ScenarioFiles;

namespace Emulator.Tests.Scenarios;

// Proves that a typo is answered with the nearest word the language knows, wherever a word is
// chosen from a list (commands, keys, flags, options, patterns, errno and signal names, process
// and value names), and with nothing when no word is near: each case parses a whole file and
// reads the error's reason. The edit distance itself is checked on its own at the end.
public sealed class SuggestionsSpec
{
    private static readonly string[] PreludeUser = [.. Prelude];

    private static string Reason(string text) => Error(text).Reason;

    private static string StepReason(params string[] steps) =>
        StepError([.. PreludeUser, .. steps]).Reason;

    [Theory]
    [InlineData("owner: atach ap 0 4p", "attach")]
    [InlineData("owner: mmpa 0x1000 1p", "mmap")]
    [InlineData("owner: exti", "exit")]
    [InlineData("owner: Remove seg", "remove")]
    [InlineData("owner: read33 0x1000", "read32")]
    [InlineData("wiat 1s", "wait")]
    [InlineData("crsh partition 1", "crash")]
    [InlineData("ownr exit", "owner: COMMAND")]
    [InlineData("atach ap 0 4p", "PROCESS: attach")]
    public void Suggestions_must_offer_the_nearest_command(string step, string suggested)
    {
        Assert.Contains($"; did you mean '{suggested}'?", StepReason(step));
    }

    [Theory]
    [InlineData("step = []", "steps")]
    [InlineData("partition = 2\nsteps = []", "partitions")]
    [InlineData("proceses { }\nsteps = []", "processes")]
    [InlineData("librar = raw\nsteps = []", "library")]
    [InlineData("processes { a { partiton = 0 } }\nsteps = []", "partition")]
    [InlineData("processes { a { gdi = 0 } }\nsteps = []", "gid")]
    [InlineData("library = libxpmen\nsteps = []", "libxpmem")]
    [InlineData("steps = [ { repaet = 2, steps = [] } ]", "repeat")]
    [InlineData("steps = [ { parallell = [] } ]", "parallel")]
    public void Suggestions_must_offer_the_nearest_key_or_setting(string text, string suggested)
    {
        Assert.Contains($"; did you mean '{suggested}'?", Reason(text));
    }

    [Theory]
    [InlineData("user: x = get seg rdwrr", "rdwr")]
    [InlineData("user: x = get seg RDONLY", "rdonly")]
    [InlineData("owner: s = make 0x10000 1p mdoe=0666", "mode")]
    [InlineData("owner: s = make 0x10000 1p permit_type=1", "permit-type")]
    [InlineData("user: x = attach ap 0 1p att=0x1000", "at")]
    [InlineData("user: fill at 1p zeros", "zero")]
    [InlineData("user: fill at 1p index", "index32")]
    [InlineData("user: check at 1p bytes=1", "byte")]
    [InlineData("user: read32 at => EINVALID", "EINVAL")]
    [InlineData("user: read32 at => EACCESS", "EACCES")]
    [InlineData("user: read32 at => sigbus", "SIGBUS")]
    [InlineData("user: read32 at => OK", "ok")]
    [InlineData("user: kill SIGTREM", "SIGTERM")]
    [InlineData("usr: exit", "user")]
    [InlineData("user: read32 att", "at")]
    [InlineData("user: detach segg", "seg")]
    [InlineData("expect qiet", "quiet")]
    [InlineData("expect pins balance", "balanced")]
    [InlineData("crash partiton 1", "partition")]
    [InlineData("wait 1S", "s")]
    [InlineData("owner: mmap 0x20000 4k", "4K")]
    public void Suggestions_must_offer_the_nearest_value(string step, string suggested)
    {
        Assert.Contains($"; did you mean '{suggested}'?", StepReason(step));
    }

    [Theory]
    [InlineData("owner: frobnicate")]
    [InlineData("user: kill SIGHUP")]
    [InlineData("user: fill at 1p stripes")]
    [InlineData("ghost: exit")]
    [InlineData("user: read32 at => EAGAIN")]
    [InlineData("user: x = get seg w")]
    [InlineData("user: read32 q")]
    [InlineData("wait 5h")]
    public void Suggestions_must_offer_nothing_when_no_word_is_near(string step)
    {
        Assert.DoesNotContain("did you mean", StepReason(step));
    }

    [Fact]
    public void Suggestions_must_not_compare_a_huge_word()
    {
        string word = "attach" + new string('x', 100_000);

        Assert.Null(Suggestions.Nearest(word, ["attach"]));
        Assert.DoesNotContain("did you mean", StepReason($"owner: {word}"));
    }

    [Theory]
    [InlineData("attach", "attach", 0)]
    [InlineData("atach", "attach", 1)]
    [InlineData("mdoe", "mode", 1)]
    [InlineData("SIGHUP", "SIGBUS", 2)]
    [InlineData("", "abc", 3)]
    [InlineData("kitten", "sitting", 3)]
    public void Suggestions_must_count_edits_and_swaps(string a, string b, int distance)
    {
        Assert.Equal(distance, Suggestions.Distance(a, b, ignoreCase: false));
        Assert.Equal(distance, Suggestions.Distance(b, a, ignoreCase: false));
    }

    [Fact]
    public void Suggestions_must_prefer_the_nearest_then_the_exact_case_then_the_first()
    {
        Assert.Equal("read8", Suggestions.Nearest("read", ["read16", "read8"]));
        Assert.Equal("Ab", Suggestions.Nearest("ab", ["AB", "Ab"]));
        Assert.Equal("abcd", Suggestions.Nearest("abcx", ["abcd", "abce"]));
        Assert.Null(Suggestions.Nearest("x", ["y", "at"]));
    }
}
