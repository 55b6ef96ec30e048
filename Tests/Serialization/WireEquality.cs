using System.Collections;
using System.Reflection;
using Akka.Actor;

namespace Emulator.Tests.Serialization;

/// <summary>
/// Field-by-field comparison of a message with its copy after a round trip. Records compare by
/// value, but not through lists and byte arrays (reference equality there), and a resolved actor
/// ref is a different object: so this walks public properties, compares sequences by content and
/// actor refs by serialization path (which carries the actor's uid).
/// </summary>
internal static class WireEquality
{
    private const int DepthMax = 16;

    public static IReadOnlyList<string> Differences(object? expected, object? actual)
    {
        var differences = new List<string>();
        Compare(expected, actual, "", 0, differences);
        return differences;
    }

    private static void Compare(
        object? expected, object? actual, string path, int depth, List<string> differences)
    {
        if (depth > DepthMax) throw new InvalidOperationException($"{path}: deeper than {DepthMax}");
        if (expected is null || actual is null)
        {
            if (expected is not null || actual is not null)
            {
                differences.Add($"{path}: {expected} became {actual}");
            }
            return;
        }
        if (expected is IActorRef expectedRef && actual is IActorRef actualRef)
        {
            var e = expectedRef.Path.ToSerializationFormat();
            var a = actualRef.Path.ToSerializationFormat();
            if (e != a) differences.Add($"{path}: actor {e} became {a}");
            return;
        }
        if (expected.GetType() != actual.GetType() && !(IsSequence(expected) && IsSequence(actual)))
        {
            differences.Add($"{path}: {expected.GetType().Name} became {actual.GetType().Name}");
            return;
        }
        if (expected is string || expected.GetType().IsPrimitive || expected.GetType().IsEnum)
        {
            if (!expected.Equals(actual)) differences.Add($"{path}: {expected} became {actual}");
            return;
        }
        if (IsSequence(expected))
        {
            CompareSequences((IEnumerable)expected, (IEnumerable)actual, path, depth, differences);
        }
        else
        {
            CompareProperties(expected, actual, path, depth, differences);
        }
    }

    private static bool IsSequence(object value) => value is IEnumerable and not string;

    private static void CompareSequences(
        IEnumerable expected, IEnumerable actual, string path, int depth, List<string> differences)
    {
        var (e, a) = (expected.Cast<object?>().ToList(), actual.Cast<object?>().ToList());
        if (e.Count != a.Count)
        {
            differences.Add($"{path}: {e.Count} items became {a.Count}");
            return;
        }
        for (var i = 0; i < e.Count; i++) Compare(e[i], a[i], $"{path}[{i}]", depth + 1, differences);
    }

    private static void CompareProperties(
        object expected, object actual, string path, int depth, List<string> differences)
    {
        var properties = expected.GetType()
            .GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0);
        foreach (var property in properties)
        {
            var name = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
            var (e, a) = (property.GetValue(expected), property.GetValue(actual));
            Compare(e, a, name, depth + 1, differences);
        }
    }
}
