// Proves text from the user is printed safely: control and bidi-override characters come out as
// visible escapes (no raw ESC, no line break), huge tokens are clipped to a bounded length with
// their start and end kept, and ordinary text is left exactly as it was.
using Emulator.Host.Cli;
using Xunit;

namespace Emulator.Tests.Cli;

public sealed class UserTextSpec
{
    [Fact]
    public void UserText_must_show_control_characters_as_escapes()
    {
        var shown = UserText.Safe("a\u001b[31mred\nline\tend\u202e\u0000");
        Assert.Equal("a\\x1b[31mred\\nline\\tend\\u202e\\x00", shown);
    }

    [Fact]
    public void UserText_must_clip_a_huge_token_and_keep_its_ends()
    {
        var huge = "start" + new string('y', 100_000) + "finish";
        var shown = UserText.Safe($"cannot read '{huge}' now");
        Assert.True(shown.Length < 300, $"{shown.Length} characters");
        Assert.StartsWith("cannot read 'start", shown);
        Assert.Contains("finish'", shown);
        Assert.Contains("[clipped: 100013 characters]", shown);
        Assert.EndsWith(" now", shown);
    }

    [Theory]
    [InlineData("examples/quickstart.hocon:16:3: step \"user: read32 at => 5\"")]
    [InlineData("Grüße, 分区, emoji 🙂 stay")]
    public void UserText_must_leave_ordinary_text_as_it_is(string text)
    {
        Assert.Equal(text, UserText.Safe(text));
    }

    [Fact]
    public void UserText_must_never_cut_a_surrogate_pair_when_clipping()
    {
        // One character before the pairs puts a pair across both cut points.
        var shown = UserText.Clip("a" + string.Concat(Enumerable.Repeat("🙂", 200)) + "b");
        Assert.Equal(shown, UserText.WellFormed(shown));
    }
}
