using Akka.Configuration;

namespace Emulator.Host;

/// <summary>The project's akka.hocon, built into the program, read once.</summary>
public static class Settings
{
    private static readonly Lazy<Config> Embedded = new(() =>
    {
        using var stream = typeof(Settings).Assembly.GetManifestResourceStream("akka.hocon")
            ?? throw new InvalidOperationException("akka.hocon is not embedded in the program");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    });

    /// <summary>Every key with its documented default.</summary>
    public static Config Defaults => Embedded.Value;

    /// <summary>The defaults, with <paramref name="overrides"/> (HOCON text) on top.</summary>
    public static Config Load(string? overrides = null) =>
        overrides is null ? Defaults
        : ConfigurationFactory.ParseString(overrides).WithFallback(Defaults);
}
