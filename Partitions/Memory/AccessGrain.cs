namespace Emulator.Partitions.Memory;

/// <summary>
/// How far a range operation (fill, check, sum32, add32, copy) moves memory between two
/// scheduling points: a 32-bit word, a 128-byte cache line (the unit SGI Altix keeps coherent and
/// NUMAlink moves between nodes), or a 4 KiB page. Hardware interleaves other CPUs' loads and
/// stores with a loop over a range at one of these, never only before or after the whole loop.
/// </summary>
public enum AccessGrain
{
    Word = 4,
    Line = 128,
    Page = 4096,
}

/// <summary>The arithmetic of grain units: pure functions, no state.</summary>
public static class AccessGrains
{
    /// <summary>The setting's words, as akka.hocon spells them.</summary>
    public static readonly IReadOnlyList<string> Names = ["word", "line", "page"];

    /// <summary>Bytes in one unit of <paramref name="grain"/>: 4, 128 or 4096.</summary>
    public static int Bytes(this AccessGrain grain) => (int)grain;

    /// <summary>
    /// The grain a setting names (<c>word</c>, <c>line</c>, <c>page</c>); null for any other word.
    /// </summary>
    public static AccessGrain? Parse(string name) => name switch
    {
        "word" => AccessGrain.Word,
        "line" => AccessGrain.Line,
        "page" => AccessGrain.Page,
        _ => null,
    };

    /// <summary>
    /// Bytes from <paramref name="address"/> to the end of its unit. Units are aligned to their
    /// size, which divides a page, so a unit never crosses a page.
    /// </summary>
    public static ulong ToUnitEnd(ulong address, AccessGrain grain) =>
        (ulong)grain - (address & ((ulong)grain - 1));

    /// <summary>
    /// Bytes between the start of the unit holding <paramref name="end"/> - 1 and
    /// <paramref name="end"/>: a unit taken from the top (a backward copy).
    /// </summary>
    public static ulong FromUnitStart(ulong end, AccessGrain grain) =>
        ((end - 1) & ((ulong)grain - 1)) + 1;
}
