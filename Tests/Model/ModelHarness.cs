using System.Text.RegularExpressions;
using Emulator.Protocol.Processes;

namespace Emulator.Tests.Model;

/// <summary>Where two systems first told different stories about the same run.</summary>
/// <param name="Index">The step; -1 when they already disagree on the pids Start returns.</param>
public sealed record Disagreement(int Index, ModelStep? Step, Outcome A, Outcome B, string Reason)
{
    public override string ToString() => Step is null
        ? $"before the first step: {Reason}"
        : $"step {Index} ({Step}): {Reason}; a said {A}, b said {B}";
}

/// <summary>
/// Runs one <see cref="ModelRun"/> on two systems side by side and stops at the first call on
/// which they disagree: on the outcome (kind, value, errno, signal, and for a mismatch the
/// address it names) or on the machine's pin counters afterwards.
/// </summary>
public static partial class ModelHarness
{
    public static Disagreement? Compare(IXpmemSystem a, IXpmemSystem b, ModelRun run)
    {
        var pidsA = a.Start(run.Partitions, run.Raw, run.Processes);
        var pidsB = b.Start(run.Partitions, run.Raw, run.Processes);
        if (!pidsA.SequenceEqual(pidsB))
        {
            return new Disagreement(-1, null, default, default,
                $"Start gave pids [{string.Join(", ", pidsA)}] and [{string.Join(", ", pidsB)}]");
        }
        var where = new Dictionary<ModelActor, (int Partition, int PidA, int PidB)>();
        for (var i = 0; i < run.Processes.Count; i++)
        {
            where[ModelActor.Declared(i)] = (run.Processes[i].Partition, pidsA[i], pidsB[i]);
        }
        for (var i = 0; i < run.Steps.Count; i++)
        {
            var step = run.Steps[i];
            // A child whose fork did not happen (its parent was dead) has no calls to make.
            if (!where.TryGetValue(step.Actor, out var actor))
            {
                continue;
            }
            var outcomeA = a.Apply(actor.Partition, actor.PidA, step.Call);
            var outcomeB = b.Apply(actor.Partition, actor.PidB, step.Call);
            if (!Agree(outcomeA, outcomeB))
            {
                return new Disagreement(i, step, outcomeA, outcomeB, "the outcomes differ");
            }
            if (a.Pins != b.Pins)
            {
                var reason = $"pins differ after it: {a.Pins} and {b.Pins}";
                return new Disagreement(i, step, outcomeA, outcomeB, reason);
            }
            if (step.Call is ForkCall && outcomeA.Kind == OutcomeKind.Ok)
            {
                var child = (actor.Partition, (int)outcomeA.Value, (int)outcomeB.Value);
                where[ModelActor.ChildOf(i)] = child;
            }
        }
        return null;
    }

    /// <summary>
    /// Same kind, value, errno and signal; a mismatch must also name the same address.
    /// </summary>
    public static bool Agree(Outcome a, Outcome b) =>
        a.Kind == b.Kind && a.Value == b.Value && a.Errno == b.Errno && a.Signal == b.Signal
        && (a.Kind != OutcomeKind.Mismatch || MismatchAddress(a) == MismatchAddress(b));

    /// <summary>The first hex number of a mismatch's detail: the first differing address.</summary>
    private static string? MismatchAddress(Outcome outcome) =>
        outcome.Detail is { } detail && HexNumber().Match(detail) is { Success: true } match
            ? match.Value.ToLowerInvariant()
            : null;

    [GeneratedRegex("0[xX][0-9a-fA-F]+")]
    private static partial Regex HexNumber();
}
