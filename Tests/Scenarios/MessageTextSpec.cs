using Emulator.Host.Scenarios;
using Xunit;
using static Emulator.Tests.Scenarios.ScenarioFiles;

namespace Emulator.Tests.Scenarios;

// Proves that error messages never echo raw control characters or huge tokens: MessageText
// escapes control, format and separator characters and lone surrogates, clips a quoted word to
// 60 characters with "…" and a reason to 400, and lists at most 10 names; and that the parser's
// messages go through it, checked on steps holding a bell, a line break, a bidi override and a
// 64 KiB word.
public sealed class MessageTextSpec
{
    [Theory]
    [InlineData("plain words", "plain words")]
    [InlineData("bell\a", "bell\\x07")]
    [InlineData("a\nb\rc\td", "a\\nb\\rc\\td")]
    [InlineData("nul\0del\u007f", "nul\\x00del\\x7f")]
    [InlineData("c1\u009b", "c1\\x9b")]
    [InlineData("rtl\u202eabc", "rtl\\u202eabc")]
    [InlineData("zero\u200bwidth\ufeff", "zero\\u200bwidth\\ufeff")]
    [InlineData("line\u2028para\u2029", "line\\u2028para\\u2029")]
    [InlineData("pair\ud83d\ude00 é ü 日本", "pair\ud83d\ude00 é ü 日本")]
    [InlineData("back\\slash", "back\\slash")]
    public void MessageText_must_escape_what_a_terminal_would_obey(string text, string shown)
    {
        Assert.Equal(shown, MessageText.Escape(text));
        Assert.Equal(shown, MessageText.Escape(MessageText.Escape(text)));
    }

    [Fact]
    public void MessageText_must_escape_half_a_character()
    {
        Assert.Equal("lone\\ud800 and \\udc00", MessageText.Escape("lone\ud800 and \udc00"));
    }

    [Fact]
    public void MessageText_must_clip_a_word_and_never_split_a_character()
    {
        Assert.Equal(new string('x', 60), MessageText.Clip(new string('x', 60)));
        Assert.Equal(new string('x', 60) + "…", MessageText.Clip(new string('x', 61)));
        string emoji = new string('x', 59) + "\ud83d\ude00";
        Assert.Equal(new string('x', 59) + "…", MessageText.Clip(emoji));
        Assert.Equal("'" + new string('\a', 60).Replace("\a", "\\x07") + "…'",
            MessageText.Quote(new string('\a', 1000)));
    }

    [Fact]
    public void MessageText_must_bound_a_reason_and_a_list()
    {
        var error = new ScenarioError(new SourceLocation("f", 1, 1), new string('r', 10_000));
        string[] names = [.. Enumerable.Range(0, 12).Select(i => $"p{i}")];

        Assert.Equal(MessageText.ReasonLengthMax + 1, error.Reason.Length);
        Assert.EndsWith("…", error.Reason);
        Assert.Equal("p0, p1, p2, p3, p4, p5, p6, p7, p8, p9 and 2 more", MessageText.List(names));
    }

    [Fact]
    public void ScenarioParser_must_escape_control_characters_in_its_messages()
    {
        var bell = StepError("owner: \\u0007ring");
        var rtl = StepError("owner: x\\u202e = fork");

        Assert.StartsWith("unknown command '\\x07ring'", bell.Reason);
        Assert.StartsWith("'x\\u202e' is not a name", rtl.Reason);
        var hocon = Error("steps = [ \u0001 ]\n\u0007 = 1");
        Assert.Contains("'\\x01'", hocon.Message);
        Assert.Contains("'\\x07'", hocon.Message);
        Assert.All(hocon.Message.Split('\n'), line => Assert.DoesNotContain(line, char.IsControl));
        var file = Assert.Throws<ScenarioException>(
            () => ScenarioParser.Parse("steps = [ x ", "bad\nname.hocon"));
        Assert.StartsWith("bad\\nname.hocon:1:9: ", file.Message);
    }

    [Fact]
    public void ScenarioParser_must_clip_a_long_word_in_its_messages()
    {
        string word = new('w', 64 * 1024);

        var error = StepError($"owner: {word}");
        var process = StepError($"{word}: exit");

        Assert.Equal($"unknown command '{new string('w', 60)}…' (expected one of: mmap, ",
            error.Reason[..(error.Reason.IndexOf("mmap", StringComparison.Ordinal) + 6)]);
        Assert.True(process.Message.Length < 300, process.Message);
    }
}
