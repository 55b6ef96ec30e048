// Draws the ladder `xpmem-emu bench ladder --json FILE` wrote: an SVG of wall time and peak
// memory against processes (log-log, sim and live, the line fitted through the lower half
// dashed beside each), and prints the table and verdicts (Markdown, for BENCHMARKS.md).
// The drawing and the judging live in Host/Bench (LadderPlot, LadderTable, LadderFit), where
// the tests see them; this file only reads, writes and prints.
//
//   dotnet run scripts/plot-ladder.cs -- ladder.json docs/ladder.svg
#:project ../Host/Host.csproj
using Emulator.Host.Bench;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: dotnet run scripts/plot-ladder.cs -- LADDER.json OUT.svg "
        + "(LADDER.json: what xpmem-emu bench ladder --json wrote)");
    return 2;
}
if (!Ladder.TryRead(args[0], out var ladder, out var error))
{
    Console.Error.WriteLine($"plot-ladder: {error}");
    return 2;
}
try
{
    File.WriteAllText(args[1], LadderPlot.Draw(ladder!));
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"plot-ladder: cannot write {args[1]}: {e.Message}");
    return 2;
}
Console.Write(LadderTable.Markdown(ladder!));
return 0;
