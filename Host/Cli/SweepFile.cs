using Emulator.Host.Scenarios;

namespace Emulator.Host.Cli;

/// <summary>
/// One file of a run or sweep: the path as the user wrote it, its parsed scenario, the seeds it
/// runs under, and the name of its trace folder (unique among the files of the command).
/// </summary>
public sealed record SweepFile(string Path, Scenario Scenario, IEnumerable<int> Seeds,
    long SeedCount, string TraceName)
{
    /// <summary>The seed a file runs under when no seed is given: its own, or 1.</summary>
    public static int OwnSeed(Scenario scenario) => scenario.Seed ?? 1;

    /// <summary>
    /// The trace folder name of each file: its name without extension, or, where several files
    /// share one (a/x.hocon, b/x.hocon), that name with -1, -2... in argument order.
    /// </summary>
    public static IReadOnlyList<string> TraceNames(IReadOnlyList<string> paths)
    {
        var stems = paths.Select(Stem).ToList();
        var comparer = StringComparer.OrdinalIgnoreCase;
        var taken = new HashSet<string>(stems.GroupBy(s => s, comparer)
            .Where(g => g.Count() == 1).Select(g => g.Key), comparer);
        var names = new List<string>();
        var next = new Dictionary<string, int>(comparer);
        foreach (var stem in stems)
        {
            if (stems.Count(s => comparer.Equals(s, stem)) == 1)
            {
                names.Add(stem);
                continue;
            }
            string name;
            do
            {
                var number = next.GetValueOrDefault(stem) + 1;
                next[stem] = number;
                name = $"{stem}-{number}";
            }
            while (!taken.Add(name));
            names.Add(name);
        }
        return names;
    }

    private static string Stem(string path)
    {
        var stem = System.IO.Path.GetFileNameWithoutExtension(path);
        return stem is "" or "." or ".." ? "scenario" : stem;
    }
}
