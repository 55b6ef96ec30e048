using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Serialization;
using Emulator.Partitions.Memory;
using Emulator.Partitions.Xpc;
using Emulator.Protocol;

namespace Emulator.Partitions.Serialization;

/// <summary>
/// The types <see cref="XpmemSerializer"/> writes, found once by reflection over the Protocol and
/// Partitions assemblies, so a message added later is covered without touching this code:
/// every concrete <see cref="IXpmemMessage"/> and <see cref="XpcActor.Carry"/> (named by manifest),
/// and the candidates of each abstract record, interface or <c>object</c> field they hold
/// (<c>Call</c>, <c>Pattern</c>, <c>IRoutedRequest</c>, a carried message), tagged by their index.
/// A manifest is the type's name inside its container (<c>Process.Run</c>): short, and the same
/// whatever the assembly version. Candidates are ordered by full name, so every process of a build
/// numbers them alike; a build with other types has another schema fingerprint
/// (<see cref="WireSchema"/>), so a tag is never read against a different list.
/// </summary>
internal sealed class WireTypes
{
    public static WireTypes Instance { get; } =
        new([typeof(IXpmemMessage).Assembly, typeof(WireTypes).Assembly]);

    private readonly HashSet<Assembly> _assemblies;
    private readonly List<Type> _concrete;
    private readonly Dictionary<Type, string> _manifests = [];
    private readonly Dictionary<string, Type> _byManifest = [];
    private readonly HashSet<Type> _inProcessOnly = [];
    private readonly ConcurrentDictionary<Type, IReadOnlyList<Type>> _candidates = new();

    /// <summary>Over other assemblies: for tests of shapes no message uses yet.</summary>
    internal WireTypes(IReadOnlyList<Assembly> assemblies)
    {
        _assemblies = [.. assemblies];
        _concrete =
        [
            .. assemblies.SelectMany(a => a.GetTypes())
                .Where(IsConcreteData)
                .OrderBy(t => t.FullName, StringComparer.Ordinal),
        ];
        foreach (var type in _concrete.Where(IsMessage))
        {
            if (HoldsPage(type)) _inProcessOnly.Add(type);
            else Register(type);
        }
    }

    /// <summary>
    /// Messages that hold a live <see cref="Page"/>: they never leave their partition.
    /// </summary>
    public IReadOnlySet<Type> InProcessOnly => _inProcessOnly;

    /// <summary>Every type that has a manifest (what may cross nodes).</summary>
    public IReadOnlyCollection<Type> Messages => _manifests.Keys;

    /// <summary>
    /// The type's name inside its containers, without namespace: <c>Process.Run</c>.
    /// </summary>
    public static string NameOf(Type type) =>
        type.DeclaringType is null ? type.Name : $"{NameOf(type.DeclaringType)}.{type.Name}";

    public bool IsOurs(Type type) => _assemblies.Contains(type.Assembly);

    /// <summary>
    /// The manifest of a message type; a clear refusal for what must not cross nodes.
    /// </summary>
    public string ManifestOf(Type type)
    {
        if (_manifests.TryGetValue(type, out var manifest)) return manifest;
        if (_inProcessOnly.Contains(type)) throw new SerializationException(PageRefusal(type));
        throw new SerializationException(
            $"{type.FullName} is not an XPMEM message (a concrete IXpmemMessage or XpcActor.Carry "
            + "in Emulator.Protocol or Emulator.Partitions), so XpmemSerializer "
            + "will not write it.");
    }

    public Type TypeOf(string manifest) =>
        _byManifest.TryGetValue(manifest, out var type)
            ? type
            : throw new SerializationException(
                $"Unknown XPMEM manifest '{manifest}': "
                + "the sender's build has a message this one lacks.");

    /// <summary>
    /// Why <paramref name="type"/> never crosses nodes, naming the field that holds the page.
    /// </summary>
    public static string PageRefusal(Type type)
    {
        var fields = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.PropertyType == typeof(Page))
            .Select(p => $"{NameOf(type)}.{p.Name}");
        return $"{type.FullName} holds an in-process Page ({string.Join(", ", fields)}: the frame "
            + "itself, shared by reference) and must never cross nodes; a remote attacher gets "
            + "Fault.Pinned and Frames.Read/Write instead.";
    }

    /// <summary>
    /// Concrete types that may stand where <paramref name="baseType"/> is declared, by full name.
    /// </summary>
    public IEnumerable<Type> ConcreteSubtypesOf(Type baseType) =>
        _concrete.Where(t => baseType.IsAssignableFrom(t) && !_inProcessOnly.Contains(t));

    /// <summary>
    /// What a field declared as <paramref name="declared"/> may hold on the wire, in tag order:
    /// its concrete subtypes; for <c>object</c> (a carried message) every IXpmemMessage.
    /// </summary>
    public IReadOnlyList<Type> CandidatesOf(Type declared) =>
        _candidates.GetOrAdd(declared, d =>
            [.. ConcreteSubtypesOf(d == typeof(object) ? typeof(IXpmemMessage) : d)]);

    private void Register(Type type)
    {
        var manifest = NameOf(type);
        if (_byManifest.TryGetValue(manifest, out var other))
        {
            throw new InvalidOperationException(
                $"{type.FullName} and {other.FullName} would share the manifest '{manifest}'.");
        }
        _manifests.Add(type, manifest);
        _byManifest.Add(manifest, type);
    }

    private static bool IsConcreteData(Type type) =>
        !type.IsAbstract && !type.IsInterface && !type.IsGenericTypeDefinition && !type.IsEnum
        && !type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false);

    private static bool IsMessage(Type type) =>
        typeof(IXpmemMessage).IsAssignableFrom(type) || type == typeof(XpcActor.Carry);

    private static bool HoldsPage(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Any(p => p.PropertyType == typeof(Page));
}
