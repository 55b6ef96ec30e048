namespace Emulator.Protocol.Processes;

/// <summary>What fill lays and check expects, from the range's first byte.</summary>
public abstract record Pattern
{
    private protected Pattern() { }
}

/// <summary>Every byte zero.</summary>
public sealed record ZeroPattern : Pattern;

/// <summary>Every byte the same value.</summary>
public sealed record BytePattern(byte Value) : Pattern;

/// <summary>32-bit word i holds i + K (little endian).</summary>
public sealed record Index32Pattern(uint K) : Pattern;

/// <summary>
/// Each 32-bit word the next LFSR value: <c>next = (s &lt;&lt; 1) | parity(s &amp; 1337)</c>.
/// </summary>
public sealed record Lfsr32Pattern(uint Seed) : Pattern;
