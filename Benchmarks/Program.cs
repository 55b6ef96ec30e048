using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace Emulator.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project Benchmarks -- --filter '*'</c>: every benchmark, or those
/// the filter names (BenchmarkDotNet's switches: <c>--job short</c>, <c>--job dry</c>, ...).
/// Results go to Benchmarks/BenchmarkDotNet.Artifacts, wherever it is run from.
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        // BenchmarkDotNet builds its own copy of the project first; on a busy 2-core machine
        // that took more than its default two minutes.
        var config = ManualConfig.Create(DefaultConfig.Instance);
        config.BuildTimeout = TimeSpan.FromMinutes(10);
        if (ProjectFolder() is { } folder)
            config.ArtifactsPath = Path.Combine(folder, "BenchmarkDotNet.Artifacts");
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
    }

    /// <summary>The folder of Benchmarks.csproj, above the build output, or null.</summary>
    private static string? ProjectFolder()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null;
             folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Benchmarks.csproj")))
                return folder.FullName;
        }
        return null;
    }
}
