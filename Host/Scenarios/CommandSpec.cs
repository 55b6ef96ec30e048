namespace Emulator.Host.Scenarios;

/// <summary>
/// One command of the language: its name, whether a process or the machine runs it, whether
/// its result can be bound to a name, its usage for error messages, and how to read its words.
/// </summary>
internal sealed record CommandSpec(
    string Name,
    bool IsMachine,
    bool Bindable,
    string Usage,
    Func<StepArguments, StepContext, Command> Parse);

/// <summary>Every command of language version 1, by name.</summary>
internal static class CommandTable
{
    public static readonly IReadOnlyList<CommandSpec> All =
        [.. ProcessCommands.Specs, .. MachineCommands.Specs];

    // Looked up by the word as the step writes it, not a copy of it.
    private static readonly Dictionary<string, CommandSpec>.AlternateLookup<ReadOnlySpan<char>>
        ByName = All.ToDictionary(s => s.Name, StringComparer.Ordinal)
            .GetAlternateLookup<ReadOnlySpan<char>>();

    public static CommandSpec? Find(ReadOnlySpan<char> name) =>
        ByName.TryGetValue(name, out var spec) ? spec : null;

    public static IEnumerable<string> ProcessCommandWords =>
        ProcessCommands.Specs.Select(s => s.Name);

    public static IEnumerable<string> MachineCommandWords =>
        MachineCommands.Specs.Select(s => s.Name);

    public static string ProcessCommandNames => Names(ProcessCommands.Specs);

    public static string MachineCommandNames => Names(MachineCommands.Specs);

    public static string BindableNames => Names(All.Where(s => s.Bindable));

    private static string Names(IEnumerable<CommandSpec> specs) =>
        string.Join(", ", specs.Select(s => s.Name));
}
