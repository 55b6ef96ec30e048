namespace Emulator.Host.Bench;

/// <summary>A straight line y = Intercept + Slope x.</summary>
public readonly record struct Line(double Intercept, double Slope)
{
    public double At(double x) => Intercept + Slope * x;

    /// <summary>The least-squares line through the points (at least two, not all at one x).
    /// </summary>
    public static Line Fit(IReadOnlyList<(double X, double Y)> points)
    {
        if (points.Count < 2) throw new ArgumentException("a line needs two points");
        var meanX = points.Average(p => p.X);
        var meanY = points.Average(p => p.Y);
        var spread = points.Sum(p => (p.X - meanX) * (p.X - meanX));
        if (spread == 0) throw new ArgumentException("the points share one x");
        var slope = points.Sum(p => (p.X - meanX) * (p.Y - meanY)) / spread;
        return new Line(meanY - slope * meanX, slope);
    }
}

/// <summary>What grows with the work, and what it is counted against.</summary>
public enum LadderQuantity
{
    /// <summary>Wall seconds against faults.</summary>
    Time,

    /// <summary>CPU seconds (user and system) against faults.</summary>
    Cpu,

    /// <summary>Peak bytes against emulated processes.</summary>
    Memory,

    /// <summary>Messages (deliveries) against faults.</summary>
    Messages,
}

/// <summary>
/// One mode's growth of one quantity: the cost of one more unit of work (a fault, a process)
/// fitted over the ladder's lower half and over its upper half. <see cref="Linear"/>: the upper
/// half's cost is at most <see cref="LadderFit.Tolerance"/> times the lower half's; null when
/// the lower half did not grow (nothing to compare with).
/// </summary>
public sealed record LadderVerdict(string Mode, LadderQuantity Quantity, double Lower,
    double Upper, int Bottom, int Middle, int Top)
{
    public double Ratio => Upper / Lower;

    public bool? Linear => Lower > 0 ? Ratio <= LadderFit.Tolerance : null;
}

/// <summary>
/// Whether a ladder grows linearly in its work. Time and memory at a rung carry a fixed cost
/// (the runtime's start and JIT, its heap's first growth) that makes the small rungs look dear
/// per fault; so the judge compares marginal costs: the slope of a least-squares line through
/// the lower half's rungs (first to middle) with the slope through the upper half's (middle to
/// top). Over 18 x 8..512 a cost that grows as n log n shows as 1.46x; as n squared, 8x.
/// </summary>
public static class LadderFit
{
    /// <summary>How much dearer the upper half's marginal cost may be and still be linear:
    /// room for a shared machine's noise, and under n log n's 1.46x.</summary>
    public const double Tolerance = 1.25;

    /// <summary>Rungs a verdict needs: a lower and an upper half of two rungs each.</summary>
    public const int RungsMin = 3;

    /// <summary>The lower half (first to middle rung) and the upper (middle to top), sharing
    /// the middle rung.</summary>
    public static (IReadOnlyList<LadderRung> Lower, IReadOnlyList<LadderRung> Upper) Halves(
        IReadOnlyList<LadderRung> rungs)
    {
        var middle = rungs.Count / 2;
        return ([.. rungs.Take(middle + 1)], [.. rungs.Skip(middle)]);
    }

    /// <summary>Every mode's verdicts on time, CPU, memory and messages, in that order; none for a
    /// mode with fewer than <see cref="RungsMin"/> rungs.</summary>
    public static IReadOnlyList<LadderVerdict> Judge(Ladder ladder) =>
    [
        .. from mode in ladder.Modes
           let rungs = ladder.Of(mode)
           where rungs.Count >= RungsMin
           from quantity in Enum.GetValues<LadderQuantity>()
           select Verdict(mode, quantity, rungs, ladder.Partitions),
    ];

    private static LadderVerdict Verdict(string mode, LadderQuantity quantity,
        IReadOnlyList<LadderRung> rungs, int partitions)
    {
        Func<LadderRung, (double X, double Y)> point = quantity switch
        {
            LadderQuantity.Time => r => (r.Faults, r.WallSeconds),
            LadderQuantity.Cpu => r => (r.Faults, r.CpuSeconds),
            LadderQuantity.Memory => r => ((double)partitions * r.Processes, r.PeakBytes),
            _ => r => (r.Faults, r.Messages),
        };
        var (lower, upper) = Halves(rungs);
        return new LadderVerdict(mode, quantity, Line.Fit([.. lower.Select(point)]).Slope,
            Line.Fit([.. upper.Select(point)]).Slope, rungs[0].Processes,
            upper[0].Processes, rungs[^1].Processes);
    }
}
