using Emulator.Host.Scenarios;
using Emulator.Protocol.Processes;

namespace Emulator.Host.Runner;

/// <summary>Whether an outcome meets a step's expectation, and how to say it.</summary>
public static class Expectations
{
    public static bool Met(Expectation expect, Outcome outcome, Command command) => expect switch
    {
        ExpectOk => outcome.Kind == OutcomeKind.Ok,
        ExpectValue value => outcome.Kind == OutcomeKind.Ok
            && Mask(command, outcome.Value) == Mask(command, value.Value),
        ExpectErrno errno => outcome.Kind == OutcomeKind.Failed && outcome.Errno == errno.Errno,
        ExpectSignal signal => outcome.Kind == OutcomeKind.Signalled
            && outcome.Signal == signal.Signal,
        ExpectDead => outcome.Kind == OutcomeKind.Dead,
        ExpectAny any => any.Alternatives.Any(a => Met(a, outcome, command)),
        _ => false,
    };

    public static string Describe(Expectation expect) => expect switch
    {
        ExpectOk => "ok",
        ExpectValue value => $"0x{value.Value:x} ({value.Value})",
        ExpectBound bound => $"the value of {bound.Value}",
        ExpectErrno errno => errno.Errno.ToString(),
        ExpectSignal signal => signal.Signal.ToString(),
        ExpectDead => "dead (the process ended before the call finished)",
        ExpectAny any => string.Join(" or ", any.Alternatives.Select(Describe)),
        _ => expect.ToString() ?? "",
    };

    public static string Describe(Outcome outcome) => outcome.Kind switch
    {
        OutcomeKind.Ok => $"ok 0x{outcome.Value:x} ({outcome.Value})",
        OutcomeKind.Failed => $"-1 {outcome.Errno}",
        OutcomeKind.Signalled => outcome.Signal.ToString(),
        OutcomeKind.Mismatch => $"a mismatch: {outcome.Detail}",
        _ => "nothing: the process is dead",
    };

    /// <summary>
    /// A load of fewer than 8 bytes compares only its width (<c>read32 x => -1</c> means
    /// 0xffffffff), and so does an atomic's word (<c>fetch-add32 x 1 => -1</c>).
    /// </summary>
    private static ulong Mask(Command command, ulong value) => command switch
    {
        ReadCommand { WidthBytes: < 8 } read => value & ((1UL << (read.WidthBytes * 8)) - 1),
        FetchAdd32Command or Cas32Command or Swap32Command => value & uint.MaxValue,
        _ => value,
    };
}
