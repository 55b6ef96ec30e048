using Akka.Configuration;

namespace Emulator.Host;

/// <summary>
/// One-time work a run waits for at its first setting, started on the thread pool as the program
/// starts, so that it overlaps reading the command line and the scenario on another core: Akka's
/// HOCON builds a compiled regular expression at the first time span it reads, and that code is
/// compiled by the JIT at its first match (~35 ms that no ahead-of-time build can take).
/// </summary>
internal static class Warmup
{
    public static void Start() =>
        ThreadPool.UnsafeQueueUserWorkItem(static _ => ReadTimeSpan(), null);

    private static void ReadTimeSpan() =>
        ConfigurationFactory.ParseString("warm = 1s").GetTimeSpan("warm");
}
