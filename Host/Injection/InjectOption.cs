using System.CommandLine.Parsing;
using Emulator.Host.Cli;
using Emulator.Host.Scenarios;

namespace Emulator.Host.Injection;

/// <summary>
/// What an explore injects (<c>--inject LIST</c>): the kinds, and what their draws need (the
/// scenario's partitions, and the deliveries a run makes, measured before the search).
/// </summary>
public sealed record InjectSpec(IReadOnlyList<InjectKind> Kinds, int Partitions = 1,
    long Deliveries = 1)
{
    public static readonly InjectSpec None = new([]);

    public bool Any => Kinds.Count > 0;

    public IReadOnlyList<string> Names => [.. Kinds.Select(Injections.Name)];

    /// <summary>Schedule <paramref name="seed"/>'s plan; null when nothing is injected.</summary>
    public InjectionPlan? For(int seed) =>
        Any ? new DrawnInjections(Kinds, seed, Partitions, Deliveries) : null;
}

/// <summary>
/// <c>--inject LIST</c>: the kinds of fault an explore injects per schedule, by name, separated
/// by commas (<c>crash, restart, owner-crash, reply-drop, release-during-fault</c>, or
/// <c>all</c>).
/// </summary>
public static class InjectOption
{
    public const string All = "all";

    /// <summary>What LIST may be, for help and errors.</summary>
    public static readonly string Forms = $"a comma-separated list of "
        + $"{string.Join(", ", Injections.Names)}, or {All}";

    /// <summary>The option's parser: the last value given, or the error.</summary>
    public static IReadOnlyList<InjectKind> Parse(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (TryParse(text, out var kinds, out var error)) return kinds;
        result.AddError($"--inject '{UserText.Safe(text)}': {error}; LIST is {Forms}");
        return [];
    }

    /// <summary>The kinds <paramref name="text"/> names, each once, in the kinds' order; false
    /// with <paramref name="error"/> when it names none, or something else.</summary>
    public static bool TryParse(string text, out IReadOnlyList<InjectKind> kinds,
        out string error)
    {
        kinds = [];
        error = "";
        var names = text.Split([',', ';'], StringSplitOptions.TrimEntries)
            .Where(name => name.Length > 0).ToList();
        if (names.Count == 0)
        {
            error = "no fault given";
            return false;
        }
        var chosen = new SortedSet<InjectKind>();
        foreach (var name in names)
        {
            if (name == All)
            {
                chosen.UnionWith(Enum.GetValues<InjectKind>());
                continue;
            }
            if (Injections.KindOf(name) is not { } kind)
            {
                error = $"'{name}' is not a fault to inject"
                    + Suggestions.DidYouMean(name, [.. Injections.Names, All]);
                return false;
            }
            chosen.Add(kind);
        }
        kinds = [.. chosen];
        return true;
    }
}
