using System.Text.Encodings.Web;
using System.Text.Json;

namespace Emulator.Host.Bench;

/// <summary>
/// One rung of the ladder: the Altix-shaped scenario at <see cref="Processes"/> per partition
/// in one mode, run in a child process: its wall time, CPU time and peak memory taken from
/// outside, and the work it counted (faults, messages).
/// </summary>
public sealed record LadderRung(string Mode, int Processes, double WallSeconds,
    double CpuSeconds, long PeakBytes, long Faults, long Messages);

/// <summary>
/// A ladder as <c>bench ladder --json</c> writes it and <c>scripts/plot-ladder.cs</c> reads it:
/// the shape every rung shares, where and when it ran, and the rungs in the order they ran.
/// </summary>
public sealed record Ladder(int Partitions, int Pages, string Date, string Build, int Cores,
    IReadOnlyList<LadderRung> Rungs)
{
    /// <summary>The modes, in the order their first rungs ran.</summary>
    public IEnumerable<string> Modes => Rungs.Select(r => r.Mode).Distinct();

    /// <summary>One mode's rungs, fewest processes first.</summary>
    public IReadOnlyList<LadderRung> Of(string mode) =>
        [.. Rungs.Where(r => r.Mode == mode).OrderBy(r => r.Processes)];

    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions
        {
            Indented = true,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            json.WriteStartObject();
            json.WriteString("tool", "xpmem-emu");
            json.WriteString("version", Program.Version);
            json.WriteString("date", Date);
            json.WriteString("build", Build);
            json.WriteNumber("cores", Cores);
            json.WriteNumber("partitions", Partitions);
            json.WriteNumber("pages", Pages);
            json.WriteStartArray("rungs");
            foreach (var rung in Rungs)
            {
                json.WriteStartObject();
                json.WriteString("mode", rung.Mode);
                json.WriteNumber("processes", rung.Processes);
                json.WriteNumber("wallSeconds", Math.Round(rung.WallSeconds, 3));
                json.WriteNumber("cpuSeconds", Math.Round(rung.CpuSeconds, 3));
                json.WriteNumber("peakBytes", rung.PeakBytes);
                json.WriteNumber("faults", rung.Faults);
                json.WriteNumber("messages", rung.Messages);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>
    /// Reads a ladder file; on failure <paramref name="error"/> says which file, where, what was
    /// wrong and what was expected.
    /// </summary>
    public static bool TryRead(string path, out Ladder? ladder, out string error)
    {
        ladder = null;
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            ladder = FromJson(json.RootElement);
            error = "";
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"{path}: cannot read it: {e.Message}";
        }
        catch (JsonException e)
        {
            error = $"{path}:{(e.LineNumber ?? 0) + 1}: not JSON: {e.Message}";
        }
        catch (LadderFormatException e)
        {
            error = $"{path}: {e.Message} (expected what `xpmem-emu bench ladder --json` writes)";
        }
        return false;
    }

    private static Ladder FromJson(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new LadderFormatException("the top is not an object");
        var rungs = Field(root, "rungs", JsonValueKind.Array);
        if (rungs.GetArrayLength() == 0) throw new LadderFormatException("\"rungs\" is empty");
        var ladder = new Ladder(Whole(root, "partitions"), Whole(root, "pages"),
            Field(root, "date", JsonValueKind.String).GetString()!,
            Field(root, "build", JsonValueKind.String).GetString()!, Whole(root, "cores"),
            [.. rungs.EnumerateArray().Select((rung, i) => Rung(rung, i))]);
        // A line through the rungs needs them apart.
        var twice = ladder.Rungs.GroupBy(r => (r.Mode, r.Processes))
            .FirstOrDefault(g => g.Count() > 1);
        if (twice is { Key: var (mode, processes) })
            throw new LadderFormatException($"two rungs of {processes} processes in {mode}");
        return ladder;
    }

    private static LadderRung Rung(JsonElement rung, int index)
    {
        if (rung.ValueKind != JsonValueKind.Object)
            throw new LadderFormatException($"rungs[{index}] is not an object");
        try
        {
            return new LadderRung(Field(rung, "mode", JsonValueKind.String).GetString()!,
                Whole(rung, "processes"), Seconds(rung, "wallSeconds"),
                Seconds(rung, "cpuSeconds"), Count(rung, "peakBytes"), Count(rung, "faults"),
                Count(rung, "messages"));
        }
        catch (LadderFormatException e)
        {
            throw new LadderFormatException($"rungs[{index}]: {e.Message}");
        }
    }

    private static JsonElement Field(JsonElement owner, string name, JsonValueKind kind)
    {
        if (!owner.TryGetProperty(name, out var value))
            throw new LadderFormatException($"\"{name}\" is missing");
        if (value.ValueKind != kind)
        {
            throw new LadderFormatException($"\"{name}\" is {value.ValueKind}, expected "
                + kind.ToString().ToLowerInvariant());
        }
        return value;
    }

    private static double Seconds(JsonElement owner, string name) =>
        Field(owner, name, JsonValueKind.Number).GetDouble() is > 0 and var seconds ? seconds
            : throw new LadderFormatException($"\"{name}\" is not above 0");

    private static int Whole(JsonElement owner, string name) =>
        (int)Math.Min(int.MaxValue, Count(owner, name));

    /// <summary>A count: a whole number of at least 1.</summary>
    private static long Count(JsonElement owner, string name) =>
        Field(owner, name, JsonValueKind.Number).TryGetInt64(out var value) && value >= 1
            ? value
            : throw new LadderFormatException($"\"{name}\" is not a whole number of at least 1");

    private sealed class LadderFormatException(string message) : Exception(message);
}
