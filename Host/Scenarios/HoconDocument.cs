using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Emulator.Host.Scenarios;

/// <summary>Where the values of a file come from.</summary>
internal enum HoconValueSource
{
    /// <summary>From the outline when the file is plain, else from Akka's parser.</summary>
    OutlineWhenPlain,

    /// <summary>From Akka's parser always: what tests compare the outline's reading with.</summary>
    Akka,
}

/// <summary>
/// Reads a scenario file's HOCON: checks it and records positions with
/// <see cref="HoconOutlineParser"/>, then reads the values. Akka's own parser is the one the
/// language is defined by, but it takes about a second for a 3 MB file (it allocates a string
/// per character it looks at); so a plain file (<see cref="OutlineDocument"/>), where the outline
/// provably reads what Akka reads, is read from the outline alone, and any other goes to Akka.
/// </summary>
internal static class HoconDocument
{
    public static HoconNode Read(
        SourceText source, HoconValueSource values = HoconValueSource.OutlineWhenPlain)
    {
        var outline = HoconOutlineParser.ParseDocument(source);
        if (outline.IsPlain && values == HoconValueSource.OutlineWhenPlain)
            return new OutlineHoconNode(outline.Root, source);
        return new AkkaHoconNode(ParseWithAkka(source), outline.Root, source, source.Start);
    }

    // The outline parser refuses what Akka's parser mishandles, so this catch is a second line:
    // whatever Akka still throws becomes a located error, never a crash.
    private static HoconValue ParseWithAkka(SourceText source)
    {
        try
        {
            // The extra line break: Akka's Matches(params) skips a pattern ending at the last
            // character, so a '#' or '=' there would be missed.
            return ConfigurationFactory.ParseString(source.Text + "\n").Root;
        }
        catch (Exception e)
        {
            throw new ScenarioException(
                LocateAkkaError(source, e), $"HOCON: {FirstLine(e.Message)}");
        }
    }

    private static SourceLocation LocateAkkaError(SourceText source, Exception e)
    {
        var match = System.Text.RegularExpressions.Regex.Match(e.Message, @"position (\d+)");
        return match.Success && int.TryParse(match.Groups[1].Value, out int offset)
            ? source.Locate(offset)
            : source.Start;
    }

    private static string FirstLine(string message)
    {
        int end = message.IndexOfAny(['\n', '\r']);
        return (end < 0 ? message : message[..end]).TrimEnd(':', ' ');
    }
}
